/**
 * N leads asleep on one stack, then all their next touches due at the same instant:
 * 1. N leads enrolled through `POST /api/leads` (the API key, as a lead source sends them), all with
 *    the same `createdAt` a few minutes ahead: the cadence's first touch is due at `createdAt`, so
 *    every lead's touch timer fires at that one instant — the worst case of the 09:00 wave that
 *    business hours make every morning. The leads have no phone, so that touch is an email (the
 *    cadence's "call-request" in place of the call). A cadence day of 12 h keeps everything after it
 *    (the SLA, the second touch) beyond the run.
 * 2. Once every lead sent its welcome mail and booked its touch, and the stack went quiet: the
 *    workers' resident memory (VmRSS) with the leads asleep.
 * 3. At the instant: lateness of each lead's touch, as the ledger records it — the moment the email's
 *    send was claimed (effects.claimed_at, the activity's first act) and the moment the workflow
 *    recorded it sent (lead_events.occurred_at), each minus the planned instant; and how late the
 *    timers themselves fired, from the Temporal history of a sample of leads (TimerFired's time minus
 *    TimerStarted's time plus its timeout).
 * 4. API latency at a fixed rate (an open loop, so a slow answer does not hold back the next
 *    request): GET /api/leads/:id and POST /api/leads/:id/outcomes ("no_answer", which keeps the
 *    touch planned) in turn, first on the quiet stack, then from the instant until the wave drained.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { leadWorkflowId } from '../domain/ids';
import { closedLoop, latencies, type Latencies } from './report';
import { groupCpuSeconds, groupRss, processRss, startStack, type StackKind } from './scale-stacks';

export interface ScaleOptions {
  leads: number;
  /** Enrolment requests in flight. */
  concurrency: number;
  /** API requests a second, during the quiet baseline and the wave. */
  rate: number;
  /** Seconds from the start of enrolment to the wave; by default from the enrolment rate measured here. */
  waveAfterSeconds?: number;
  /** Histories read for the timers' own lateness. */
  historySample: number;
  keep: boolean;
  say: (message: string) => void;
}

export interface ScaleResult {
  kind: StackKind;
  leads: number;
  startSeconds: number;
  enrolment: { seconds: number; ratePerSecond: number; settledSeconds: number; latency: Latencies; failed: number; errors: string[] };
  /** The instant, and whether the stack was asleep before it came. */
  /** Effects (mails, Zoho records) claimed more than once (an attempt timed out) or left unfinished: work the load made harder. */
  wave: { at: string; sleptSeconds: number; drainSeconds: number; touches: number; effectsRetried: number; effectsOpen: number };
  memory: { workersAtStartMiB: number[]; workersAsleepMiB: number[]; workersPeakMiB: number[]; temporalAsleepMiB: number };
  /** CPU seconds the workers (together) and the Temporal server used, per lead enrolled and per touch of the wave. */
  cpu: { workerPerLeadMs: number; temporalPerLeadMs: number; workerPerTouchMs: number; temporalPerTouchMs: number };
  lateness: { claimed: Latencies; sent: Latencies; timerFired: Latencies };
  api: { quiet: { read: Latencies; outcome: Latencies }; wave: { read: Latencies; outcome: Latencies } };
  loadAverage1m: Record<string, number>;
}

/**
 * Leads a second that finish their enrolment steps, assumed when choosing the wave's instant and
 * --wave-after was not given: about 1 on this 2-core machine shared with other work (ten workflow
 * tasks and ten activities each). A faster machine can pass a smaller --wave-after.
 */
const ASSUMED_ENROLMENT_PER_SECOND = 1;
const DAY = '12h';
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function leadBody(tag: string, i: number, createdAt: string) {
  return {
    firstName: 'Valentina', lastName: `Escala ${i}`, email: `scale-${tag}-${i}@leads.example.com`, country: 'CO', profile: 'b2c', createdAt,
    course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01' }, source: 'api',
  };
}

