import { Connection } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import { temporal as proto } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { stringify } from 'yaml';
import { LEAD_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { setupNamespace } from '../integrations/temporal/setup-namespace';

/**
 * The real Temporal server, as production runs it, without Docker: built from its Go module
 * (`go.temporal.io/server`, `cmd/server` and the schema tool `cmd/tools/sql`) once into
 * `.tools/temporal-server/<version>/` and reused; its schemas applied to a real PostgreSQL (the default
 * store and SQL visibility, postgres12); a server config written for one node on ports chosen free;
 * the namespace created and the lead search attributes registered.
 *
 * The version is the one docker-compose.yml runs (its `temporalio/auto-setup` tag):
 * test/integration/production-topology.test.ts checks that they agree.
 *
 *   node --import tsx dev/temporal-server.ts            # builds it unless already built, prints where
 */

export const TEMPORAL_SERVER_VERSION = '1.29.7';
const MODULE = 'go.temporal.io/server';
const root = resolve(__dirname, '..');
const TOOLS = resolve(root, '.tools');
/** The compose deployment's dynamic configuration: the local topology runs the server with the same file. */
export const DYNAMIC_CONFIG_FILE = resolve(root, 'deploy/temporal/dynamicconfig/production-sql.yaml');
/** What `workflowExecutionRetentionTtl` the namespace is created with (setupNamespace keeps it so). */
const RETENTION = '180 days';

export interface TemporalServerBuild {
  version: string;
  dir: string;
  /** `temporal-server`: the whole server (frontend, history, matching, worker) in one process. */
  server: string;
  /** `temporal-sql-tool`: creates and updates the server's schemas. */
  sqlTool: string;
  /** The module's `schema/postgresql/v12`, with `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
}

export function temporalServerBuild(version = TEMPORAL_SERVER_VERSION): TemporalServerBuild {
  const dir = join(TOOLS, 'temporal-server', version);
  return { version, dir, server: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool'), schemaDir: join(dir, 'schema', 'postgresql', 'v12') };
}

/**
 * Go's own caches (GOCACHE, GOMODCACHE: the user's, wherever Go keeps them): every clone on a machine
 * that built the server once builds it again in seconds; only the binaries live in the project.
 */
export function goEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOFLAGS: '-modcacherw -buildvcs=false',
    // Temporal's pure-Go SQL drivers need no C compiler.
    CGO_ENABLED: '0',
  };
}

export class GoMissing extends Error {
  override name = 'GoMissing';
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; a failure carries the end of what it printed. */
function run(command: string, args: string[], { cwd, env, onLine }: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (onLine) for (const line of c.split('\n').filter(Boolean)) onLine(line);
    });
    child.once('error', fail);
    child.once('close', (code) => {
      if (code === 0) done({ stdout, stderr });
      else fail(new Error(`${command} ${args.join(' ')} failed (exit code ${code}):\n${(stderr || stdout).trim().split('\n').slice(-25).join('\n')}`));
    });
  });
}

