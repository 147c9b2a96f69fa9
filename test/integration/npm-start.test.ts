import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { aLead } from '../support/leads';
import { DEV_ADMIN } from '../../config';
import { Client, Connection } from '@temporalio/client';
import { DAILY_BOTTLENECKS_SCHEDULE, WEEKLY_REPORT_SCHEDULE } from '../../integrations/temporal/schedules';

/**
 * `npm start` as a newcomer runs it: every process comes up, a lead goes in, Ctrl-C stops everything,
 * and a second start finds the lead where it was left.
 */
const root = resolve(__dirname, '../..');
const API_KEY = 'npm-start-test-api-key-0000000000001';
let dataDir: string;
let env: NodeJS.ProcessEnv;
let ports: Record<string, number>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'seguimiento-start-'));
  chmodSync(dataDir, 0o755);
  const names = ['PORT', 'DEV_TEMPORAL_PORT', 'DEV_TEMPORAL_UI_PORT', 'DEV_POSTGRES_PORT', 'DEV_SMTP_PORT', 'DEV_MAIL_API_PORT', 'DEV_ZOHO_PORT'];
  ports = {};
  for (const name of names) ports[name] = await fixedFreePort(Object.values(ports));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|DATABASE_URL|SMTP_URL|ZOHO_|API_KEY|\w*_SECRET|PORT$|DEV_|DATA_DIR|ADMIN_|MAIL_CATCHER_URL)/.test(k)),
  );
  env = { ...inherited, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), API_KEY, DATA_DIR: dataDir, NODE_ENV: 'development', LEAD_DAY_DURATION: '1h' };
});

/**
 * A free port below the ephemeral range (32768 and up on Linux), where the OS never hands out
 * ports on its own: an ephemeral one that is free now may be taken minutes later by any program's
 * outgoing connection or random listener (Temporal's dev server picks several), and npm start
 * would rightly refuse it.
 */
async function fixedFreePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.includes(port)) continue;
    const server = createServer();
    const free = await new Promise<boolean>((ok) => {
      server.once('error', () => ok(false));
      server.listen({ port, exclusive: true }, () => ok(true));
    });
    if (free) {
      await new Promise((ok) => server.close(ok));
      return port;
    }
  }
}

