/**
 * What an executive and a client of the API wait for, measured against the real stack (dev/chaos's
 * ChaosStack: Temporal dev server, PostgreSQL, worker, API, SMTP catcher, Zoho sandbox, each its own
 * process on free ports in a temporary folder, with real one-day cadence days so no timer fires):
 * 1. enrolment through `POST /api/leads` against raw `client.workflow.start` of the same workflow,
 *    started exactly as services/lead-service.ts does, on the same server and worker;
 * 2. the outcome round trip, on a quiet system and during a wave of new leads, against the same
 *    update sent straight to the workflow (`executeUpdate`, as the API's service does) meanwhile;
 * 3. the server time of the lead page and "Mi día" for an executive with 40 leads.
 * Every request's time is measured by the client on the same machine (loopback), so it is the
 * server's time plus a fraction of a millisecond.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { planTouchSlot } from '../activities/touch-slot';
import { Accounts } from '../api/web/accounts';
import { parseConfig, policyOf } from '../config';
import { selectCadence } from '../domain/cadence';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { leadInputSchema, type Lead } from '../domain/lead';
import { recordOutcome } from '../domain/messages';
import type { OutcomeType } from '../domain/outcomes';
import { LEAD_COUNTRY, LEAD_COURSE, LEAD_ID, LEAD_OWNER, LEAD_SOURCE, LEAD_STAGE } from '../domain/search-attributes';
import { TASK_QUEUE, type LeadWorkflowInput } from '../domain/workflow-input';
import { updateIdFor } from '../services/idempotency';
import { CHAOS_API_KEY, CHAOS_EXECUTIVES, ChaosStack } from '../dev/chaos/stack';
import { closedLoop, latencies, ms, p50p99, atMost, timed, type Latencies, type Row } from './report';
import { WebSession } from './web-session';

export interface StackBenchOptions {
  /** Enrolments through each path (API and raw start). */
  leads: number;
  /** Requests in flight during the enrolment comparison and the wave. */
  concurrency: number;
  /** New leads enrolled (through the API) while outcomes are timed. */
  wave: number;
  /** The executive's leads for the page measures. */
  executiveLeads: number;
  /** Outcomes timed on the quiet system (and at most as many during the wave). */
  outcomes: number;
  /** Times each page is loaded. */
  pageLoads: number;
  /** Keep the stack's temporary folder (it is kept anyway when the run fails). */
  keep?: boolean;
  say: (message: string) => void;
}

export const GOALS = { enrolmentRatio: 0.9, outcomeQuietP99: 50, outcomeWaveP99: 150 } as const;

/** The executive whose day is measured: created by the bench, so its password is ours. */
const BENCH_EXECUTIVE = { email: 'bench.ejecutiva@empresa.example', name: 'Ejecutiva del bench', password: 'bench-executive-password-0001' };
/** Outcomes one after another, each allowed where the one before left the lead (domain/lifecycle.ts). */
const OUTCOME_SEQUENCE = ['no_answer', 'interested', 'meeting_scheduled', 'proposal_requested', 'proposal_sent'] as const;
/** How long the enrolment steps of a batch may take before the bench gives up waiting. */
const SETTLE_LIMIT_MS = 10 * 60_000;

const sleep = (ms_: number) => new Promise((r) => setTimeout(r, ms_));

/** A lead of the bench's own (the same shape the chaos run enrols). */
function leadBody(email: string, i: number) {
  return {
    firstName: 'Valentina', lastName: `Bench ${i}`, email, phone: `+57 300 ${String(1_000_000 + i).slice(-7)}`, country: 'CO', profile: 'b2c',
    course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01' }, source: 'api',
  };
}

