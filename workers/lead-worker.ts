import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type EmailRenderers } from '../activities';
import { createReportActivities } from '../activities/reports';
import { TASK_QUEUE } from '../domain/workflow-input';
import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import { renderEscalation } from '../presentation/emails/escalation';
import { renderIntegrationFailure } from '../presentation/emails/integration-failure';
import { renderTouchEmail } from '../presentation/emails/templates';
import { directorReports, type DirectorReportSettings } from './director-reports';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundling takes seconds; tests that start several workers share one bundle. */
export async function bundleLeadWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
}

/** The product's email wording, handed to the activities (they sit below presentation/). */
export const emailRenderers: EmailRenderers = { touchEmail: renderTouchEmail, escalation: renderEscalation, integrationFailure: renderIntegrationFailure };

/** The activities' dependencies; the email wording defaults to the product's own. */
export type LeadWorkerDeps = Omit<ActivityDeps, 'emails'> & { emails?: EmailRenderers };

/** What the director's scheduled reports need: where they go, and what their numbers are made of. */
export interface LeadWorkerReports extends DirectorReportSettings {
  ledger: Ledger;
  mailer: Mailer;
  directorEmail: string;
}

export async function createLeadWorker({
  connection,
  namespace,
  deps,
  reports,
  workflowBundle,
  taskQueue = TASK_QUEUE,
}: {
  connection: NativeConnection;
  namespace: string;
  deps: LeadWorkerDeps;
  /** The director's scheduled reports; without it the worker runs lead workflows only. */
  reports?: LeadWorkerReports;
  workflowBundle?: WorkflowBundle;
  taskQueue?: string;
}): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: {
      ...createActivities({ ...deps, emails: deps.emails ?? emailRenderers }),
      ...(reports ? reportActivities(reports, deps.mailDomain) : {}),
    },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

function reportActivities({ ledger, mailer, directorEmail, ...settings }: LeadWorkerReports, mailDomain: string) {
  return createReportActivities({ ledger, mailer, directorEmail, mailDomain, reports: directorReports(ledger.pool, settings) });
}
