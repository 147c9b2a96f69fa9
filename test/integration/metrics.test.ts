import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { metrics, serveMetrics } from '../../lib/metrics';
import { Routing } from '../../integrations/ledger/routing';
import { workerReadiness } from '../../workers/health';
import { freeLocalPort, SDK_METRICS_UP } from '../../workers/metrics';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';

/**
 * Metrics on the real stack: what a lead's first touches and an outcome leave on /metrics, labelled
 * by channel, result, outcome type and route pattern, with no lead id or address anywhere. Then the
 * worker as production runs it (workers/main.ts with WORKER_METRICS_PORT): the product's counters and
 * the Temporal SDK's own metrics on one scrape.
 */
let stack: Stack;
let server: Awaited<ReturnType<typeof serveMetrics>>;

beforeAll(async () => {
  stack = await startStack();
  server = await serveMetrics({ port: 0, host: '127.0.0.1' });
  const routing = new Routing(stack.ledger.pool);
  metrics.watchLeadsWaiting(() => routing.waitingByPool());
}, 180_000);

afterAll(async () => {
  server?.close();
  await stack?.stop();
});

interface Sample { name: string; labels: Record<string, string>; value: number }

function samplesOf(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const [, name, labels = '', value] = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)!;
    return { name: name!, labels: Object.fromEntries([...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]])), value: Number(value) };
  });
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const auth = { Authorization: `Bearer ${API_KEY}` };

