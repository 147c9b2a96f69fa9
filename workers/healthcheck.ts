import { Connection } from '@temporalio/client';
import { hostname } from 'node:os';
import { Client as PgClient } from 'pg';
import { loadConfig, required, type Config } from '../config';
import { temporalConnectionOptions } from '../integrations/temporal/connection';
import { workerPolls } from './health';

/**
 * The worker's health, for a container healthcheck (`node dist/workers/healthcheck.js`, run inside the
 * worker's container): exit 0 when Temporal says a worker on this host polled the lead task queue, for
 * workflow and for activity tasks, within the last two minutes (a live worker re-polls at least every
 * minute), and the ledger's PostgreSQL answers a query; otherwise exit 1 with one line saying which.
 * A container has a hostname of its own. The worker also answers /health/ready on WORKER_METRICS_PORT
 * (workers/health.ts, the same poll check for its own identity), for orchestrators that probe over HTTP.
 */
const TIMEOUT_MS = 5_000;

async function workerOnThisHostPolls(config: Config, host: string): Promise<string | null> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: TIMEOUT_MS });
  try {
    return await workerPolls(connection, { namespace: config.TEMPORAL_NAMESPACE, isOurs: (identity) => identity.endsWith(`@${host}`), who: `on ${host}`, timeoutMs: TIMEOUT_MS });
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
    workerOnThisHostPolls(config, hostname()),
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
