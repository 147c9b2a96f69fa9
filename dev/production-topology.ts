import { Client, Connection } from '@temporalio/client';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { TASK_QUEUE } from '../domain/workflow-input';
import { freePort, SANDBOX_CREDENTIALS, Service, tcpAnswers } from './chaos/stack';
import { httpAnswers, nodeCommand, ServiceProcess } from './service-process';
import { workerPolls } from '../workers/health';
import { record, removeState, writeState, type StackState } from './stack-state';
import { canListen, chooseTemporalPorts, ensureNamespace, temporalServes, ensureTemporalServer, prepareTemporalSchemas, writeServerConfig, type PostgresLogin, type TemporalServerBuild, type TemporalServerPorts } from './temporal-server';

/**
 * Production's shape on one machine, without Docker (`npm run start:production`): the real Temporal
 * server (built from source, dev/temporal-server.ts) on PostgreSQL with SQL visibility, the ledger in
 * its own database and role on the same PostgreSQL (as docker-compose.yml has it), two workers and two
 * API processes with NODE_ENV=production and every production setting, and the SMTP catcher and Zoho
 * sandbox that `npm start` uses in place of the outside world. Every process is separate and can be
 * stopped and started on its own (a rolling restart); one that dies on its own is started again, as a
 * supervisor would. Secrets are generated for this folder on first use and kept in
 * `<dir>/secrets.json`: throwaway values for a local topology, never real ones.
 */

const root = resolve(__dirname, '..');
const NAMESPACE = 'default';
/** Roles on the local PostgreSQL, as docker-compose.yml names them (Temporal's and the ledger's). */
const TEMPORAL_DB_USER = 'temporal';
const LEDGER_DB_USER = 'seguimiento';
const LEDGER_DB = 'seguimiento';
/** The PostgreSQL superuser dev/postgres.ts creates; it only listens on 127.0.0.1. */
export const SUPERUSER = { user: 'postgres', password: 'postgres' };
export const ADMIN_EMAIL = 'direccion@example.com';
export const MAIL_DOMAIN = 'example.com';
/** Links in mail and session cookies need https in production; nothing answers here, it is a local stand-in. */
export const PUBLIC_URL = 'https://seguimiento.localhost';

/** Generated once per folder: every secret production requires, each its own and 64 characters long. */
export interface TopologySecrets {
  API_KEY: string;
  WEB_FORM_SECRET: string;
  ZOHO_WEBHOOK_SECRET: string;
  INBOUND_EMAIL_WEBHOOK_SECRET: string;
  UNSUBSCRIBE_SECRET: string;
  SESSION_SECRET: string;
  ADMIN_PASSWORD: string;
  TEMPORAL_DB_PASSWORD: string;
  SEGUIMIENTO_DB_PASSWORD: string;
  /** PKCS#8 PEM, one line with \n escapes, as an operator puts it in .env. */
  DKIM_PRIVATE_KEY: string;
}

