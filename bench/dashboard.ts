/**
 * The director's dashboard and weekly report on a big ledger (issue 16: "at most 300 ms at 100,000
 * leads and 1,000,000 events"). Fills a real, throw-away PostgreSQL with synthetic leads and events
 * (multi-row inserts), builds the KPI aggregates the way production does (migration 14's queue,
 * drained by `drainKpiRebuild`), then times `directorNumbers` (server side, no HTTP) for the
 * dashboard's week and the Monday report, and the old way (every event loaded, `computeKpis`) on the
 * same database for a ratio.
 *
 *   npm run bench:dashboard                                    # 100,000 leads, 1,000,000 events, a year
 *   npm run bench:dashboard -- --leads 10000 --events 100000   # a quick run
 *   npm run bench:dashboard -- --days 90                       # the same leads over 90 days: fuller weeks
 *
 * Flags: --leads N, --events N (about: each lead's life is cut at now, then older leads get nurturing
 * emails up to N), --days N (how far back leads were created), --runs N (timed runs per measure, 20),
 * --old-runs N (runs of the old computation, 3), --old-full (also time the old computation over every
 * lead: slow and memory hungry at 100,000 leads), --json FILE.
 * Numbers, not checks: on a shared 2-core machine they move with whatever else runs.
 */
import '../test/support/quiet-runtime';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Ledger } from '../integrations/ledger/ledger';
import { drainKpiRebuild } from '../integrations/ledger/kpi-aggregates';
import { directorNumbers, recomputedKpis, weekBefore } from '../services/analytics/director';
import { defaultKpiSettings, type KpiSettings } from '../services/analytics/kpis';
import type { KpiFilters } from '../services/analytics/kpi-source';
import { renderWeeklyReport } from '../presentation/emails/weekly-report';
import { zonedTime } from '../domain/calendar';
import type { LeadView } from '../domain/lead-view';
import type { Stage } from '../domain/lead';
import { startTestPostgres } from '../test/support/postgres';
import { atMost, latencies, printTable, type Latencies, type Row } from './report';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TZ = 'America/Bogota';
/** Monday 2026-11-30 08:00:00.345 in Bogotá: the weekly report's moment, off the hour as a real run is. */
const AS_OF = new Date(zonedTime('2026-11-30', 8, TZ).getTime() + 345);
const GOAL_MS = 300;
const EXECUTIVES = Array.from({ length: 12 }, (_, i) => `ejecutiva${i}@empresa.example`);
const COUNTRIES = ['CO', 'MX', 'PE', 'CL', 'AR'] as const;
const COURSES = Array.from({ length: 7 }, (_, i) => `C-${i}`);

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

interface Row3 { lead_id: string; type: string; occurred_at: string; idempotency_key: string; data: Record<string, unknown> }

/**
 * One lead's life up to now: enrolment, assignment, the welcome, the cadence's calls, LinkedIn and
 * emails, replies, and then engaged → (stalled, revived) → proposal → enrolled, or lost, or nurturing;
 * a few reassigned, a few people back for another course. Events after now are not there yet.
 */
