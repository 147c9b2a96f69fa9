import {
  OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter, type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, bundleWorkflowCode, type InjectedSink, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { createActivities, type ActivityDeps, type EmailRenderers } from '../activities';
import { createReportActivities } from '../activities/reports';
import { TASK_QUEUE } from '../domain/workflow-input';
import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import type { Tracing } from '../lib/tracing';
import { renderEscalation } from '../presentation/emails/escalation';
import { renderIntegrationFailure } from '../presentation/emails/integration-failure';
import { renderTouchEmail } from '../presentation/emails/templates';
import { directorReports, type DirectorReportSettings } from './director-reports';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The workflow's tracing interceptors (workflows/tracing-interceptors.ts): a span for the run and for
 * each activity it starts, handed on to the activity in its headers. In the workflow code only when
 * tracing is on; with it or without, a workflow sends the same commands (test/workflow/replay-traced.test.ts).
 */
export const TRACING_WORKFLOW_MODULES = [require.resolve('../workflows/tracing-interceptors')];

/** Bundling takes seconds; tests that start several workers share one bundle (`traced`: with the tracing interceptors). */
export async function bundleLeadWorkflows({ traced = false }: { traced?: boolean } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...(traced ? { workflowInterceptorModules: TRACING_WORKFLOW_MODULES } : {}),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
}

/**
 * What tracing adds to a worker: the workflow interceptors (when the worker bundles its own code), a
 * span per activity attempt under the workflow's, and the sink through which the workflow's spans,
 * made inside its sandbox, reach the process's exporter. Nothing at all when tracing is off.
 * The SDK's sink copies the whole workflow info into every span's attributes, search attributes too
 * (the owner's address); only the execution's names and ids are handed on.
 */
export function tracedWorkerOptions(tracing: Tracing | null | undefined, { bundled }: { bundled: boolean }): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return {};
  const exporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  return {
    interceptors: {
      ...(bundled ? {} : { workflowModules: TRACING_WORKFLOW_MODULES }),
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: { export: { fn: (info, spans) => exporter.export.fn(spanInfoOf(info), spans) } } satisfies InjectedSink<OpenTelemetryWorkflowExporter> },
  };
}

const spanInfoOf = ({ workflowId, runId, workflowType, taskQueue, namespace }: WorkflowInfo) => ({ workflowId, runId, workflowType, taskQueue, namespace }) as WorkflowInfo;

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
  tracing,
  tuning,
}: {
  connection: NativeConnection;
  namespace: string;
  deps: LeadWorkerDeps;
  /** The director's scheduled reports; without it the worker runs lead workflows only. */
  reports?: LeadWorkerReports;
  /** A given bundle must have been built with the tracing interceptors (bundleLeadWorkflows({ traced: true })) when tracing is on. */
  workflowBundle?: WorkflowBundle;
  taskQueue?: string;
  /** This process's tracing (lib/tracing.ts); absent or null: off. */
  tracing?: Tracing | null;
  /** Cache size and slots (config's workerTuningOf: measured, see WORKER_MAX_CACHED_WORKFLOWS); absent: the SDK's defaults. */
  tuning?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>;
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
    // Explicit rather than the SDK's defaults, whose cache size follows the host's memory.
    ...tuning,
    ...tracedWorkerOptions(tracing, { bundled: Boolean(workflowBundle) }),
  });
}

function reportActivities({ ledger, mailer, directorEmail, ...settings }: LeadWorkerReports, mailDomain: string) {
  return createReportActivities({ ledger, mailer, directorEmail, mailDomain, reports: directorReports(ledger.pool, settings) });
}
