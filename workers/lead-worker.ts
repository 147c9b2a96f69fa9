import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { createReportActivities, type ReportDeps } from '../activities/reports';
import { TASK_QUEUE } from '../domain/workflow-input';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundling takes seconds; tests that start several workers share one bundle. */
export async function bundleLeadWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
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
  deps: ActivityDeps;
  /** The director's scheduled reports; without it the worker runs lead workflows only. */
  reports?: ReportDeps;
  workflowBundle?: WorkflowBundle;
  taskQueue?: string;
}): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: { ...createActivities(deps), ...(reports ? createReportActivities(reports) : {}) },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