afterAll(() => {
  // Only when a test failed half-way: nothing of its stack may outlive the run.
  for (const line of leftovers()) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  readySeconds: number;
}

async function npmStart(extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const began = Date.now();
  // Its own process group, like a terminal's foreground job, so the test can "press Ctrl-C" on it.
  const child = spawn('npm', ['start'], { cwd: root, env: { ...env, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
async function ctrlC(started: Started, signal: NodeJS.Signals = 'SIGINT'): Promise<string> {
  const closed = new Promise<void>((ok) => started.child.once('close', () => ok()));
  process.kill(-started.child.pid!, signal);
  await closed;
  return started.output().trim().split('\n').pop() ?? '';
}

/** Closing the terminal: SIGHUP to the foreground job, as the shell passes it on. */
const hangUp = (started: Started) => ctrlC(started, 'SIGHUP');

const listening = (port: number) =>
  new Promise<boolean>((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Processes still running whose command line or environment mentions this test's data folder. */
function leftovers(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && !/^\S+ \(.*\) Z /.test(read(`/proc/${p}/stat`)))
    .filter((p) => read(`/proc/${p}/cmdline`).includes(dataDir) || read(`/proc/${p}/environ`).split('\0').some((e) => e.endsWith(`=${dataDir}`)))
    .map((p) => `${p} ${read(`/proc/${p}/cmdline`).replace(/\0/g, ' ').trim()}`);
}

/** What npm start recorded of the stack it runs (its pid first, then each service's, in start order). */
const recorded = () =>
  JSON.parse(readFileSync(join(dataDir, 'npm-start.json'), 'utf8')) as { orchestrator: { pid: number }; services: { name: string; pid: number }[] };

async function allPortsFree(): Promise<boolean> {
  for (const port of Object.values(ports)) if (await listening(port)) return false;
  return true;
}

/** Seconds until nothing of this test's stack runs and every port is free (fails after `limitS`). */
async function secondsUntilAllGone(limitS: number): Promise<number> {
  const began = Date.now();
  while (leftovers().length || !(await allPortsFree())) {
    if (Date.now() - began > limitS * 1000) throw new Error(`still running after ${limitS} s:\n${leftovers().join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return (Date.now() - began) / 1000;
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

test('with LOG_LEVEL=warn it still becomes ready (probes, not log lines), and closing the terminal (SIGHUP) stops everything', async () => {
  const started = await npmStart({ LOG_LEVEL: 'warn' });
  process.stdout.write(`npm start (LOG_LEVEL=warn) ready in ${started.readySeconds.toFixed(1)} s\n`);
  expect(started.output()).not.toMatch(/\[worker\].*INFO/);
  expect((await api('/healthz')).status).toBe(200);
  expect(await hangUp(started)).toBe('[start] stopped (exit code 0)');
  expect(await allPortsFree()).toBe(true);
  expect(leftovers()).toEqual([]);
}, 120_000);

test('when npm start is killed (SIGKILL), every service notices and stops itself within seconds', async () => {
  const started = await npmStart();
  const { orchestrator, services } = recorded();
  expect(services.map((s) => s.name)).toEqual(['temporal', 'postgres', 'smtp', 'zoho', 'worker', 'api']);
  process.kill(orchestrator.pid, 'SIGKILL');
  const seconds = await secondsUntilAllGone(15);
  process.stdout.write(`after SIGKILL of npm start, every service gone and every port free in ${seconds.toFixed(1)} s\n`);
  expect(seconds).toBeLessThan(10);
  await new Promise<void>((ok) => (started.child.exitCode !== null ? ok() : started.child.once('exit', () => ok())));
}, 120_000);

test('a second npm start stops what a killed one left running, and one that finds it still running refuses', async () => {
  const first = await npmStart();
  const { orchestrator, services } = recorded();
  // Kill npm start and the two wrappers that stop Temporal's binary and PostgreSQL's server: those
  // two are left running, with nobody to stop them, as after a `kill -9` of the whole stack.
  for (const pid of [orchestrator.pid, ...services.filter((s) => s.name === 'temporal' || s.name === 'postgres').map((s) => s.pid)]) process.kill(pid, 'SIGKILL');
  await new Promise<void>((ok) => (first.child.exitCode !== null ? ok() : first.child.once('exit', () => ok())));
  for (let i = 0; i < 100 && leftovers().some((p) => /workers\/main|api\/main|smtp-catcher|zoho-sandbox/.test(p)); i++) await new Promise((r) => setTimeout(r, 100));
  const stale = leftovers();
  expect(stale.join('\n')).toMatch(/bin\/postgres -D/);
  expect(stale.join('\n')).not.toMatch(/workers\/main|api\/main|smtp-catcher|zoho-sandbox/);

  const second = await npmStart();
  process.stdout.write(`npm start ready in ${second.readySeconds.toFixed(1)} s, stale stack stopped first\n`);
  try {
    expect(second.output()).toMatch(/\[start\] found services left running by an earlier npm start in .*postgres \(pid \d+\).*stopping them/);
    expect((await api('/healthz')).status).toBe(200);
    // A third one, while the second runs: it names the running one and touches nothing.
    const third = spawnSync('npm', ['start'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(third.status).not.toBe(0);
    expect(third.stdout + third.stderr).toContain(`Seguimiento is already running from this folder (npm start, pid ${recorded().orchestrator.pid})`);
    expect((await api('/healthz')).status).toBe(200);
  } finally {
    expect(await ctrlC(second)).toBe('[start] stopped (exit code 0)');
  }
  expect(leftovers()).toEqual([]);
}, 180_000);

test('a port held by another program: npm start names the port, the process and the variable, and starts nothing', async () => {
  const squatter = createServer();
  await new Promise<void>((ok) => squatter.listen(ports.DEV_ZOHO_PORT, '127.0.0.1', ok));
  try {
    const result = spawnSync('npm', ['start'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    const out = result.stdout + result.stderr;
    expect(result.status).not.toBe(0);
    expect(out).toContain(`port ${ports.DEV_ZOHO_PORT} (DEV_ZOHO_PORT) is taken by pid ${process.pid} (`);
    expect(out).toContain('set DEV_ZOHO_PORT to a free port');
    expect(out).not.toMatch(/^\[(temporal|postgres|smtp|zoho|worker|api)\]/m);
    expect(leftovers()).toEqual([]);
  } finally {
    await new Promise((ok) => squatter.close(ok));
  }
});
