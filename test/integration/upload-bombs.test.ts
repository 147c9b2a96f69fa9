import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { bombs, goodCsv, goodXlsx, type BombName } from '../support/lead-file-bombs';
import { freePort, startTestPostgres, type TestPostgres } from '../support/postgres';

/**
 * The real API process, sent lead files built to exhaust it: each is refused with a 400 naming the
 * limit it crossed, the process stays up, and its peak memory (VmHWM) stays bounded. The numbers are
 * printed so that a change which makes a bomb costlier shows up before it fails.
 */

const API_KEY = 'upload-bombs-test-api-key-0000000000000001';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Far below what a host kills for, far above what the API needs: a bomb that got through would cross it by gigabytes. */
const MAX_PEAK_MB = 400;

let postgres: TestPostgres | undefined;
let api: ChildProcess | undefined;
let port = 0;
let url = '';
let output = '';
const peaks: Record<string, number> = {};

/** The high-water mark of the process's resident memory, in MB. */
function peakMb(): number {
  const status = readFileSync(`/proc/${String(api!.pid)}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
}

async function waitForHealth(): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (api!.exitCode !== null) throw new Error(`The API exited with ${String(api!.exitCode)}: ${output.slice(-2000)}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The API did not answer /healthz within 60 s: ${output.slice(-2000)}`);
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  port = await freePort();
  const closedPort = await freePort();
  // `node --import tsx` rather than the tsx binary: one process, so its pid is the API's and /proc/<pid> its memory.
  api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'development',
      PORT: String(port),
      DATABASE_URL: postgres.databaseUrl,
      // Nothing listens there: the API connects to Temporal lazily, and these requests never reach it.
      TEMPORAL_ADDRESS: `127.0.0.1:${String(closedPort)}`,
      API_KEY,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  api.stdout!.on('data', (c) => (output += String(c)));
  api.stderr!.on('data', (c) => (output += String(c)));
  url = `http://127.0.0.1:${String(port)}`;
  await waitForHealth();
  peaks.started = peakMb();
}, 120_000);

afterAll(async () => {
  if (api && api.exitCode === null) {
    const exited = new Promise((r) => api!.once('exit', r));
    api.kill('SIGTERM');
    await exited;
  }
  await postgres?.stop();
  console.log(`API peak memory (VmHWM, MB): ${JSON.stringify(peaks)}`);
});

const post = (file: Buffer, way: 'raw' | 'multipart', type: 'csv' | 'xlsx', query = '') => {
  const req = request(url).post(`/api/leads/import${query}`).set('Authorization', `Bearer ${API_KEY}`);
  if (way === 'multipart') return req.attach('file', file, `leads.${type}`);
  return req.set('Content-Type', type === 'csv' ? 'text/csv' : XLSX).send(file);
};

/** The inodes of the sockets listening on `port`, from the kernel's tables (IPv4 and IPv6). */
function listeningSockets(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address is "ADDR:PORT"; state 0A is LISTEN; the inode is the tenth column.
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
      .map((cols) => cols[9] ?? ''),
  );
}

test('the pid measured is the process that holds the listening socket', () => {
  const pid = String(api!.pid);
  expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('api/main.ts');
  const sockets = listeningSockets(port);
  expect(sockets.length).toBeGreaterThan(0);
  const held = readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
  expect(sockets.some((inode) => held.includes(`socket:[${inode}]`))).toBe(true);
  // tsx's esbuild service runs as a child; it holds no request data, so the parent's peak is the one that matters.
  const children = readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean));
  console.log(`API pid ${pid}; children: ${children.map((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').join(' ').trim()).join('; ') || 'none'}`);
});

test('a normal import of 5,000 leads, as CSV and as Excel, raw and multipart (dry run)', async () => {
  const started = Date.now();
  for (const [type, file] of [['csv', goodCsv()], ['xlsx', await goodXlsx()]] as const) {
    for (const way of ['raw', 'multipart'] as const) {
      const res = await post(file, way, type, '?dryRun=true');
      expect(res.status).toBe(200);
      expect(res.body.summary).toMatchObject({ created: 5000, invalid: 0 });
    }
  }
  peaks.afterNormalImports = peakMb();
  console.log(`4 normal imports of 5,000 leads: ${String(Date.now() - started)} ms, peak ${String(peaks.afterNormalImports)} MB`);
}, 120_000);

const cases = (Object.keys(bombs) as BombName[]).flatMap((name) => (['raw', 'multipart'] as const).map((way) => [name, way] as const));

test.each(cases)('%s sent %s: 400 naming the limit, and the API stays up', async (name, way) => {
  const { file, limit } = bombs[name];
  const content = await file();
  const started = Date.now();
  const res = await post(content, way, name.startsWith('csv') ? 'csv' : 'xlsx');
  const took = Date.now() - started;
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body.message).toMatch(limit);
  await request(url).get('/healthz').expect(200);
  peaks[`${name}/${way}`] = peakMb();
  console.log(`${name} (${String(content.length)} bytes) ${way}: ${String(took)} ms, peak ${String(peaks[`${name}/${way}`])} MB`);
}, 60_000);

test(`the API's peak memory stays below ${String(MAX_PEAK_MB)} MB through every bomb`, () => {
  expect(api!.exitCode).toBeNull();
  expect(peakMb()).toBeLessThan(MAX_PEAK_MB);
});
