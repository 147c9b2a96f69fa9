import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { parse as parseYaml } from 'yaml';
import { Accounts } from '../../api/web/accounts';
import { selectCadence, stepFor, type Channel } from '../../domain/cadence';
import { touchKeyOfMessageId } from '../../domain/ids';
import type { Country } from '../../domain/lead';
import type { LeadState } from '../../domain/lead-state';
import { DEV_API_KEY } from '../../config';
import { SandboxControl } from '../../dev/chaos/controls';
import { Mailbox } from '../../dev/chaos/mailbox';
import { recordKeyOf } from '../../dev/chaos/tally';
import { ProductionTopology } from '../../dev/production-topology';
import { builtVersion, DYNAMIC_CONFIG_FILE, ensureTemporalServer, GoMissing, TEMPORAL_SERVER_VERSION, TEMPORAL_DATABASES } from '../../dev/temporal-server';
import { eventually } from '../support/stack';

/**
 * Production's topology, started as `npm run start:production` starts it (dev/production-topology.ts):
 * the real Temporal server (built from source, pinned to docker-compose.yml's version) on PostgreSQL
 * with SQL visibility, two workers and two API processes with NODE_ENV=production and generated
 * production secrets, the SMTP catcher and the Zoho sandbox. Leads are enrolled through one API and
 * read through the other, and walk their whole cadence on a five-second day while one worker is
 * stopped and started again (a rolling restart). What counts is what left: mail as the SMTP catcher
 * received it (by Message-ID) and tasks as the Zoho sandbox holds them (by the touch key they carry).
 *
 * The server is built once into .tools/temporal-server/ (`npm test`'s pretest builds it when Go is
 * there); should it be missing, the first run builds it here, which takes minutes.
 */
const root = resolve(__dirname, '../..');
const DAY = '5s';
const DAY_MS = 5_000;
const EXECUTIVE = 'ejecutiva.produccion@empresa.example';

let dir: string;
let topology: ProductionTopology;
let pool: Pool;
const log: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seguimiento-production-'));
  topology = new ProductionTopology({ dir, dayDuration: DAY, logLevel: 'warn', temporalLogLevel: 'warn', temporalLogToFile: true, say: (m) => log.push(m) });
  try {
    await topology.start();
  } catch (err) {
    const serverLog = join(dir, 'temporal', 'server.log');
    const tail = existsSync(serverLog) ? readFileSync(serverLog, 'utf8').split('\n').slice(-40).join('\n') : '(no server log)';
    throw new Error(`the topology did not start: ${(err as Error).message}\n${log.join('\n')}\nTemporal's log ends:\n${tail}`);
  }
  console.log(`production topology ready in ${topology.timings.total} s: ${JSON.stringify(topology.timings)}`);
  pool = new Pool({ connectionString: topology.databaseUrl, max: 2 });
  // The executive who takes the leads, with room for all of them.
  await new Accounts(pool).create({ email: EXECUTIVE, name: 'Ejecutiva de producción', role: 'executive', password: 'production-executive-password' });
  await pool.query('UPDATE users SET cap = 1000 WHERE email = $1', [EXECUTIVE]);
}, 20 * 60_000);

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await topology?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const api = (i: number) => ({
  async call(method: string, path: string, body?: unknown, key = topology.secrets.API_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${topology.apiUrl(i)}${path}`, {
      method, headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  },
});

const COUNTRIES: Country[] = ['CO', 'MX', 'PE', 'CL', 'AR', 'ES'];
/** Six people: b2c and b2b, with and without a phone or a LinkedIn profile, so calls, LinkedIn tasks and the emails that replace them all happen. */
const people = COUNTRIES.map((country, i) => ({
  firstName: ['Valentina', 'Mateo', 'Camila', 'Santiago', 'Lucía', 'Joaquín'][i]!,
  lastName: 'Producción',
  email: `produccion-${i}@leads.example.com`,
  country,
  profile: i % 3 === 2 ? ('b2b' as const) : ('b2c' as const),
  course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01' },
  source: 'api',
  ...(i % 2 === 0 ? { phone: `+57 300 000 000${i}` } : {}),
  ...(i < 3 ? { linkedinUrl: `https://www.linkedin.com/in/produccion-${i}` } : {}),
  ...(i % 3 === 2 ? { company: `Empresa ${i}`, jobTitle: 'Gerente de TI' } : {}),
}));