export async function measureScale(kind: StackKind, options: ScaleOptions): Promise<ScaleResult> {
  const { say, leads: n } = options;
  const loadAverage1m: Record<string, number> = { start: loadavg()[0]! };
  const t0 = performance.now();
  say(`${kind}: starting the stack`);
  const stack = await startStack(kind, { dayDuration: DAY, say: (m) => say(`${kind}: ${m}`) });
  let failed = false;
  try {
    const startSeconds = (performance.now() - t0) / 1000;
    const workersAtStartMiB = stack.workerPids().map((p) => mib(processRss(p)));
    const cpuNow = () => ({ workers: stack.workerPids().reduce((s, p) => s + groupCpuSeconds(p), 0), temporal: groupCpuSeconds(stack.temporalPid()) });
    const cpuAtStart = cpuNow();
    say(`${kind}: ready in ${startSeconds.toFixed(0)} s in ${stack.dir}; workers ${workersAtStartMiB.join(', ')} MiB`);
    const headers = { Authorization: `Bearer ${stack.apiKey}`, 'Content-Type': 'application/json' };
    const api = (i: number) => stack.apiUrls[i % stack.apiUrls.length]!;

    // ---- 1. enrolment ------------------------------------------------------------------------------
    const waveAfter = options.waveAfterSeconds ?? Math.max(120, Math.ceil((n / ASSUMED_ENROLMENT_PER_SECOND) * 1.3) + 60);
    const enrolStart = Date.now();
    const waveAt = new Date(Math.ceil((enrolStart + waveAfter * 1000) / 1000) * 1000);
    const wave = waveAt.toISOString();
    const tag = enrolStart.toString(36);
    say(`${kind}: enrolling ${n} leads through POST /api/leads (concurrency ${options.concurrency}); their touches are due at ${wave}`);
    loadAverage1m.enrolment = loadavg()[0]!;
    const ids: string[] = [];
    let lastReport = Date.now();
    const enrol = await closedLoop(n, options.concurrency, async (i) => {
      const res = await fetch(`${api(i)}/api/leads`, { method: 'POST', headers, body: JSON.stringify(leadBody(tag, i, wave)), signal: AbortSignal.timeout(120_000) });
      const body = (await res.json()) as { leadId?: string };
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        say(`${kind}: ${ids.length} enrolled`);
      }
      if ((res.status === 201 || res.status === 200) && body.leadId) ids.push(body.leadId);
      else throw new Error(`${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return true;
    });
    if (ids.length < n * 0.99) throw new Error(`enrolment: only ${ids.length} of ${n} leads enrolled (${enrol.errors.join('; ')})`);
    const enrolSeconds = (Date.now() - enrolStart) / 1000;

    // ---- 2. asleep: welcome sent, touch booked, nothing left to do ---------------------------------
    const settledAt = await settle(stack, ids.length, waveAt, say);
    const settledSeconds = (settledAt - enrolStart) / 1000;
    say(`${kind}: enrolment requests took ${enrolSeconds.toFixed(0)} s, every lead asleep after ${settledSeconds.toFixed(0)} s`);
    if (settledAt > waveAt.getTime() - 20_000) say(`${kind}: WARNING the leads were not all asleep 20 s before the wave; pass a larger --wave-after`);
    // Garbage the enrolment left is collected on V8's schedule; a quiet moment first.
    await sleep(Math.min(20_000, Math.max(0, waveAt.getTime() - Date.now() - 40_000)));
    const workersAsleepMiB = stack.workerPids().map((p) => mib(processRss(p)));
    const cpuAsleep = cpuNow();
    const temporalAsleepMiB = mib(groupRss(stack.temporalPid()));
    say(`${kind}: asleep — workers ${workersAsleepMiB.join(', ')} MiB, Temporal ${temporalAsleepMiB} MiB`);

    // ---- 4a. the API on the quiet stack ------------------------------------------------------------
    const outcomeLeads = ids.slice(0, Math.max(1, Math.floor(ids.length / 10)));
    const quietFor = Math.min(20_000, Math.max(0, waveAt.getTime() - Date.now() - 3_000));
    loadAverage1m.quiet = loadavg()[0]!;
    const quiet = await apiLoad(stack.apiUrls, headers, ids, outcomeLeads, options.rate, () => true, quietFor);

    // ---- 3 and 4b. the wave ------------------------------------------------------------------------
    const asleepFor = (waveAt.getTime() - settledAt) / 1000;
    await sleep(Math.max(0, waveAt.getTime() - Date.now()));
    say(`${kind}: the wave — ${ids.length} touches due now`);
    loadAverage1m.waveStart = loadavg()[0]!;
    let drained = false;
    const drainedAt = (async () => {
      for (;;) {
        const [row] = await stack.sql<{ n: string }>(`SELECT count(*) AS n FROM lead_events WHERE type = 'email_sent' AND data->>'key' LIKE '%:step-1:attempt-1'`);
        const done = Number(row?.n ?? 0);
        if (done >= ids.length) return Date.now();
        if (Date.now() - waveAt.getTime() > 60 * 60_000) throw new Error(`the wave did not drain in an hour (${done} of ${ids.length})`);
        await sleep(1000);
      }
    })().finally(() => (drained = true));
    const duringWave = apiLoad(stack.apiUrls, headers, ids, outcomeLeads.slice().reverse(), options.rate, () => !drained, 60 * 60_000);
    const drainSeconds = ((await drainedAt) - waveAt.getTime()) / 1000;
    const waveApi = await duringWave;
    const cpuAfterWave = cpuNow();
    loadAverage1m.waveEnd = loadavg()[0]!;
    const workersPeakMiB = stack.workerPids().map((p) => mib(processRss(p, 'VmHWM')));
    say(`${kind}: drained in ${drainSeconds.toFixed(1)} s; worker peaks ${workersPeakMiB.join(', ')} MiB`);

    const planned = waveAt.getTime();
    const claimed = await stack.sql<{ ms: string }>(
      `SELECT extract(epoch FROM claimed_at) * 1000 AS ms FROM effects WHERE kind = 'email' AND key LIKE '%:step-1:attempt-1'`);
    const sent = await stack.sql<{ ms: string }>(
      `SELECT extract(epoch FROM occurred_at) * 1000 AS ms FROM lead_events WHERE type = 'email_sent' AND data->>'key' LIKE '%:step-1:attempt-1'`);
    const timerFired = await timerLateness(stack.client, ids, planned, options.historySample);
    const [effects] = await stack.sql<{ retried: string; open: string }>(
      `SELECT count(*) FILTER (WHERE attempts > 1) AS retried, count(*) FILTER (WHERE state <> 'done') AS open FROM effects`);
    return {
      kind, leads: ids.length, startSeconds,
      enrolment: { seconds: enrolSeconds, ratePerSecond: ids.length / enrolSeconds, settledSeconds, latency: latencies(enrol.samples, enrol.failed), failed: enrol.failed, errors: enrol.errors },
      wave: { at: wave, sleptSeconds: asleepFor, drainSeconds, touches: sent.length, effectsRetried: Number(effects?.retried), effectsOpen: Number(effects?.open) },
      memory: { workersAtStartMiB, workersAsleepMiB, workersPeakMiB, temporalAsleepMiB },
      // The wave's share includes the API's outcomes meanwhile (a few a second): small beside N touches.
      cpu: {
        workerPerLeadMs: ((cpuAsleep.workers - cpuAtStart.workers) / ids.length) * 1000, temporalPerLeadMs: ((cpuAsleep.temporal - cpuAtStart.temporal) / ids.length) * 1000,
        workerPerTouchMs: ((cpuAfterWave.workers - cpuAsleep.workers) / sent.length) * 1000, temporalPerTouchMs: ((cpuAfterWave.temporal - cpuAsleep.temporal) / sent.length) * 1000,
      },
      lateness: {
        claimed: latencies(claimed.map((r) => Number(r.ms) - planned)),
        sent: latencies(sent.map((r) => Number(r.ms) - planned)),
        timerFired: latencies(timerFired),
      },
      api: { quiet, wave: waveApi },
      loadAverage1m,
    };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    say(`${kind}: stopping the stack${failed || options.keep ? ` (its data stays in ${stack.dir})` : ''}`);
    await stack.stop(failed || options.keep);
  }
}

/** Resolves (Date.now()) once every lead sent its welcome and booked its touch, and no activity is left running. */
async function settle(stack: Awaited<ReturnType<typeof startStack>>, n: number, waveAt: Date, say: (m: string) => void): Promise<number> {
  let last = '';
  for (;;) {
    const [row] = await stack.sql<{ welcome: string; booked: string; busy: string }>(
      `SELECT (SELECT count(*) FROM lead_events WHERE type = 'email_sent' AND data->>'template' = 'welcome') AS welcome,
              (SELECT count(*) FROM mailbox_bookings WHERE touch_key LIKE '%:step-1:attempt-1') AS booked,
              (SELECT count(*) FROM effects WHERE state = 'claimed') AS busy`);
    const [welcome, booked, busy] = [Number(row?.welcome), Number(row?.booked), Number(row?.busy)];
    if (welcome >= n && booked >= n && busy === 0) {
      // The last bookings' workflow tasks, and the ledger events they record, finish within moments.
      await sleep(5_000);
      return Date.now();
    }
    const now = `${welcome}/${booked}`;
    if (now !== last && Date.now() % 30_000 < 2_000) say(`${stack.kind}: asleep so far — welcome sent ${welcome}, touch booked ${booked} of ${n}`);
    last = now;
    if (Date.now() > waveAt.getTime()) return Date.now();
    await sleep(1_000);
  }
}

/**
 * Requests at `rate` a second, each on its own clock (an open loop), until `going()` says no or
 * `limitMs` passed: reads of a lead and "no_answer" outcomes in turn, each timed by the client.
 */
async function apiLoad(
  apiUrls: string[], headers: Record<string, string>, readLeads: string[], outcomeLeads: string[], rate: number, going: () => boolean, limitMs: number,
): Promise<{ read: Latencies; outcome: Latencies }> {
  const samples = { read: [] as number[], outcome: [] as number[] };
  const failed = { read: 0, outcome: 0 };
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; going() && performance.now() - started < limitMs; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const kind = i % 2 === 0 ? 'read' : 'outcome';
    const base = apiUrls[i % apiUrls.length]!;
    const k = Math.floor(i / 2);
    const request = kind === 'read'
      ? fetch(`${base}/api/leads/${readLeads[(k * 7919) % readLeads.length]}`, { headers, signal: AbortSignal.timeout(60_000) })
      : fetch(`${base}/api/leads/${outcomeLeads[k % outcomeLeads.length]}/outcomes`, {
        method: 'POST', headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: JSON.stringify({ type: 'no_answer' }), signal: AbortSignal.timeout(60_000),
      });
    const t = performance.now();
    inFlight.push(request.then(async (res) => {
      await res.arrayBuffer();
      if (res.ok) samples[kind].push(performance.now() - t);
      else failed[kind] += 1;
    }, () => {
      failed[kind] += 1;
    }));
  }
  await Promise.all(inFlight);
  return { read: latencies(samples.read, failed.read), outcome: latencies(samples.outcome, failed.outcome) };
}

/**
 * How late the touch timers themselves fired, from a sample of histories: the Temporal server's part
 * of the lateness (the rest is the worker's queue). The timer is the one started to fire at the wave.
 */
async function timerLateness(client: Awaited<ReturnType<typeof startStack>>['client'], ids: string[], planned: number, sample: number): Promise<number[]> {
  const out: number[] = [];
  const step = Math.max(1, Math.floor(ids.length / sample));
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
  for (let i = 0; i < ids.length && out.length < sample; i += step) {
    const history = await client.workflow.getHandle(leadWorkflowId({ leadId: ids[i]! })).fetchHistory();
    const started = new Map<string, number>();
    for (const e of history.events ?? []) {
      if (e.timerStartedEventAttributes) {
        const due = ms(e.eventTime) + ms(e.timerStartedEventAttributes.startToFireTimeout);
        if (Math.abs(due - planned) < 5_000) started.set(String(e.eventId), due);
      }
      const fired = e.timerFiredEventAttributes;
      const due = fired && started.get(String(fired.startedEventId));
      if (due) out.push(ms(e.eventTime) - due);
    }
  }
  return out;
}
