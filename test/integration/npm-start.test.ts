import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/postgres';
import { aLead } from '../support/leads';
import { DEV_ADMIN } from '../../config';
import { Client, Connection } from '@temporalio/client';
import { DAILY_BOTTLENECKS_SCHEDULE, WEEKLY_REPORT_SCHEDULE } from '../../integrations/temporal/schedules';

/**
 * `npm start` as a newcomer runs it: every process comes up, a lead goes in, Ctrl-C stops everything,
 * and a second start finds the lead where it was left.
 */
const root = resolve(__dirname, '../..');
const API_KEY = 'npm-start-test-key-0123456789';
let dataDir: string;
let env: NodeJS.ProcessEnv;
let ports: Record<string, number>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'seguimiento-start-'));
  chmodSync(dataDir, 0o755);
  const names = ['PORT', 'DEV_TEMPORAL_PORT', 'DEV_TEMPORAL_UI_PORT', 'DEV_POSTGRES_PORT', 'DEV_SMTP_PORT', 'DEV_MAIL_API_PORT', 'DEV_ZOHO_PORT'];
  ports = {};
  for (const name of names) ports[name] = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|DATABASE_URL|SMTP_URL|ZOHO_|API_KEY|PORT$|DEV_|DATA_DIR|ADMIN_|MAIL_CATCHER_URL)/.test(k)),
  );
  env = { ...inherited, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), API_KEY, DATA_DIR: dataDir, NODE_ENV: 'development', LEAD_DAY_DURATION: '1h' };
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  readySeconds: number;
}

async function npmStart(): Promise<Started> {
  const began = Date.now();
  // Its own process group, like a terminal's foreground job, so the test can "press Ctrl-C" on it.
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (out += String(c)));
  await new Promise<void>((ok, fail) => {
    const timer = setInterval(() => {
      if (out.includes('Seguimiento is ready')) {
        clearInterval(timer);
        ok();
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(timer);
      fail(new Error(`npm start exited with ${code}:\n${out.slice(-4000)}`));
    });
  });
  return { child, output: () => out, readySeconds: (Date.now() - began) / 1000 };
}

/**
 * Like Ctrl-C in a terminal: SIGINT to the whole foreground group. npm itself dies of the signal, as it
 * does in a terminal; what counts is that the product's own process stops everything and exits 0,
 * which its last line says, and that the pipes it held close.
 */
async function ctrlC({ child, output }: Started): Promise<string> {
  const closed = new Promise<void>((ok) => child.once('close', () => ok()));
  process.kill(-child.pid!, 'SIGINT');
  await closed;
  return output().trim().split('\n').pop() ?? '';
}

const listening = (port: number) =>
  new Promise<boolean>((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });

/** Processes still running whose command line mentions this test's data folder. */
function leftovers(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(dataDir));
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${ports.PORT}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json', ...init.headers },
  });

/** Signs in with the development account, as a browser would; answers a page fetcher with the session. */
async function signInAsDevAdmin(): Promise<(path: string) => Promise<string>> {
  const base = `http://127.0.0.1:${ports.PORT}`;
  const login = await fetch(`${base}/login`);
  const preLogin = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const body = new URLSearchParams({ email: DEV_ADMIN.email, password: DEV_ADMIN.password, _csrf: csrf });
  const signedIn = await fetch(`${base}/login`, { method: 'POST', body, headers: { cookie: preLogin }, redirect: 'manual' });
  expect(signedIn.status).toBe(303);
  const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('seg_session='))!.split(';')[0]!;
  return async (path) => {
    const res = await fetch(`${base}${path}`, { headers: { cookie: session }, redirect: 'manual' });
    expect(res.status).toBe(200);
    return res.text();
  };
}

test('npm start brings every service up, takes a lead, stops cleanly on Ctrl-C and resumes where it left off', async () => {
  const first = await npmStart();
  for (const name of ['temporal', 'postgres', 'smtp', 'zoho', 'worker', 'api']) expect(first.output()).toContain(`[${name}]`);
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(true);
  process.stdout.write(`npm start ready in ${first.readySeconds.toFixed(1)} s (first run)\n`);

  const lead = aLead({ country: 'MX' });
  const created = await api('/api/leads', { method: 'POST', body: JSON.stringify(lead) });
  expect(created.status).toBe(201);
  const { leadId } = (await created.json()) as { leadId: string };
  let mails: { envelope: { to: string[] } }[] = [];
  for (let i = 0; i < 100 && !mails.some((m) => m.envelope.to.includes(lead.email)); i++) {
    await new Promise((r) => setTimeout(r, 200));
    mails = ((await (await fetch(`http://127.0.0.1:${ports.DEV_MAIL_API_PORT}/messages`)).json()) as { messages: typeof mails }).messages;
  }
  expect(mails.filter((m) => m.envelope.to.includes(lead.email))).toHaveLength(1);

  expect(await ctrlC(first)).toBe('[start] stopped (exit code 0)');
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  expect(leftovers()).toEqual([]);

  const second = await npmStart();
  process.stdout.write(`npm start ready in ${second.readySeconds.toFixed(1)} s (second run)\n`);
  try {
    const state = await api(`/api/leads/${leadId}`);
    expect(state.status).toBe(200);
    expect(await state.json()).toMatchObject({ leadId, stage: 'contacting', touches: [{ kind: 'welcome', status: 'done' }, { kind: 'cadence', channel: 'call' }] });
    // The same person again after the restart is still the same lead.
    expect((await api('/api/leads', { method: 'POST', body: JSON.stringify(lead) })).status).toBe(200);
    // The director's schedules exist (the worker creates them), as the Temporal UI lists them.
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.DEV_TEMPORAL_PORT}` });
    try {
      const schedules: string[] = [];
      for await (const s of new Client({ connection }).schedule.list()) schedules.push(s.scheduleId);
      expect(schedules.sort()).toEqual([DAILY_BOTTLENECKS_SCHEDULE, WEEKLY_REPORT_SCHEDULE]);
    } finally {
      await connection.close();
    }
    // The web app's first account exists, and its lists and the caught mail show the lead.
    const web = await signInAsDevAdmin();
    expect(await web(`/leads?q=${encodeURIComponent(lead.email)}`)).toContain(`${lead.firstName} ${lead.lastName}`);
    expect(await web('/correo-enviado')).toContain(lead.email);
  } finally {
    expect(await ctrlC(second)).toBe('[start] stopped (exit code 0)');
  }
  expect(leftovers()).toEqual([]);
}, 300_000);

test('a bad setting stops start-up with a message that names the variable', () => {
  const result = spawnSync('npm', ['start'], { cwd: root, env: { ...env, PORT: 'not-a-port', SMTP_URL: 'http://wrong' }, encoding: 'utf8', timeout: 60_000 });
  expect(result.status).not.toBe(0);
  expect(result.stderr + result.stdout).toMatch(/PORT: .*number/);
  expect(result.stderr + result.stdout).toMatch(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
});
