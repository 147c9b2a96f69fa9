import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
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
  workflowBundle,
  taskQueue = TASK_QUEUE,
}: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  workflowBundle?: WorkflowBundle;
  taskQueue?: string;
}): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