export async function measureStack(options: StackBenchOptions): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const { say } = options;
  const tag = Date.now().toString(36);
  const emailOf = (group: string, i: number) => `bench-${tag}-${group}-${i}@leads.example.com`;
  const stack = new ChaosStack({ dayDuration: '1d', logLevel: 'error', say: (m) => say(`stack: ${m}`) });
  const lastResort = () => stack.killAll();
  process.once('exit', lastResort);
  const started = performance.now();
  say(`starting the stack in ${stack.dir}`);
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  let failed = false;
  try {
    await stack.start();
    say(`stack ready in ${((performance.now() - started) / 1000).toFixed(0)} s (API ${stack.apiUrl})`);
    const config = parseConfig(stack.productEnv());
    const policy = policyOf(config);

    // ---- requests --------------------------------------------------------------------------------
    const apiEnrol = async (email: string, i: number): Promise<string | null> => {
      const res = await fetch(`${stack.apiUrl}/api/leads`, {
        method: 'POST', headers: { Authorization: `Bearer ${CHAOS_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(leadBody(email, i)), signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { leadId?: string };
      return res.status === 201 || res.status === 200 ? body.leadId ?? null : null;
    };
    /** As LeadService.startFollowUp starts a new person's follow-up: same id, queue, input, attributes. */
    const rawStart = async (email: string, i: number): Promise<string> => {
      const input = leadInputSchema.parse(leadBody(email, i));
      const lead: Lead = { ...input, leadId: leadIdFor(input.email), createdAt: new Date().toISOString() };
      await stack.client.workflow.start('leadWorkflow', {
        workflowId: leadWorkflowId(lead),
        taskQueue: TASK_QUEUE,
        args: [{
          lead, cadence: selectCadence({ profile: lead.profile, country: lead.country, courseCode: lead.course.code, alumni: false }), policy, publicUrl: config.PUBLIC_URL,
        } satisfies LeadWorkflowInput],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: LEAD_ID, value: lead.leadId }, { key: LEAD_STAGE, value: 'new' }, { key: LEAD_OWNER, value: 'sin asignar' },
          { key: LEAD_COUNTRY, value: lead.country }, { key: LEAD_COURSE, value: lead.course.code }, { key: LEAD_SOURCE, value: lead.source },
        ],
        staticSummary: `${lead.firstName} ${lead.lastName} · ${lead.course.name} (${lead.country})`,
        staticDetails: `Lead ${lead.leadId} de ${lead.source}, perfil ${lead.profile}, curso ${lead.course.code}`,
      });
      return lead.leadId;
    };
    const apiOutcome = async (leadId: string, type: OutcomeType): Promise<boolean> => {
      const res = await fetch(`${stack.apiUrl}/api/leads/${leadId}/outcomes`, {
        method: 'POST', headers: { Authorization: `Bearer ${CHAOS_API_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
        body: JSON.stringify({ type }), signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 200)}`);
      return true;
    };
    /** The same update sent straight to the workflow, under an update id as the API makes one. */
    const rawOutcome = async (leadId: string, type: OutcomeType): Promise<boolean> => {
      await stack.client.workflow.getHandle(leadWorkflowId({ leadId })).executeUpdate(recordOutcome, { args: [{ type }], updateId: updateIdFor('outcome', randomUUID()) });
      return true;
    };
    const outcome = { api: apiOutcome, raw: rawOutcome };

    /**
     * A lead's enrolment steps are done once routing gave it an owner and, when a mail may leave now
     * (business hours in Bogotá), its welcome mail went out: what the workflow does before it sleeps.
     */
    const welcomeNow = async () => {
      const slot = await planTouchSlot({ country: 'CO', notBefore: new Date().toISOString(), touchedDates: [], weeklyCap: policy.weeklyCap, calendarAligned: policy.calendarAligned });
      return Date.parse(slot.at) - Date.now() < 60_000;
    };
    const stepsDone = async (leadIds: string[]): Promise<number> => {
      const [row] = await stack.sql<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT lead_id FROM lead_events WHERE lead_id = ANY($1) GROUP BY lead_id
           HAVING bool_or(type = 'lead_assigned') AND (NOT $2 OR bool_or(type = 'email_sent' AND data->>'template' = 'welcome'))) done`,
        [leadIds, await welcomeNow()],
      );
      return Number(row?.n ?? 0);
    };
    /** Resolves, with the moment (performance.now()), when every lead's enrolment steps are done. */
    const settled = async (leadIds: string[], what: string): Promise<number> => {
      const deadline = Date.now() + SETTLE_LIMIT_MS;
      for (;;) {
        const done = await stepsDone(leadIds);
        if (done >= leadIds.length) return performance.now();
        if (Date.now() > deadline) throw new Error(`${what}: only ${done} of ${leadIds.length} leads finished their enrolment steps in ${SETTLE_LIMIT_MS / 60_000} min`);
        await sleep(200);
      }
    };

    // ---- 3. an executive with 40 leads: lead page and Mi día (first, while they are all hers) -------
    say(`pages: enrolling ${options.executiveLeads} leads for one executive`);
    const accounts = new Accounts(stack.pool);
    await accounts.create({ email: BENCH_EXECUTIVE.email, name: BENCH_EXECUTIVE.name, role: 'executive', password: BENCH_EXECUTIVE.password });
    // Routing gives each new lead to the least loaded executive below their cap: with the others at a
    // cap of 0 for the moment, all of these go to her.
    await stack.sql('UPDATE users SET cap = 0 WHERE email = ANY($1)', [CHAOS_EXECUTIVES]);
    await stack.sql('UPDATE users SET cap = 100000 WHERE email = $1', [BENCH_EXECUTIVE.email]);
    const hers: string[] = [];
    const enrolHers = await closedLoop(options.executiveLeads, options.concurrency, async (i) => {
      const id = await apiEnrol(emailOf('exec', i), i);
      if (id) hers.push(id);
      return id !== null;
    });
    if (enrolHers.failed) throw new Error(`enrolling the executive's leads: ${enrolHers.failed} failed (${enrolHers.errors.join('; ')})`);
    await settled(hers, "the executive's leads");
    await stack.sql('UPDATE users SET cap = 100000 WHERE email = ANY($1)', [CHAOS_EXECUTIVES]);
    const [owned] = await stack.sql<{ n: string }>('SELECT count(*) AS n FROM assignments WHERE active AND owner = $1', [BENCH_EXECUTIVE.email]);
    details.executiveLeads = Number(owned?.n ?? 0);

    details.loadAverage1m = { pages: loadavg()[0] };
    const web = new WebSession(stack.apiUrl);
    await web.signIn(BENCH_EXECUTIVE.email, BENCH_EXECUTIVE.password);
    const page = async (path: string) => {
      const res = await web.get(path);
      const html = await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      return html;
    };
    // Warm-up: the first requests compile templates, fill pools and caches.
    for (const id of hers.slice(0, 3)) await page(`/leads/${id}`);
    await page('/mi-dia');
    const leadPage: number[] = [];
    for (let i = 0; i < options.pageLoads; i++) leadPage.push((await timed(() => page(`/leads/${hers[i % hers.length]}`))).ms);
    const myDay: number[] = [];
    let cards = 0;
    for (let i = 0; i < options.pageLoads; i++) {
      const { ms: t, result } = await timed(() => page('/mi-dia'));
      myDay.push(t);
      cards = new Set(result.match(/\/leads\/L-[0-9a-z]{13}/g) ?? []).size;
    }
    const leadPageL = latencies(leadPage);
    const myDayL = latencies(myDay);
    details.pages = { executiveLeads: details.executiveLeads, leadsOnMyDay: cards, leadPage: leadPageL, myDay: myDayL };
    rows.push(
      { measure: `lead page GET /leads/:id, executive with ${details.executiveLeads} leads`, value: p50p99(leadPageL), goal: 'no goal set', verdict: 'info', data: { ...leadPageL } },
      { measure: `"Mi día" GET /mi-dia, same executive (${cards} leads listed)`, value: p50p99(myDayL), goal: 'no goal set', verdict: 'info', data: { ...myDayL } },
    );

    // ---- 1. enrolment: the API against raw workflow.start, ABBA so neither always goes first -------
    details.loadAverage1m = { ...(details.loadAverage1m as object), enrolment: loadavg()[0] };
    const half = Math.ceil(options.leads / 2);
    const series = { api: { samples: [] as number[], failed: 0, wallMs: 0, stepsMs: 0, leads: [] as string[], errors: [] as string[] }, raw: { samples: [] as number[], failed: 0, wallMs: 0, stepsMs: 0, leads: [] as string[], errors: [] as string[] } };
    for (const [round, path] of (['raw', 'api', 'api', 'raw'] as const).entries()) {
      const n = round < 2 ? half : options.leads - half;
      if (n === 0) continue;
      say(`enrolment: ${n} through ${path === 'api' ? 'POST /api/leads' : 'raw workflow.start'} at concurrency ${options.concurrency}`);
      const ids: string[] = [];
      const t0 = performance.now();
      const r = await closedLoop(n, options.concurrency, async (i) => {
        const email = emailOf(`${path}${round}`, i);
        const id = path === 'api' ? await apiEnrol(email, i) : await rawStart(email, i);
        if (id) ids.push(id);
        return id !== null;
      });
      const s = series[path];
      s.samples.push(...r.samples);
      s.failed += r.failed;
      s.wallMs += r.wallMs;
      s.errors.push(...r.errors);
      s.leads.push(...ids);
      s.stepsMs += (await settled(ids, `${path} enrolment`)) - t0;
    }
    const rate = (s: typeof series.api) => (s.samples.length / s.wallMs) * 1000;
    const stepsRate = (s: typeof series.api) => (s.leads.length / s.stepsMs) * 1000;
    const [apiRate, rawRate] = [rate(series.api), rate(series.raw)];
    const [apiL, rawL] = [latencies(series.api.samples, series.api.failed), latencies(series.raw.samples, series.raw.failed)];
    const ratio = apiRate / rawRate;
    details.enrolment = {
      api: { ratePerSecond: apiRate, latency: apiL, stepsDonePerSecond: stepsRate(series.api), errors: series.api.errors },
      raw: { ratePerSecond: rawRate, latency: rawL, stepsDonePerSecond: stepsRate(series.raw), errors: series.raw.errors },
    };
    rows.push(
      {
        measure: `enrolment rate, POST /api/leads (concurrency ${options.concurrency}, n ${series.api.samples.length})`, value: `${apiRate.toFixed(1)}/s`,
        goal: `≥ ${GOALS.enrolmentRatio}× raw`, verdict: `${ratio.toFixed(2)}× raw: ${ratio >= GOALS.enrolmentRatio ? 'met' : 'NOT met'}`, data: details.enrolment as Record<string, unknown>,
      },
      { measure: `enrolment rate, raw workflow.start (baseline, n ${series.raw.samples.length})`, value: `${rawRate.toFixed(1)}/s`, goal: 'baseline', verdict: '1.00×' },
      { measure: 'enrolment latency, POST /api/leads', value: p50p99(apiL), goal: 'no goal set', verdict: `p50 ${(apiL.p50 / rawL.p50).toFixed(2)}× · p99 ${(apiL.p99 / rawL.p99).toFixed(2)}× raw` },
      { measure: 'enrolment latency, raw workflow.start (baseline)', value: p50p99(rawL), goal: 'baseline', verdict: '1.00×' },
      {
        measure: 'enrolment with its steps done (owner + welcome mail), API vs raw', value: `${stepsRate(series.api).toFixed(1)}/s vs ${stepsRate(series.raw).toFixed(1)}/s`,
        goal: 'no goal set', verdict: `${(stepsRate(series.api) / stepsRate(series.raw)).toFixed(2)}× raw`,
      },
    );

    // ---- 2a. the outcome round trip on a quiet system: through the API and straight to Temporal ----
    // On the leads of the enrolment comparison (all settled, none worked yet); the wave takes the rest.
    const workable = [...series.api.leads, ...series.raw.leads];
    const quietLeads = workable.slice(0, Math.ceil((2 * options.outcomes) / OUTCOME_SEQUENCE.length));
    say(`outcomes: ${options.outcomes} through the API and as many raw updates, one at a time, on a quiet system`);
    details.loadAverage1m = { ...(details.loadAverage1m as object), quietOutcomes: loadavg()[0] };
    const quiet = await outcomesOn(quietLeads, 2 * options.outcomes, outcome, () => true);
    rows.push(
      {
        measure: 'outcome round trip POST /api/leads/:id/outcomes, quiet', value: p50p99(quiet.api), goal: `p99 ≤ ${GOALS.outcomeQuietP99} ms`,
        verdict: `${atMost(quiet.api.p99, GOALS.outcomeQuietP99)}; p99 ${(quiet.api.p99 / quiet.raw.p99).toFixed(2)}× raw`, data: { ...quiet },
      },
      { measure: 'outcome as a raw executeUpdate, quiet (baseline)', value: p50p99(quiet.raw), goal: 'baseline', verdict: '1.00×' },
    );
    await sleep(3_000);

    // ---- 2b. the outcome round trip during a wave of new leads ------------------------------------
    say(`outcomes during a wave of ${options.wave} new leads (concurrency ${options.concurrency})`);
    details.loadAverage1m = { ...(details.loadAverage1m as object), wave: loadavg()[0] };
    const waveIds: string[] = [];
    let waveOver = false;
    const waveStart = performance.now();
    const wave = closedLoop(options.wave, options.concurrency, async (i) => {
      const id = await apiEnrol(emailOf('wave', i), i);
      if (id) waveIds.push(id);
      return id !== null;
    }).then(async (r) => {
      const requestsMs = performance.now() - waveStart;
      const doneAt = await settled(waveIds, 'the wave');
      waveOver = true;
      return { ...r, requestsMs, stepsMs: doneAt - waveStart };
    }).finally(() => (waveOver = true));
    const during = await outcomesOn(workable.slice(quietLeads.length), 4 * options.outcomes, outcome, () => !waveOver);
    const waveResult = await wave;
    rows.push(
      {
        measure: `outcome round trip during a wave of ${options.wave} new leads`, value: p50p99(during.api), goal: `p99 ≤ ${GOALS.outcomeWaveP99} ms`,
        verdict: `${atMost(during.api.p99, GOALS.outcomeWaveP99)}; p99 ${(during.api.p99 / during.raw.p99).toFixed(2)}× raw`,
        data: { ...during, wave: { leads: options.wave, requestsSeconds: waveResult.requestsMs / 1000, stepsDoneSeconds: waveResult.stepsMs / 1000, failed: waveResult.failed } },
      },
      { measure: 'outcome as a raw executeUpdate during the wave (baseline)', value: p50p99(during.raw), goal: 'baseline', verdict: '1.00×' },
    );
    details.wave = { requestsSeconds: waveResult.requestsMs / 1000, stepsDoneSeconds: waveResult.stepsMs / 1000, outcomes: during };
    say(`wave: requests ${ms(waveResult.requestsMs)}, steps done ${ms(waveResult.stepsMs)}`);
    return { rows, details };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    say('stopping the stack');
    await stack.stop();
    process.removeListener('exit', lastResort);
    // A failed run keeps its folder (logs, ledger, Temporal's SQLite file) for a look.
    if (failed || options.keep) say(`its data stays in ${stack.dir}`);
    else rmSync(stack.dir, { recursive: true, force: true });
  }
}