/** Enrolled while the second worker is away. */
const latePeople = [0, 1, 2].map((i) => ({ ...people[i]!, firstName: `${people[i]!.firstName} Tarde`, email: `produccion-tarde-${i}@leads.example.com` }));

/** The channels of each lead's cadence as it will live them, from the published cadence, not from the workflow. */
const planOf = (person: (typeof people)[number]): Channel[] =>
  selectCadence({ profile: person.profile, country: person.country, courseCode: person.course.code }).steps.map((step) => stepFor(person, step).channel);

const cadenceTouches = (state: LeadState) => state.touches.filter((t) => t.kind === 'cadence');
/** Every step of its cadence has happened: emails sent, call and LinkedIn tasks handed to Zoho (worked or not). */
const finished = (state: LeadState, plan: Channel[]) => {
  const touches = cadenceTouches(state);
  return touches.length === plan.length && touches.every((t) => (t.channel === 'email' ? t.status === 'done' : t.status === 'due' || t.status === 'missed' || t.status === 'done'));
};

async function tasksByKey(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const task of await new SandboxControl(topology.zohoUrl).records('Tasks')) {
    const key = recordKeyOf(task) ?? `(task ${String(task.id)} without a key)`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function mailsByKey(mailbox: Mailbox): Map<string, { count: number; at: number[] }> {
  const byKey = new Map<string, { count: number; at: number[] }>();
  for (const m of mailbox.scan()) {
    const key = (m.messageId && touchKeyOfMessageId(m.messageId)) ?? `(${m.subject} without our Message-ID)`;
    const entry = byKey.get(key) ?? { count: 0, at: [] };
    entry.count += 1;
    entry.at.push(m.receivedAt);
    byKey.set(key, entry);
  }
  return byKey;
}

type Person = (typeof people)[number];
type Worker = ProductionTopology['workers'][number];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Enrols through one API process and reads each lead back through the other. */
async function enrol(persons: Person[], via: number, readVia: number): Promise<{ leadId: string; person: Person }[]> {
  const enrolled: { leadId: string; person: Person }[] = [];
  for (const person of persons) {
    const res = await api(via).call('POST', '/api/leads', person);
    expect(res.status).toBe(201);
    enrolled.push({ leadId: String(res.body.leadId), person });
  }
  for (const { leadId, person } of enrolled) {
    const res = await api(readVia).call('GET', `/api/leads/${leadId}`);
    expect(res.status).toBe(200);
    expect((res.body as unknown as LeadState).lead.email).toBe(person.email);
  }
  return enrolled;
}

/** Resolves once every lead has at least `count` mails in the catcher. */
async function mailsArrived(mailbox: Mailbox, leadIds: string[], count: number, timeoutMs = 120_000): Promise<void> {
  await eventually(async () => {
    const keys = [...mailsByKey(mailbox).keys()];
    for (const leadId of leadIds) {
      const got = keys.filter((k) => k.startsWith(`${leadId}:`)).length;
      if (got < count) throw new Error(`${leadId} has ${got} of ${count} mails`);
    }
  }, timeoutMs);
}

/** One step of a rolling restart: the worker drains and stops (SIGTERM), `work` runs without it, then it starts again. */
async function replace(worker: Worker, other: Worker, work: () => Promise<void>): Promise<{ from: number; to: number }> {
  const from = Date.now();
  await worker.stop('rolling restart');
  expect({ stopped: worker.name, running: worker.running, other: other.running }).toEqual({ stopped: worker.name, running: false, other: true });
  await work();
  await worker.start();
  expect(await topology.workerPolls(worker.process!)).toBe(true);
  return { from, to: Date.now() };
}

test('leads enrolled through one API and read through the other walk their cadence across a rolling restart of the workers: every touch once', async () => {
  const began = Date.now();
  const mailbox = new Mailbox(topology.mailDir);
  // Production refuses the public development key: these really are production processes.
  expect((await api(0).call('GET', '/api/leads', undefined, DEV_API_KEY)).status).toBe(401);
  for (const i of [0, 1]) expect((await api(i).call('GET', '/health/ready')).body).toEqual({ status: 'ready', checks: { temporal: 'ok', postgres: 'ok' } });

  const [first, second] = topology.workers as [Worker, Worker];
  const leads = await enrol(people.slice(0, 6), 0, 1);
  await mailsArrived(mailbox, leads.map((l) => l.leadId), 1);
  // The first worker goes for two cadence days: the second alone moves the leads on (their day-1 to day-3 touches).
  const firstAway = await replace(first, second, async () => void (await sleep(2 * DAY_MS)));
  // Then the second goes, and leads enrolled meanwhile get their welcome from the restarted first alone.
  let late: { leadId: string; person: Person }[] = [];
  const secondAway = await replace(second, first, async () => {
    late = await enrol(latePeople, 1, 0);
    await mailsArrived(mailbox, late.map((l) => l.leadId), 1);
  });
  leads.push(...late);

  const states = await eventually(async () => {
    const all: LeadState[] = [];
    for (const { leadId, person } of leads) {
      const res = await api(1).call('GET', `/api/leads/${leadId}`);
      const state = res.body as unknown as LeadState;
      if (res.status !== 200 || !finished(state, planOf(person))) throw new Error(`${leadId} is not through its cadence yet: ${JSON.stringify(cadenceTouches(state).map((t) => `${t.channel}:${t.status}`))}`);
      all.push(state);
    }
    return all;
  }, 6 * 60_000);
  // Nothing more is due for a day or two: what is counted now is what the cadence left.
  await sleep(DAY_MS);

  const mails = mailsByKey(mailbox);
  const tasks = await tasksByKey();
  const missing: string[] = [];
  const doubled: string[] = [];
  let expectedMails = 0;
  let expectedTasks = 0;
  for (const [i, state] of states.entries()) {
    const { leadId, person } = leads[i]!;
    // The workflow walked the published cadence, with the replacements this person's contact data calls for.
    expect({ leadId, channels: cadenceTouches(state).map((t) => t.channel) }).toEqual({ leadId, channels: planOf(person) });
    for (const touch of state.touches.filter((t) => t.kind === 'welcome' || t.kind === 'cadence')) {
      if (touch.channel === 'email') {
        expectedMails++;
        const count = mails.get(touch.key)?.count ?? 0;
        if (count === 0) missing.push(`mail ${touch.key}`);
        if (count > 1) doubled.push(`mail ${touch.key} ×${count}`);
      } else {
        expectedTasks++;
        const count = tasks.get(touch.key) ?? 0;
        if (count === 0) missing.push(`Zoho task ${touch.key}`);
        if (count > 1) doubled.push(`Zoho task ${touch.key} ×${count}`);
      }
    }
  }
  // Over everything that left, touches or not: no Message-ID twice, no task key twice.
  for (const [key, { count }] of mails) if (count > 1 && !doubled.includes(`mail ${key} ×${count}`)) doubled.push(`mail ${key} ×${count}`);
  for (const [key, count] of tasks) if (count > 1 && !doubled.includes(`Zoho task ${key} ×${count}`)) doubled.push(`Zoho task ${key} ×${count}`);
  expect({ missing, doubled }).toEqual({ missing: [], doubled: [] });
  expect(expectedMails).toBeGreaterThanOrEqual(leads.length * 2);
  expect(expectedTasks).toBeGreaterThanOrEqual(3);

  // While one worker was away the other kept the leads moving.
  const during = ({ from, to }: { from: number; to: number }) => [...mails.values()].flatMap((m) => m.at).filter((at) => at > from && at < to).length;
  expect(during(firstAway)).toBeGreaterThan(0);
  expect(during(secondAway)).toBeGreaterThanOrEqual(late.length);
  const secs = ({ from, to }: { from: number; to: number }) => ((to - from) / 1000).toFixed(1);
  console.log(
    `production topology: ${leads.length} leads, ${expectedMails} touch mails and ${expectedTasks} Zoho tasks, each once; ` +
      `worker-1 away ${secs(firstAway)} s (${during(firstAway)} mails meanwhile), worker-2 away ${secs(secondAway)} s (${during(secondAway)} mails); ` +
      `test ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
}, 12 * 60_000);

test('the leads are in Temporal on PostgreSQL, filterable by their search attributes through SQL visibility', async () => {
  const found = new Set<string>();
  // Every run of each lead's workflow (a long life continues as new): one workflow id per lead.
  for await (const wf of topology.client.workflow.list({ query: `LeadSource = 'api' AND LeadCountry IN ('CO', 'MX', 'PE', 'CL', 'AR', 'ES')` })) found.add(wf.workflowId);
  const ids = [...found];
  expect(ids.length).toBe(people.length + latePeople.length);
  // The same rows, read from the visibility database itself: nothing here is the dev server's SQLite.
  const visibility = new PgClient({ host: '127.0.0.1', port: topology.ports.postgres, user: 'temporal', password: topology.secrets.TEMPORAL_DB_PASSWORD, database: TEMPORAL_DATABASES.visibility });
  await visibility.connect();
  try {
    const { rows } = await visibility.query<{ workflow_id: string }>('SELECT workflow_id FROM executions_visibility WHERE workflow_id = ANY($1)', [ids]);
    expect(new Set(rows.map((r) => r.workflow_id))).toEqual(new Set(ids));
  } finally {
    await visibility.end();
  }
  const info = await topology.client.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBe(TEMPORAL_SERVER_VERSION);
});

describe('the topology and docker-compose.yml are the same deployment', () => {
  interface ComposeService {
    image?: string;
    environment?: Record<string, unknown>;
    volumes?: string[];
  }
  const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const envNames = (service: string) => Object.keys(compose.services[service]?.environment ?? {}).sort();

  test('the worker and the API get the variables the compose file gives them, no more, no fewer', () => {
    // A variable added on one side only needs its line on the other: dev/production-topology.ts appEnvironment().
    const topologyNames = Object.keys(topology.appEnvironment()).sort();
    for (const service of ['worker', 'temporal-setup']) {
      const compose = envNames(service);
      expect({ service, onlyInCompose: compose.filter((n) => !topologyNames.includes(n)), onlyInTopology: topologyNames.filter((n) => !compose.includes(n)) })
        .toEqual({ service, onlyInCompose: [], onlyInTopology: [] });
    }
    // The API's one addition is its port.
    expect(envNames('api').filter((name) => !topologyNames.includes(name))).toEqual(['PORT']);
  });

  test('the compose Temporal image is the pinned server version, with the same dynamic config', async () => {
    const temporal = compose.services.temporal!;
    expect(temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(await builtVersion(topology.build.server)).toBe(TEMPORAL_SERVER_VERSION);
    expect(basename(String(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH))).toBe(basename(DYNAMIC_CONFIG_FILE));
    expect(temporal.volumes?.some((v) => v.startsWith('./deploy/temporal/dynamicconfig:'))).toBe(true);
    expect(temporal.environment?.DB).toBe('postgres12');
    expect(temporal.environment?.DBNAME).toBe(TEMPORAL_DATABASES.default);
    expect(temporal.environment?.VISIBILITY_DBNAME).toBe(TEMPORAL_DATABASES.visibility);
  });
});

/** workers/healthcheck.ts, as the worker container's healthcheck runs it: exit code and its one line. */
function workerHealthcheck(): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'workers/healthcheck.ts')], { cwd: root, env: topology.processEnv() });
    let output = '';
    child.stdout.on('data', (c) => (output += String(c)));
    child.stderr.on('data', (c) => (output += String(c)));
    child.once('exit', (code) => done({ code, output: output.trim() }));
  });
}

test('an API says it is not ready and a worker is unhealthy while PostgreSQL is away; the API stays live; both recover', async () => {
  const ready = async (i: number) => api(i).call('GET', '/health/ready');
  expect(await workerHealthcheck()).toEqual({ code: 0, output: 'healthy' });
  await topology.postgres.stop('readiness check');
  try {
    const away = await eventually(async () => {
      const res = await ready(0);
      if (res.status !== 503) throw new Error(`still ${res.status}`);
      return res;
    }, 30_000);
    expect(away.body).toMatchObject({ status: 'not ready', checks: { postgres: 'unreachable' } });
    expect((await api(1).call('GET', '/health/live')).status).toBe(200);
    const worker = await workerHealthcheck();
    expect(worker.code).toBe(1);
    expect(worker.output).toMatch(/^unhealthy: .*PostgreSQL unreachable/);
  } finally {
    await topology.postgres.start();
  }
  for (const i of [0, 1]) {
    await eventually(async () => {
      const res = await ready(i);
      if (res.status !== 200) throw new Error(`api-${i + 1} still ${res.status}: ${JSON.stringify(res.body)}`);
    }, 60_000);
  }
  expect(await workerHealthcheck()).toEqual({ code: 0, output: 'healthy' });
}, 180_000);

test('without Go, a server version not built yet is refused with what to install, and nothing is left half-built', async () => {
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'no-go-here');
  try {
    const attempt = ensureTemporalServer({ version: '0.0.0-not-built' });
    await expect(attempt).rejects.toBeInstanceOf(GoMissing);
    await expect(attempt).rejects.toThrow(/Go is not installed \(no `go` on PATH\)\. Install Go 1\.25 or newer/);
  } finally {
    process.env.PATH = path;
  }
  expect(existsSync(join(root, '.tools/temporal-server/0.0.0-not-built'))).toBe(false);
});