function life(i: number, next: () => number, days: number): { events: Row3[]; view: LeadView } {
  const leadId = `L-${String(i).padStart(13, '0')}`;
  const created = AS_OF.getTime() - next() * days * DAY;
  let owner: string | null = next() < 0.97 ? EXECUTIVES[i % EXECUTIVES.length]! : null;
  const events: Row3[] = [];
  let stage = 'new' as Stage;
  let stageSince = created;
  let stalledSince: number | null = null;
  const push = (d: number, type: string, data: Record<string, unknown> = {}) => {
    const t = created + d * DAY;
    if (t > AS_OF.getTime()) return false;
    events.push({ lead_id: leadId, type, occurred_at: new Date(t).toISOString(), idempotency_key: `${leadId}:${events.length}`, data });
    return true;
  };
  const move = (d: number, to: Stage) => {
    if (push(d, 'stage_changed', { from: stage, to })) {
      stage = to;
      stageSince = created + d * DAY;
    }
  };
  push(0, 'lead_enrolled', { source: 'web-form', createdAt: new Date(created).toISOString() });
  if (owner) push(0.00001, 'lead_assigned', { owner, pool: 'general' });
  move(0.00002, 'contacting');
  push(0.00003, 'email_sent', { template: 'welcome' });
  const fate = next();
  push(0.4, 'touch_due', { channel: 'call' });
  const answered = fate < 0.55;
  push(0.5, 'outcome_recorded', { outcome: answered ? 'interested' : 'no_answer', stageBefore: 'contacting', stageAfter: answered ? 'engaged' : 'contacting', touchChannel: 'call', by: owner });
  push(0.5, 'first_contact', { slaStatus: 'met' });
  if (answered) move(0.5, 'engaged');
  else {
    push(2, 'email_sent', { template: 'first-email' });
    if (fate > 0.9) push(2.3, 'outcome_recorded', { outcome: 'replied', stageBefore: 'contacting', stageAfter: 'engaged', touchChannel: null, by: 'inbound-email' });
    push(4, 'touch_due', { channel: 'linkedin' });
    push(4.2, 'outcome_recorded', { outcome: 'no_answer', stageBefore: 'contacting', stageAfter: 'contacting', touchChannel: 'linkedin', by: owner });
    move(10, fate < 0.75 ? 'nurturing' : 'archived');
  }
  if (owner && next() < 0.05) {
    owner = EXECUTIVES[(i + 1) % EXECUTIVES.length]!;
    push(3, 'lead_reassigned', { owner });
  }
  if (answered) {
    if (fate < 0.2) {
      if (push(8, 'lead_stalled', { stage })) stalledSince = created + 8 * DAY;
      if (fate < 0.1 && push(10, 'outcome_recorded', { outcome: 'meeting_scheduled', stageBefore: stage, stageAfter: stage, touchChannel: null, by: owner })) stalledSince = null;
    }
    if (fate < 0.3) move(11, 'proposal');
    if (fate < 0.12) move(15, 'enrolled');
    else if (fate < 0.4) move(14, 'lost');
    else move(20, 'nurturing');
  }
  // Nurturing: now and then a person asks again (its emails are added below, up to the events asked for).
  if (stage === 'nurturing' && next() < 0.05 && push(40, 'lead_reactivated', { from: 'nurturing', by: 'new_interaction' })) move(40, 'contacting');
  const view: LeadView = {
    leadId, workflowId: `lead-${leadId}`, firstName: 'Lucía', lastName: `Gómez ${i}`, email: `lead${i}@example.co`, phone: null,
    company: null, linkedinUrl: null, country: COUNTRIES[i % COUNTRIES.length]!, courseCode: COURSES[i % COURSES.length]!, courseName: `Curso ${i % COURSES.length}`,
    profile: 'b2c', source: 'web-form', benefit: null, stage, stageSince: new Date(stageSince).toISOString(), owner, closer: null,
    nextStep: ['engaged', 'proposal', 'closing', 'contacting'].includes(stage) ? { action: 'Llamar', dueAt: new Date(stageSince + 2 * DAY).toISOString() } : null,
    sla: { status: 'met', dueAt: new Date(created + DAY).toISOString() }, stalledSince: stalledSince === null ? null : new Date(stalledSince).toISOString(),
    paused: false, contactProblem: false, lostReason: stage === 'lost' ? 'price' : null, dueTouches: [], createdAt: new Date(created).toISOString(), revision: events.length,
  };
  return { events, view };
}

