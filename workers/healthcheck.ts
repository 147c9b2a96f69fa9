import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { hostname } from 'node:os';
import { Client as PgClient } from 'pg';
import { loadConfig, required, temporalAddress } from '../config';
import { TASK_QUEUE } from '../domain/workflow-input';

/**
 * The worker's health, for a container healthcheck (`node dist/workers/healthcheck.js`, run inside the
 * worker's container): exit 0 when Temporal says a worker on this host polled the lead task queue, for
 * workflow and for activity tasks, within the last two minutes (a live worker re-polls at least every
 * minute), and the ledger's PostgreSQL answers a query; otherwise exit 1 with one line saying which.
 * It asks Temporal rather than the worker, so it sees what matters: whether work reaches this worker.
 * The SDK names a worker `<pid>@<hostname>`, and a container has a hostname of its own.
 */
const RECENT_MS = 120_000;
const TIMEOUT_MS = 5_000;

async function workerPolls(address: string, namespace: string, host: string): Promise<string | null> {
  const connection = await Connection.connect({ address, connectTimeout: TIMEOUT_MS });
  try {
    const { TaskQueueType } = proto.api.enums.v1;
    for (const [what, taskQueueType] of [['workflow', TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW], ['activity', TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]] as const) {
      const { pollers } = await connection.withDeadline(Date.now() + TIMEOUT_MS, () =>
        connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: TASK_QUEUE }, taskQueueType }),
      );
      const recent = (pollers ?? []).some((p) => p.identity?.endsWith(`@${host}`) && Number(p.lastAccessTime?.seconds ?? 0) * 1000 > Date.now() - RECENT_MS);
      if (!recent) return `no worker on ${host} polled the "${TASK_QUEUE}" task queue for ${what} tasks in the last ${RECENT_MS / 1000} s`;
    }
    return null;
  } finally {
    await connection.close();
  }
}

async function postgresAnswers(databaseUrl: string): Promise<void> {
  const client = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const config = loadConfig();
  const problems: string[] = [];
  const [temporal, postgres] = await Promise.allSettled([
    workerPolls(temporalAddress(config), config.TEMPORAL_NAMESPACE, hostname()),
    postgresAnswers(required(config, 'DATABASE_URL')),
  ]);
  if (temporal.status === 'rejected') problems.push(`Temporal unreachable (${(temporal.reason as Error).message})`);
  else if (temporal.value) problems.push(temporal.value);
  if (postgres.status === 'rejected') problems.push(`PostgreSQL unreachable (${(postgres.reason as Error).message})`);
  process.stdout.write(problems.length ? `unhealthy: ${problems.join('; ')}\n` : 'healthy\n');
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stdout.write(`unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