/**
 * Records outcomes one at a time (an executive tapping), while `going()` and up to `limit` in all:
 * leads in groups of ten, each lead of a group taking the next outcome of OUTCOME_SEQUENCE before any
 * takes its next one (so a lead is never asked twice in a row, and every kind of outcome is timed).
 * Every other lead goes through the API, the others straight to Temporal: the two series share the
 * moment and the load. A fresh Idempotency-Key (or update id) each, as a client would send.
 */
async function outcomesOn(
  leadIds: string[], limit: number, send: Record<'api' | 'raw', (leadId: string, type: OutcomeType) => Promise<boolean>>, going: () => boolean,
): Promise<{ api: Latencies; raw: Latencies; errors: string[] }> {
  const samples = { api: [] as number[], raw: [] as number[] };
  const failed = { api: 0, raw: 0 };
  const errors: string[] = [];
  const result = () => ({ api: latencies(samples.api, failed.api), raw: latencies(samples.raw, failed.raw), errors });
  let sent = 0;
  for (let g = 0; g < leadIds.length; g += 10) {
    for (const type of OUTCOME_SEQUENCE) {
      for (const [k, leadId] of leadIds.slice(g, g + 10).entries()) {
        if (sent >= limit || !going()) return result();
        const path = k % 2 === 0 ? 'api' : 'raw';
        const { ms: t, result: ok } = await timed(() => send[path](leadId, type).catch((err: Error) => {
          if (errors.length < 10) errors.push(`${path} ${type}: ${err.message}`);
          return false;
        }));
        sent += 1;
        if (ok) samples[path].push(t);
        else failed[path] += 1;
      }
    }
  }
  return result();
}
