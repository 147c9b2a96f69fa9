import type { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { TASK_QUEUE } from '../domain/workflow-input';
import { CHECK_TIMEOUT_MS, readiness, type Readiness } from '../lib/health';

/** A live worker re-polls at least every minute: a poll older than this means work no longer reaches it. */
export const RECENT_POLL_MS = 120_000;

/**
 * Whether Temporal says a worker that `isOurs` polled the lead task queue, for workflow and for
 * activity tasks, within the last two minutes: null when it did, else what is missing. It asks
 * Temporal rather than the worker, so it sees what matters: whether work reaches this worker. The
 * SDK names a worker `<pid>@<hostname>`.
 */
export async function workerPolls(
  connection: Pick<Connection, 'workflowService' | 'withDeadline'>,
  { namespace, isOurs, who, timeoutMs = CHECK_TIMEOUT_MS }: { namespace: string; isOurs: (identity: string) => boolean; who: string; timeoutMs?: number },
): Promise<string | null> {
  const { TaskQueueType } = proto.api.enums.v1;
  for (const [what, taskQueueType] of [['workflow', TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW], ['activity', TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]] as const) {
    const { pollers } = await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: TASK_QUEUE }, taskQueueType }),
    );
    const recent = (pollers ?? []).some((p) => isOurs(p.identity ?? '') && Number(p.lastAccessTime?.seconds ?? 0) * 1000 > Date.now() - RECENT_POLL_MS);
    if (!recent) return `no worker ${who} polled the "${TASK_QUEUE}" task queue for ${what} tasks in the last ${RECENT_POLL_MS / 1000} s`;
  }
  return null;
}

/**
 * The worker process's `/health/ready` (on WORKER_METRICS_PORT, lib/metrics.ts): as the API's, Temporal
 * answers for the namespace and the ledger's PostgreSQL answers a query; and this worker runs and
 * Temporal has seen it poll (`worker`: `ok`, `starting`, `not running` or `not polling`). It answers
 * from the moment the metrics port opens, `not ready` until the worker polls.
 */
export function workerReadiness({ namespace, pool, started }: {
  namespace: string;
  pool: Pick<Pool, 'query'>;
  /** Filled in as the process starts: its client connection, then the worker (its workflow bundle takes a while). */
  started: { connection?: Connection; worker?: Worker };
}): () => Promise<Readiness<'temporal' | 'postgres' | 'worker'>> {
  return () => readiness({
    temporal: async () => {
      const { connection } = started;
      if (!connection) return 'connecting';
      await connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => connection.workflowService.describeNamespace({ namespace }));
      return 'ok';
    },
    postgres: async () => {
      await pool.query('SELECT 1');
      return 'ok';
    },
    worker: async () => {
      const { connection, worker } = started;
      if (!connection || !worker) return 'starting';
      if (worker.getState() !== 'RUNNING') return 'not running';
      const identity = worker.options.identity;
      return (await workerPolls(connection, { namespace, isOurs: (id) => id === identity, who: `named ${identity}` })) ? 'not polling' : 'ok';
    },
  });
}