export async function fill(ledger: Ledger, { leads, events: wanted, days }: { leads: number; events: number; days: number }, say: (m: string) => void) {
  const next = random(leads);
  const lives = Array.from({ length: leads }, (_, i) => life(i, next, days));
  let total = lives.reduce((n, l) => n + l.events.length, 0);
  // Up to the number of events asked for: nurturing emails, a week apart, for the leads with room before now.
  for (let round = 0; total < wanted && round < 200; round++) {
    for (const l of lives) {
      if (total >= wanted) break;
      const last = Date.parse(l.events.at(-1)!.occurred_at);
      const t = last + 7 * DAY + round * 3_600;
      if (t > AS_OF.getTime()) continue;
      l.events.push({ lead_id: l.view.leadId, type: 'email_sent', occurred_at: new Date(t).toISOString(), idempotency_key: `${l.view.leadId}:${l.events.length}`, data: { template: 'nurturing-more' } });
      total += 1;
    }
  }
  // Or down to it: the last events of some lives, as if those had happened a little later.
  for (let i = 0; total > wanted; i = (i + 7_919) % lives.length) {
    if (lives[i]!.events.length <= 4) continue;
    lives[i]!.events.pop();
    total -= 1;
  }
  const started = performance.now();
  const all = lives.flatMap((l) => l.events);
  for (let i = 0; i < all.length; i += 20_000) {
    await ledger.pool.query(
      `INSERT INTO lead_events (lead_id, type, occurred_at, idempotency_key, data)
       SELECT lead_id, type, occurred_at, idempotency_key, data FROM json_populate_recordset(NULL::lead_events, $1::json)`,
      [JSON.stringify(all.slice(i, i + 20_000))],
    );
  }
  for (let i = 0; i < lives.length; i += 5_000) {
    const rows = lives.slice(i, i + 5_000).map(({ view: v }) => ({
      lead_id: v.leadId, owner: v.owner, closer: null, stage: v.stage, country: v.country, course_code: v.courseCode, next_step_at: v.nextStep?.dueAt ?? null,
      sla_status: v.sla.status, stalled: v.stalledSince !== null, search: `${v.firstName} ${v.lastName} ${v.email}`.toLowerCase(), revision: v.revision,
      created_at: v.createdAt, updated_at: new Date().toISOString(), view: v,
    }));
    await ledger.pool.query('INSERT INTO lead_views SELECT * FROM json_populate_recordset(NULL::lead_views, $1::json)', [JSON.stringify(rows)]);
  }
  await ledger.pool.query(
    `INSERT INTO users (email, name, role, password_hash, cap) SELECT e, initcap(split_part(e, '@', 1)), 'executive', 'x', 40 FROM unnest($1::text[]) AS e`,
    [EXECUTIVES],
  );
  say(`inserted ${all.length} events and ${lives.length} lead snapshots in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The aggregates as production builds them for a ledger that already has events (migration 14).
  const building = performance.now();
  await ledger.pool.query('INSERT INTO kpi_rebuild SELECT DISTINCT lead_id FROM lead_events ON CONFLICT DO NOTHING');
  const rebuilt = await drainKpiRebuild(ledger.pool, { batch: 1_000 });
  const buildSeconds = (performance.now() - building) / 1000;
  // As a settled database is: statistics, visibility maps, and the bulk load's dirty pages written out.
  await ledger.pool.query('VACUUM ANALYZE');
  await ledger.pool.query('CHECKPOINT');
  const sizes = await ledger.pool.query<{ t: string; n: string }>(
    `SELECT 'lead_events' AS t, count(*) AS n FROM lead_events UNION ALL SELECT 'lead_views', count(*) FROM lead_views
     UNION ALL SELECT 'kpi_lead_facts', count(*) FROM kpi_lead_facts UNION ALL SELECT 'kpi_lead_hours', count(*) FROM kpi_lead_hours
     UNION ALL SELECT 'kpi_marks', count(*) FROM kpi_marks UNION ALL SELECT 'kpi_follow_ups', count(*) FROM kpi_follow_ups
     UNION ALL SELECT 'open lead_views', count(*) FROM lead_views WHERE stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing')`,
  );
  const counts = Object.fromEntries(sizes.rows.map((r) => [r.t, Number(r.n)]));
  say(`built the aggregates of ${rebuilt} leads in ${buildSeconds.toFixed(1)} s: ${JSON.stringify(counts)}`);
  return { events: all.length, leads: lives.length, buildSeconds, counts };
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<Latencies> {
  await work(); // warm-up: plans cached, pages in memory
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return latencies(samples);
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      leads: { type: 'string' }, events: { type: 'string' }, days: { type: 'string' }, runs: { type: 'string' }, 'old-runs': { type: 'string' },
      'old-full': { type: 'boolean' }, json: { type: 'string' },
    },
  });
  const int = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const sizes = { leads: int(a.leads, 100_000), events: int(a.events, 1_000_000), days: int(a.days, 365) };
  const runs = int(a.runs, 20);
  const oldRuns = int(a['old-runs'], 3);
  const say = (m: string) => process.stderr.write(`[bench:dashboard] ${m}\n`);
  const startedAt = new Date();
  say(`${startedAt.toISOString()} · ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)} · ${JSON.stringify(sizes)}`);

  const pg = await startTestPostgres();
  const ledger = Ledger.connect(pg.databaseUrl);
  try {
    await ledger.migrate();
    const data = await fill(ledger, sizes, say);
    const settings: Omit<KpiSettings, 'caps'> = defaultKpiSettings;
    // The dashboard's default: the last seven whole days in the company's time zone (api/web/dashboard-routes.ts).
    const dashboardPeriod = { from: zonedTime('2026-11-23', 0, TZ).toISOString(), to: zonedTime('2026-11-30', 0, TZ).toISOString() };
    const weekly = weekBefore(AS_OF);
    const one: KpiFilters = { owner: EXECUTIVES[0] };
    const numbers = (period: { from: string; to: string }, filters: KpiFilters = {}) => directorNumbers({ pool: ledger.pool, settings, period, filters, now: AS_OF });
    const sample = await numbers(weekly);
    say(`the weekly report's week: ${sample.report.overall.leadsManaged} leads managed, ${sample.report.overall.leadsCreated} created, ${sample.report.overall.touchesMade.email} emails`);

    // One pass of everything first, so that no measure pays for pages the next one would find cached.
    for (const period of [dashboardPeriod, weekly]) for (const filters of [{}, one]) await numbers(period, filters);
    const measures: [string, Latencies][] = [];
    const rows: Row[] = [];
    const add = (measure: string, l: Latencies, data: Record<string, unknown> = {}) => {
      measures.push([measure, l]);
      rows.push({ measure, value: `p50 ${l.p50.toFixed(0)} ms · p99 ${l.p99.toFixed(0)} ms`, goal: `≤ ${GOAL_MS} ms`, verdict: `p99 ${atMost(l.p99, GOAL_MS)}`, data: { ...l, ...data } });
    };
    add('dashboard, everyone (7 days)', await timed(runs, () => numbers(dashboardPeriod)));
    add('dashboard, one executive (7 days)', await timed(runs, () => numbers(dashboardPeriod, one)));
    add('dashboard, everyone (90 days)', await timed(Math.max(3, Math.floor(runs / 4)), () => numbers({ from: new Date(Date.parse(dashboardPeriod.to) - 90 * DAY).toISOString(), to: dashboardPeriod.to })));
    add('weekly report numbers (Monday 08:00:00.345)', await timed(runs, () => numbers(weekly)));
    add('weekly report, numbers + mail rendered', await timed(Math.max(3, Math.floor(runs / 4)), async () =>
      renderWeeklyReport({ ...(await numbers(weekly)), dashboardUrl: 'https://seguimiento.example/panel', timeZone: TZ })));

    // The old way, on the same database: every event of the slice loaded, computeKpis for the period and the one before.
    const old = (filters: KpiFilters) => recomputedKpis({ pool: ledger.pool, settings: { ...settings, caps: {} }, period: weekly, filters, now: AS_OF.toISOString() });
    const newOne = measures.find(([m]) => m === 'weekly report numbers (Monday 08:00:00.345)')![1];
    const oneNew = await timed(runs, () => numbers(weekly, one));
    const oneOld = await timed(oldRuns, () => old(one));
    rows.push({
      measure: `old full recomputation, one executive (${Math.round(sizes.leads / EXECUTIVES.length)} leads)`,
      value: `p50 ${oneOld.p50.toFixed(0)} ms`, goal: 'baseline', verdict: `aggregates ${(oneOld.p50 / oneNew.p50).toFixed(1)}× faster (${oneNew.p50.toFixed(0)} ms)`, data: { old: oneOld, aggregates: oneNew },
    });
    if (a['old-full']) {
      const allOld = await timed(1, () => old({}));
      rows.push({
        measure: `old full recomputation, everyone (${sizes.leads} leads)`, value: `p50 ${allOld.p50.toFixed(0)} ms`, goal: 'baseline',
        verdict: `aggregates ${(allOld.p50 / newOne.p50).toFixed(1)}× faster`, data: { old: allOld },
      });
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`Dashboard bench · ${data.leads} leads, ${data.events} events over ${sizes.days} days · aggregates built in ${data.buildSeconds.toFixed(1)} s · ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`);
    printTable(rows, out);
    if (a.json) writeFileSync(a.json, `${JSON.stringify({ startedAt, sizes, data, rows }, null, 2)}\n`);
  } finally {
    await ledger.close();
    await pg.stop();
  }
}

// Run as a script; imported (a one-off look at the plans), only `fill` is wanted.
if (process.argv[1]?.endsWith('dashboard.ts')) main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