function loadOrCreateSecrets(dir: string): TopologySecrets {
  const file = join(dir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as TopologySecrets;
  const hex = () => randomBytes(32).toString('hex');
  const secrets: TopologySecrets = {
    API_KEY: hex(), WEB_FORM_SECRET: hex(), ZOHO_WEBHOOK_SECRET: hex(), INBOUND_EMAIL_WEBHOOK_SECRET: hex(), UNSUBSCRIBE_SECRET: hex(), SESSION_SECRET: hex(),
    ADMIN_PASSWORD: hex(), TEMPORAL_DB_PASSWORD: hex(), SEGUIMIENTO_DB_PASSWORD: hex(),
    DKIM_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replaceAll('\n', '\\n'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

export interface TopologyPorts {
  postgres: number;
  smtp: number;
  mailApi: number;
  zoho: number;
  temporal: TemporalServerPorts;
  apis: number[];
}

/**
 * The ports of the folder's last start when they are all still free (the API addresses stay put, and
 * Temporal finds its cluster where it left it), else new free ones; kept in `<dir>/ports.json`.
 */
async function choosePorts(dir: string, apis: number): Promise<TopologyPorts> {
  const file = join(dir, 'ports.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as TopologyPorts;
    const all = [saved.postgres, saved.smtp, saved.mailApi, saved.zoho, ...Object.values(saved.temporal), ...saved.apis];
    if (saved.apis.length === apis && (await Promise.all(all.map(canListen))).every(Boolean)) return saved;
  }
  const temporal = await chooseTemporalPorts();
  const api: number[] = [];
  for (let i = 0; i < apis; i++) api.push(await freePort());
  const ports = { postgres: await freePort(), smtp: await freePort(), mailApi: await freePort(), zoho: await freePort(), temporal, apis: api };
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

export interface ProductionTopologyOptions {
  /** Everything the topology keeps: PostgreSQL's data, caught mail, the Zoho sandbox, secrets. */
  dir: string;
  workers?: number;
  apis?: number;
  /** LEAD_DAY_DURATION: `1d` as in production, or seconds for a demo or a test. */
  dayDuration?: string;
  /** The app's LOG_LEVEL; Temporal's own log is one level quieter than `info`. */
  logLevel?: string;
  temporalLogLevel?: string;
  /** Temporal's log goes to `<dir>/temporal/server.log` instead of the terminal. */
  temporalLogToFile?: boolean;
  /** Settings over the compose file's for the app processes (the scale bench lifts MAIL_DAILY_CAP). */
  environment?: Record<string, string>;
  say?: (message: string) => void;
  /**
   * Runs once PostgreSQL and the roles are there, before Temporal's schemas are applied: a restore
   * (dev/backup.ts) goes here, into databases nothing has written yet. `workers: 0, apis: 0` then
   * start Temporal alone on what was restored.
   */
  afterPostgres?: (superuser: PostgresLogin) => Promise<void>;
}

export class ProductionTopology {
  readonly dir: string;
  readonly secrets: TopologySecrets;
  stopping = false;
  ports!: TopologyPorts;
  build!: TemporalServerBuild & { built: boolean; seconds: number };
  postgres!: Service;
  smtp!: Service;
  zoho!: Service;
  temporal!: Service;
  workers: Service[] = [];
  apis: Service[] = [];
  client!: Client;
  private connection?: Connection;
  private state: StackState;
  /** Seconds each phase of the last start took. */
  readonly timings: Record<string, number> = {};

  constructor(private readonly options: ProductionTopologyOptions) {
    this.dir = resolve(options.dir);
    mkdirSync(this.dir, { recursive: true });
    // PostgreSQL runs as its own user when we are root: it must be able to reach its folder.
    chmodSync(this.dir, 0o755);
    this.secrets = loadOrCreateSecrets(this.dir);
    this.state = { dataDir: this.dir, orchestrator: record(process.pid), services: [] };
  }

  get say(): (message: string) => void {
    return this.options.say ?? ((m: string) => process.stdout.write(`[production] ${m}\n`));
  }

  get services(): Service[] {
    return [this.postgres, this.smtp, this.zoho, this.temporal, ...this.workers, ...this.apis].filter(Boolean);
  }

  apiUrl(i = 0): string {
    return `http://127.0.0.1:${this.ports.apis[i]}`;
  }

  get mailApiUrl(): string {
    return `http://127.0.0.1:${this.ports.mailApi}`;
  }

  get mailDir(): string {
    return join(this.dir, 'mail');
  }

  get zohoUrl(): string {
    return `http://127.0.0.1:${this.ports.zoho}`;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal.frontend}`;
  }

  get databaseUrl(): string {
    return `postgres://${LEDGER_DB_USER}:${this.secrets.SEGUIMIENTO_DB_PASSWORD}@127.0.0.1:${this.ports.postgres}/${LEDGER_DB}`;
  }

  /** The PostgreSQL superuser, as `npm run backup -- --dir <dir>` logs in. */
  get superuserLogin(): PostgresLogin {
    return { host: '127.0.0.1', port: this.ports.postgres, ...SUPERUSER };
  }

  private get temporalLogin(): PostgresLogin {
    return { host: '127.0.0.1', port: this.ports.postgres, user: TEMPORAL_DB_USER, password: this.secrets.TEMPORAL_DB_PASSWORD };
  }

  /**
   * The app's environment, variable for variable the one docker-compose.yml gives its app services
   * (`x-app-environment`; test/integration/production-topology.test.ts holds them to it). Empty means
   * "the app's default", as in the compose file.
   */
  appEnvironment(): Record<string, string> {
    const s = this.secrets;
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: this.options.logLevel ?? 'info',
      PUBLIC_URL,
      TRUST_PROXY_HOPS: '',
      // Off here: two workers and two APIs share this host, and their ports would collide.
      METRICS_PORT: '',
      WORKER_METRICS_PORT: '',
      // Traces off, as the compose file's default.
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      WORKER_MAX_CACHED_WORKFLOWS: '',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '',
      API_KEY: s.API_KEY,
      API_KEY_PREVIOUS: '',
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_UI_URL: '',
      TEMPORAL_API_KEY: '',
      TEMPORAL_TLS_CERT: '',
      TEMPORAL_TLS_KEY: '',
      TEMPORAL_TLS_CA: '',
      TEMPORAL_TLS_SERVER_NAME: '',
      DATABASE_URL: this.databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${this.ports.smtp}`,
      MAIL_FROM: `Seguimiento <seguimiento@${MAIL_DOMAIN}>`,
      DKIM_DOMAIN: '',
      DKIM_SELECTOR: 'local',
      DKIM_PRIVATE_KEY: s.DKIM_PRIVATE_KEY,
      DKIM_DISABLED: '',
      MAIL_REPLY_TO: '',
      MAIL_DAILY_CAP: '',
      DIRECTOR_EMAIL: `director@${MAIL_DOMAIN}`,
      LEAD_DAY_DURATION: this.options.dayDuration ?? '',
      MAX_TOUCHES_PER_WEEK: '',
      ZOHO_STATUS_MAP: '',
      WEB_FORM_SECRET: s.WEB_FORM_SECRET,
      WEB_FORM_SECRET_PREVIOUS: '',
      ZOHO_WEBHOOK_SECRET: s.ZOHO_WEBHOOK_SECRET,
      ZOHO_WEBHOOK_SECRET_PREVIOUS: '',
      INBOUND_EMAIL_WEBHOOK_SECRET: s.INBOUND_EMAIL_WEBHOOK_SECRET,
      INBOUND_EMAIL_WEBHOOK_SECRET_PREVIOUS: '',
      UNSUBSCRIBE_SECRET: s.UNSUBSCRIBE_SECRET,
      UNSUBSCRIBE_SECRET_PREVIOUS: '',
      SESSION_SECRET: s.SESSION_SECRET,
      SESSION_SECRET_PREVIOUS: '',
      ZOHO_ACCOUNTS_URL: this.zohoUrl,
      ZOHO_API_DOMAIN: this.zohoUrl,
      ZOHO_CLIENT_ID: SANDBOX_CREDENTIALS.clientId,
      ZOHO_CLIENT_SECRET: SANDBOX_CREDENTIALS.clientSecret,
      ZOHO_REFRESH_TOKEN: SANDBOX_CREDENTIALS.refreshToken,
      ZOHO_WEB_URL: '',
      ADMIN_EMAIL,
      ADMIN_PASSWORD: s.ADMIN_PASSWORD,
      ROUTING_RULES: '',
      COMPANY_TIME_ZONE: '',
      MONTHLY_COST_PER_EXECUTIVE: '',
      COURSE_PRICES: '',
      DEFAULT_COURSE_PRICE: '',
      BASELINE_CONVERSION_RATE: '',
      GOAL_NEW_LEADS_CONTACTED_PER_DAY: '',
      GOAL_REACTIVATIONS_PER_WEEK: '',
      GOAL_NEXT_STEP_PERCENT: '',
    };
  }

  /** Only what the topology sets reaches the app: nothing of the caller's shell (a DATABASE_URL, DEV_* ports). */
  processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? this.dir, ...this.appEnvironment(), ...this.options.environment, ...extra };
  }

  private typescript(name: string, file: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): ServiceProcess {
    // With the orphan guard loaded first, as `npm start` runs them: they stop when the topology's process dies.
    const [command, commandArgs] = nodeCommand(resolve(root, file), ...args);
    const p = new ServiceProcess({ name, command, args: commandArgs, env, dataDir: this.dir });
    this.remember(name, p);
    return p;
  }

  /** `<dir>/npm-start.json`, as `npm start` keeps it: the next start stops whatever an abrupt end left. */
  private remember(name: string, p: ServiceProcess): void {
    this.state.services = [...this.state.services.filter((s) => s.name !== name), { name, pid: p.pid, startTime: p.startTime, ports: {} }];
    writeState(this.state);
  }

  private service(name: string, spawnIt: () => ServiceProcess, ready: (p: ServiceProcess) => Promise<void>): Service {
    return new Service(name, spawnIt, ready, this);
  }

  private async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const began = Date.now();
    try {
      return await work();
    } finally {
      this.timings[phase] = Math.round((Date.now() - began) / 100) / 10;
    }
  }

  async start(): Promise<void> {
    const began = Date.now();
    writeState(this.state);
    this.build = await this.timed('temporal server build or reuse', () => ensureTemporalServer({ say: this.say }));
    const workers = this.options.workers ?? 2;
    const apis = this.options.apis ?? 2;
    this.ports = await choosePorts(this.dir, apis);

    // The stand-ins and PostgreSQL depend on nothing: they start together.
    await this.timed('postgres, smtp, zoho', async () => {
      this.postgres = this.service('postgres', () => this.typescript('postgres', 'dev/postgres.ts', ['--dir', join(this.dir, 'postgres'), '--port', String(this.ports.postgres)]),
        // Ready once dev/postgres.ts has created the ledger's database too.
        (p) => p.waitUntil('PostgreSQL answered a query', () => this.superuserQuery('SELECT 1', [], LEDGER_DB), 120_000));
      this.smtp = this.service('smtp', () => this.typescript('smtp', 'dev/smtp-catcher/main.ts', [
        '--smtp-port', String(this.ports.smtp), '--http-port', String(this.ports.mailApi), '--dir', this.mailDir,
      ]), (p) => p.waitUntil('its mail API accepted a connection', () => tcpAnswers(this.ports.mailApi), 60_000));
      this.zoho = this.service('zoho', () => this.typescript('zoho', 'dev/zoho-sandbox/main.ts', [
        '--port', String(this.ports.zoho), '--state', join(this.dir, 'zoho-sandbox.json'),
        '--client-id', SANDBOX_CREDENTIALS.clientId, '--client-secret', SANDBOX_CREDENTIALS.clientSecret, '--refresh-token', SANDBOX_CREDENTIALS.refreshToken,
      ]), (p) => p.waitUntil('it answered HTTP', () => httpAnswers(`${this.zohoUrl}/__sandbox/faults`), 60_000));
      await Promise.all([this.postgres.start(), this.smtp.start(), this.zoho.start()]);
      await this.ensureRoles();
      await this.options.afterPostgres?.(this.superuserLogin);
    });

    await this.timed('temporal schemas', () => prepareTemporalSchemas(this.build, this.temporalLogin));
    await this.timed('temporal server', async () => {
      const args = writeServerConfig(join(this.dir, 'temporal'), {
        login: this.temporalLogin, ports: this.ports.temporal, logLevel: this.options.temporalLogLevel ?? 'warn',
        ...(this.options.temporalLogToFile ? { logFile: join(this.dir, 'temporal', 'server.log') } : {}),
      });
      // A Go binary cannot load the orphan guard: dev/supervise.ts runs it and stops it for us.
      this.temporal = this.service('temporal', () => this.typescript('temporal', 'dev/supervise.ts', [this.build.server, ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? this.dir }), async (p) => {
        await p.waitUntil('Temporal answered GetSystemInfo', () => this.temporalAnswers(), 120_000);
        this.connection ??= await Connection.connect({ address: this.temporalAddress, connectTimeout: '5s' });
        await ensureNamespace(this.connection, NAMESPACE);
        await temporalServes(this.connection, NAMESPACE, TASK_QUEUE);
      });
      await this.temporal.start();
      this.client = new Client({ connection: this.connection!, namespace: NAMESPACE });
    });

    await this.timed('workers and APIs', async () => {
      for (let i = 1; i <= workers; i++) this.workers.push(this.workerService(`worker-${i}`));
      this.ports.apis.forEach((port, i) => this.apis.push(this.apiService(`api-${i + 1}`, port)));
      await Promise.all([...this.workers, ...this.apis].map((s) => s.start()));
    });
    this.timings.total = Math.round((Date.now() - began) / 100) / 10;
  }

  private workerService(name: string): Service {
    return this.service(name, () => this.typescript(name, 'workers/main.ts', [], this.processEnv()),
      (p) => p.waitUntil(`it polled the "${TASK_QUEUE}" task queue`, () => this.workerPolls(p), 180_000));
  }

  private apiService(name: string, port: number): Service {
    return this.service(name, () => this.typescript(name, 'api/main.ts', [], this.processEnv({ PORT: String(port) })),
      (p) => p.waitUntil('/health/ready said ready', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok, 120_000));
  }

  /** Temporal's role (it owns its two databases) and the ledger's own role and database, as deploy/postgres/initdb makes them. */
  private async ensureRoles(): Promise<void> {
    const s = this.secrets;
    const role = async (name: string, password: string, options: string) => {
      const { rowCount } = await this.superuserQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      // Passwords are hex: safe inside a quoted literal.
      await this.superuserQuery(`${rowCount ? 'ALTER' : 'CREATE'} ROLE "${name}" WITH LOGIN ${options} PASSWORD '${password}'`);
    };
    await role(TEMPORAL_DB_USER, s.TEMPORAL_DB_PASSWORD, 'CREATEDB');
    await role(LEDGER_DB_USER, s.SEGUIMIENTO_DB_PASSWORD, '');
    // dev/postgres.ts created the ledger's database; the ledger's role owns it.
    await this.superuserQuery(`ALTER DATABASE "${LEDGER_DB}" OWNER TO "${LEDGER_DB_USER}"`);
  }

  private async superuserQuery(text: string, values: unknown[] = [], database = 'postgres'): Promise<{ rowCount: number | null }> {
    const client = new PgClient({ host: '127.0.0.1', port: this.ports.postgres, ...SUPERUSER, database, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.query(text, values);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async temporalAnswers(): Promise<boolean> {
    const connection = await Connection.connect({ address: this.temporalAddress, connectTimeout: '2s' });
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
  async workerPolls(p: ServiceProcess): Promise<boolean> {
    return (await workerPolls(this.client.connection, { namespace: NAMESPACE, isOurs: (identity) => identity.startsWith(`${p.pid}@`), who: `pid ${p.pid}` })) === null;
  }

  /** Stops everything, last started first: the APIs and workers drain before Temporal and PostgreSQL go. */
  async stop(): Promise<void> {
    this.stopping = true;
    const [postgres, smtp, zoho, temporal] = [this.postgres, this.smtp, this.zoho, this.temporal];
    await Promise.all([...this.apis, ...this.workers].map((s) => s.stop('the topology stopped').catch(() => undefined)));
    await this.connection?.close().catch(() => undefined);
    for (const s of [temporal, zoho, smtp, postgres]) await s?.stop('the topology stopped').catch(() => undefined);
    removeState(this.dir);
  }

  /** Last resort on an abrupt exit: nothing started here outlives the process. */
  killAll(): void {
    for (const s of this.services) if (s.running) s.process!.kill();
  }
}