test('a lead enrolled, touched and given an outcome shows on /metrics by channel, result, outcome and route pattern, with no lead id', async () => {
  const before = await scrape(server.port);
  const input = aLead();
  const { body } = await stack.api.post('/api/leads').set(auth).send(input).expect(201);
  const leadId = body.leadId as string;
  await stack.catcher.waitFor((m) => m.envelope.to.includes(input.email));
  await eventually(async () => {
    const { body: s } = await stack.api.get(`/api/leads/${leadId}`).set(auth).expect(200);
    if (!s.touches.some((t: { channel: string; status: string }) => t.channel === 'call' && t.status === 'due')) throw new Error('call not due yet');
  });
  await stack.api.post(`/api/leads/${leadId}/outcomes`).set(auth).set('Idempotency-Key', randomUUID()).send({ type: 'interested' }).expect(200);
  await stack.api.get('/api/leads/L-0000000000000').set(auth).expect(404);
  await stack.api.get(`/api/no-such-thing/${leadId}`).set(auth).expect(404);

  const delta = (text: string, name: string, labels: Record<string, string>) => valueOf(text, name, labels) - valueOf(before, name, labels);
  const text = await eventually(async () => {
    const now = await scrape(server.port);
    if (delta(now, 'seguimiento_outcomes_total', { type: 'interested' }) < 1) throw new Error('outcome not counted yet');
    return now;
  });
  expect(delta(text, 'seguimiento_outcomes_total', { type: 'interested' })).toBe(1);
  expect(delta(text, 'seguimiento_touches_total', { channel: 'email', result: 'sent' })).toBeGreaterThanOrEqual(1);
  expect(delta(text, 'seguimiento_touches_total', { channel: 'call', result: 'task_created' })).toBeGreaterThanOrEqual(1);

  const requests = (labels: Record<string, string>) => delta(text, 'seguimiento_http_request_duration_seconds_count', labels);
  expect(requests({ method: 'POST', route: '/api/leads', status: '201' })).toBe(1);
  expect(requests({ method: 'POST', route: '/api/leads/:leadId/outcomes', status: '200' })).toBe(1);
  expect(requests({ method: 'GET', route: '/api/leads/:leadId', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(requests({ method: 'GET', route: '/api/leads/:leadId', status: '404' })).toBe(1);
  expect(requests({ method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  // Buckets too, by the same labels.
  expect(delta(text, 'seguimiento_http_request_duration_seconds_bucket', { route: '/api/leads/:leadId/outcomes', le: '+Inf' })).toBe(1);

  // Only patterns and closed sets as label values: nothing of the lead, nor any other URL.
  const routes = new Set(samplesOf(text).filter((s) => s.name.startsWith('seguimiento_http_')).map((s) => s.labels.route));
  for (const route of routes) expect(route === 'unmatched' || !/L-\d/.test(route!)).toBe(true);
  expect(text).not.toContain(leadId);
  expect(text).not.toContain(input.email);
  expect(text).not.toContain(input.email.split('@')[0]);
  expect(text).toMatch(/^# TYPE seguimiento_leads_waiting_for_capacity gauge$/m);
  // Node's own metrics come along; the public app never serves /metrics.
  expect(valueOf(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  const publicPort = await stack.api.get('/metrics');
  expect(publicPort.text ?? '').not.toContain('seguimiento_touches_total');
  expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
});

test('the worker as production starts it serves its counters and the Temporal SDK\'s metrics on WORKER_METRICS_PORT', async () => {
  // The in-process worker stands aside: the lead's work goes to the worker process.
  await stack.stopWorker();
  const port = await freeLocalPort();
  const root = path.resolve(__dirname, '../..');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? root,
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: String(port),
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
      DATABASE_URL: stack.databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${stack.smtpPort}`,
      ZOHO_ACCOUNTS_URL: stack.zohoUrl,
      // The sandbox's credentials (test/support/stack.ts).
      ZOHO_CLIENT_ID: 'it-client', ZOHO_CLIENT_SECRET: 'it-secret', ZOHO_REFRESH_TOKEN: 'it-refresh',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    // Up once the SDK reports its worker: its pollers or its task slots.
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}): ${stderr}`);
      const text = await scrape(port);
      if (valueOf(text, 'temporal_num_pollers') + valueOf(text, 'temporal_worker_task_slots_available') < 1) throw new Error('the SDK reports no worker yet');
    }, 150_000).catch((err) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${stderr}`);
    });

    // The same port answers /health as the API does (workers/health.ts): live, and ready once this worker polls.
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { status: 'live' } });
    const ready = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const answer = { status: res.status, body: await res.json() };
      if (res.status !== 200) throw new Error(`not ready yet: ${JSON.stringify(answer)}`);
      return answer;
    }, 60_000);
    expect(ready).toEqual({ status: 200, body: { status: 'ready', checks: { temporal: 'ok', postgres: 'ok', worker: 'ok' } } });

    const input = aLead();
    const { body } = await stack.api.post('/api/leads').set(auth).send(input).expect(201);
    await stack.catcher.waitFor((m) => m.envelope.to.includes(input.email), 90_000);
    const text = await eventually(async () => {
      const now = await scrape(port);
      if (valueOf(now, 'seguimiento_touches_total', { channel: 'email', result: 'sent' }) < 1) throw new Error('no touch counted yet');
      if (valueOf(now, 'temporal_activity_schedule_to_start_latency_count') < 1) throw new Error('no activity latency yet');
      return now;
    });
    // Ours, then the SDK's, in one exposition.
    expect(valueOf(text, SDK_METRICS_UP)).toBe(1);
    expect(valueOf(text, 'temporal_workflow_task_schedule_to_start_latency_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'temporal_workflow_task_schedule_to_start_latency_bucket', { le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^temporal_sticky_cache_size(\{| )/m);
    expect(text).not.toContain(body.leadId);
    expect(text).not.toContain(input.email);
    // Every family once: the two exporters' names never collide.
    const types = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(types.length).toBe(new Set(types).size);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 240_000);

test('a worker not ready says which check fails, with 503; a metrics port without readiness serves no /health', async () => {
  // The API's metrics port (no readiness given) leaves /health to the public port.
  expect((await fetch(`http://127.0.0.1:${server.port}/health/ready`)).status).toBe(404);
  const ready = workerReadiness({ namespace: 'default', pool: { query: () => Promise.reject(new Error('connection refused')) }, started: {} });
  const notReady = await serveMetrics({ port: 0, host: '127.0.0.1', ready });
  try {
    const res = await fetch(`http://127.0.0.1:${notReady.port}/health/ready`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 503, body: { status: 'not ready', checks: { temporal: 'connecting', postgres: 'unreachable', worker: 'starting' } } });
    expect((await fetch(`http://127.0.0.1:${notReady.port}/health/live`)).status).toBe(200);
  } finally {
    notReady.closeAllConnections();
    notReady.close();
  }
});