/** The version a built `temporal-server` says it is (`temporal version 1.29.7`), or null. */
export async function builtVersion(server: string): Promise<string | null> {
  if (!existsSync(server)) return null;
  try {
    const { stdout } = await run(server, ['--version']);
    return /version (\S+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function goVersion(version: string): Promise<string> {
  try {
    return (await run('go', ['version'], { env: goEnvironment() })).stdout.trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GoMissing(
        `The production topology builds Temporal's server (${MODULE} v${version}) from source, and Go is not installed ` +
          '(no `go` on PATH). Install Go 1.25 or newer (https://go.dev/dl/, or `apt-get install golang-go` on a recent Debian), ' +
          'then run the command again: the build takes a few minutes once and is reused from .tools/temporal-server/.',
      );
    }
    throw err;
  }
}

/**
 * The pinned server and schema tool, built unless `.tools/temporal-server/<version>/` already holds a
 * server that says it is that version. Built into temporary names and renamed, so an interrupted
 * build never leaves a binary that looks finished.
 */
export async function ensureTemporalServer({ version = TEMPORAL_SERVER_VERSION, say = () => undefined }: { version?: string; say?: (m: string) => void } = {}): Promise<TemporalServerBuild & { built: boolean; seconds: number }> {
  const began = Date.now();
  const build = temporalServerBuild(version);
  const seconds = () => Math.round((Date.now() - began) / 100) / 10;
  if ((await builtVersion(build.server)) === version && existsSync(build.sqlTool) && existsSync(join(build.schemaDir, 'temporal', 'versioned'))) {
    return { ...build, built: false, seconds: seconds() };
  }
  const go = await goVersion(version);
  say(`building Temporal server ${version} from ${MODULE} with ${go} into ${build.dir} (once; a few minutes on two cores)`);
  const env = goEnvironment();
  const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@v${version}`], { env });
  const source = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!source || !existsSync(source)) throw new Error(`go mod download did not unpack ${MODULE}@v${version}:\n${stdout}`);
  mkdirSync(build.dir, { recursive: true });
  const partial = (path: string) => `${path}.partial-${process.pid}`;
  // The module is the main module here: its own go.mod and go.sum decide every dependency.
  const onLine = (line: string) => say(line);
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', partial(build.server), './cmd/server'], { cwd: source, env, onLine });
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', partial(build.sqlTool), './cmd/tools/sql'], { cwd: source, env, onLine });
  rmSync(join(build.dir, 'schema'), { recursive: true, force: true });
  cpSync(join(source, 'schema', 'postgresql', 'v12'), build.schemaDir, { recursive: true });
  renameSync(partial(build.sqlTool), build.sqlTool);
  renameSync(partial(build.server), build.server);
  const built = await builtVersion(build.server);
  if (built !== version) throw new Error(`the server built from ${MODULE}@v${version} says it is version ${built ?? '(none)'}`);
  say(`Temporal server ${version} built in ${seconds()} s`);
  return { ...build, built: true, seconds: seconds() };
}

export interface PostgresLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/**
 * Temporal's two databases on `login`'s PostgreSQL, created when missing, their schemas set up and
 * brought to the version this server needs (what `temporalio/auto-setup` does on every start).
 */
export async function prepareTemporalSchemas(build: TemporalServerBuild, login: PostgresLogin): Promise<void> {
  const admin = new PgClient({ ...login, database: 'postgres' });
  await admin.connect();
  try {
    for (const name of Object.values(TEMPORAL_DATABASES)) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
  for (const [name, schema] of [[TEMPORAL_DATABASES.default, 'temporal'], [TEMPORAL_DATABASES.visibility, 'visibility']] as const) {
    const connection = ['--plugin', 'postgres12', '--endpoint', login.host, '--port', String(login.port), '--user', login.user, '--password', login.password, '--database', name];
    const db = new PgClient({ ...login, database: name });
    await db.connect();
    const versioned = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'").finally(() => db.end());
    if (!versioned.rowCount) await run(build.sqlTool, [...connection, 'setup-schema', '-v', '0.0']);
    await run(build.sqlTool, [...connection, 'update-schema', '-d', join(build.schemaDir, schema, 'versioned')]);
  }
}

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  /** Prometheus metrics of the server itself (`/metrics`). */
  metrics: number;
}

export function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => done(true)));
  });
}

/**
 * Free ports for the server. Temporal stores a service's port in a smallint column
 * (`cluster_membership.rpc_port`): the server dies at start on a port above 32767, which is where the
 * kernel hands out ephemeral ports (`listen(0)`). So they are picked at random from 20000–32767.
 */
export async function chooseTemporalPorts(): Promise<TemporalServerPorts> {
  const taken = new Set<number>();
  const pick = async (): Promise<number> => {
    for (;;) {
      const port = randomInt(20_000, 32_768);
      if (!taken.has(port) && (await canListen(port))) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    frontend: await pick(), frontendHttp: await pick(), history: await pick(), matching: await pick(), worker: await pick(),
    frontendMembership: await pick(), historyMembership: await pick(), matchingMembership: await pick(), workerMembership: await pick(), metrics: await pick(),
  };
}

/**
 * The server's config, in the shape of Temporal's `config/development-postgres12.yaml`: PostgreSQL
 * for the default store and for visibility, one node, every service in this one process, the
 * compose deployment's dynamic config.
 */
export function serverConfig({ login, ports, logLevel = 'warn', logFile }: { login: PostgresLogin; ports: TemporalServerPorts; logLevel?: string; logFile?: string }): string {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12', databaseName, connectAddr: `${login.host}:${login.port}`, connectProtocol: 'tcp',
      user: login.user, password: login.password, maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  return stringify({
    log: logFile ? { stdout: false, outputFile: logFile, level: logLevel } : { stdout: true, level: logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: { 'postgres-default': store(TEMPORAL_DATABASES.default, 20), 'postgres-visibility': store(TEMPORAL_DATABASES.visibility, 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` } },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  });
}

/**
 * Writes `<dir>/config/production.yaml` and answers the server's command line:
 * `temporal-server --root <dir> --config config --env production --allow-no-auth start`.
 */
export function writeServerConfig(dir: string, options: Parameters<typeof serverConfig>[0]): string[] {
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'config', 'production.yaml'), serverConfig(options), { mode: 0o600 });
  // The frontend has no authorizer: like the compose file, it listens on this host only.
  return ['--root', dir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The namespace exists (created with the product's retention when missing) and carries the lead
 * search attributes, as seen by the frontend. A new namespace reaches the server's caches within
 * seconds, so each step is retried until it holds.
 */
export async function ensureNamespace(connection: Connection, namespace: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) })
        .catch((err: { code?: number }) => {
          if (err.code !== status.ALREADY_EXISTS) throw err;
        });
      await setupNamespace({ connection, namespace });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = LEAD_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (customAttributes ?? {})));
      if (missing.length === 0) return;
      throw new Error(`search attributes not registered yet: ${missing.map((k) => k.name).join(', ')}`);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} could not be set up: ${(err as Error).message}`);
      await sleep(1_000);
    }
  }
}

/**
 * The server serves, not merely answers: after a restart its membership ring still lists the previous
 * run's hosts for a while, and calls that need the matching or history service fail with "Not enough
 * hosts to serve the request" although the frontend answers. So: the lead task queue can be described
 * (matching), and asking for a workflow that does not exist is answered "not found" (history).
 */
export async function temporalServes(connection: Connection, namespace: string, taskQueue: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
      const history = await connection.workflowService
        .describeWorkflowExecution({ namespace, execution: { workflowId: `readiness-probe-${Date.now()}` } })
        .then(() => 'found', (err: { code?: number; message?: string }) => (err.code === status.NOT_FOUND ? 'not found' : Promise.reject(err)));
      if (history === 'not found') return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal answers but does not serve yet: ${(err as Error).message}`);
      await sleep(1_000);
    }
  }
}

async function main(): Promise<void> {
  const say = (m: string) => process.stdout.write(`[temporal-server] ${m}\n`);
  const build = await ensureTemporalServer({ say });
  say(`${build.built ? 'built' : 'already built'}: ${build.server} (${build.version}, ${build.seconds} s)`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof GoMissing ? err.message : `Temporal server build failed: ${(err as Error).message}`}\n`);
    process.exit(1);
  });
}
