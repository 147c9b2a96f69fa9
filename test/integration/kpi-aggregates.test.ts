import pLimit from 'p-limit';
import { Ledger, type LeadEvent } from '../../integrations/ledger/ledger';
import { drainKpiRebuild } from '../../integrations/ledger/kpi-aggregates';
import { LeadViews } from '../../integrations/ledger/lead-views';
import { aggregateKpis } from '../../services/analytics/kpi-aggregates';
import { directorNumbers, periodBefore, recomputedKpis } from '../../services/analytics/director';
import { KpiSource, type KpiFilters } from '../../services/analytics/kpi-source';
import type { KpiPeriod, KpiReport, KpiSettings } from '../../services/analytics/kpis';
import { OUTCOME_TYPES, type OutcomeType } from '../../domain/outcomes';
import { STAGES, type Stage } from '../../domain/lead';
import type { LeadView } from '../../domain/lead-view';
import { zonedTime } from '../../domain/calendar';
import { Routing } from '../../integrations/ledger/routing';
import { findBottlenecks } from '../../services/analytics/bottlenecks';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

/*
 * The dashboard and the weekly report read the ledger's KPI aggregates; `computeKpis` over every event
 * is the definition. Realistic and less realistic lives are recorded through the real Ledger (out of
 * order, concurrently, retried), the leads' snapshots change owner and course afterwards, and every
 * figure of both reports must be the same, for periods on and off the hour and every kind of slice.
 */
let pg: TestPostgres;
let ledger: Ledger;
let views: LeadViews;
beforeAll(async () => {
  pg = await startTestPostgres();
  ledger = Ledger.connect(pg.databaseUrl);
  await ledger.migrate();
  views = new LeadViews(ledger.pool);
  await record();
}, 180_000);
afterAll(async () => {
  await ledger?.close();
  await pg?.stop();
});

const ANA = 'ana@cursos.test';
const BEN = 'ben@cursos.test';
const CAROL = 'carol@cursos.test';
const OWNERS = [ANA, BEN, CAROL];
const COURSES = ['DS-101', 'PM-201', 'UX-301'];
const TZ = 'America/Bogota';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2027-03-01T05:00:00.000Z'); // midnight in Bogotá
const NOW = new Date(T0 + 40 * DAY + 7 * HOUR + 123);

const settings: KpiSettings = {
  caps: { [ANA]: 5 }, defaultCap: 8, monthlyCostPerExecutive: 3000, coursePrices: { 'DS-101': 1000 }, defaultCoursePrice: 600,
  baselineConversionRate: 0.1, targets: { newLeadsContactedPerDay: 0.2, reactivationsPerWeek: 0.5, nextStepPercent: 75 }, slaHours: 24,
};

/** A deterministic pseudo-random stream. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}
const rnd = random(20270301);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

interface Life { leadId: string; events: LeadEvent[]; view: LeadView | null }

function viewOf(leadId: string, v: Partial<LeadView>): LeadView {
  return {
    leadId, workflowId: `lead-${leadId}`, firstName: 'Lucía', lastName: leadId, email: `${leadId.toLowerCase()}@example.co`,
    phone: null, company: null, linkedinUrl: null, country: 'CO', courseCode: 'DS-101', courseName: 'Curso DS-101',
    profile: 'b2c', source: 'web-form', benefit: null, stage: 'contacting', stageSince: new Date(T0).toISOString(), owner: ANA, closer: null,
    nextStep: null, sla: { status: 'met', dueAt: new Date(T0).toISOString() }, stalledSince: null, paused: false, contactProblem: false,
    lostReason: null, dueTouches: [], createdAt: new Date(T0).toISOString(), revision: 1, ...v,
  };
}

/**
 * One lead's life: enrolled and assigned, a welcome, then steps of the cadence and of a conversation:
 * touches worked or missed, emails and replies, first contacts, stage changes, stalls, reactivations,
 * reassignments, a person back (for the same course or another). Times land on exact hours now and
 * then, and several events share an instant, as the workflow records them.
 */
function randomLife(i: number): Life {
  const leadId = `R${String(i).padStart(3, '0')}`;
  const events: LeadEvent[] = [];
  let t = T0 - 5 * DAY + Math.floor(rnd() * 40 * DAY);
  if (rnd() < 0.3) t = Math.floor(t / HOUR) * HOUR;
  const created = t;
  let owner: string | null = rnd() < 0.9 ? pick(OWNERS) : null;
  let stage: Stage = 'contacting';
  const push = (type: string, data: Record<string, unknown> = {}) =>
    events.push({ leadId, type, occurredAt: new Date(t).toISOString(), idempotencyKey: `${leadId}:${events.length}`, data });
  push('lead_enrolled', rnd() < 0.5 ? { source: 'web-form', createdAt: new Date(t).toISOString() } : { source: 'web-form' });
  if (owner) push('lead_assigned', { owner, pool: 'general' });
  push('stage_changed', { from: 'new', to: 'contacting' });
  push('email_sent', { template: 'welcome' });
  const steps = 3 + Math.floor(rnd() * 14);
  for (let s = 0; s < steps; s++) {
    const gap = pick([0, 0, 60_000, 17 * 60_000, HOUR, 5 * HOUR, DAY, 2.5 * DAY, 6 * DAY]);
    t += gap;
    if (rnd() < 0.15) t = Math.ceil(t / HOUR) * HOUR; // an exact hour: where hour rows begin and end
    const r = rnd();
    if (r < 0.18) {
      const channel = pick(['call', 'linkedin'] as const);
      push('touch_due', { channel });
      if (rnd() < 0.2) push('touch_missed', { channel });
      else {
        const outcome = pick(OUTCOME_TYPES);
        const stageAfter = outcome === 'lost' ? 'lost' : outcome === 'opted_out' ? 'opted_out' : pick(['contacting', 'engaged', 'proposal', 'closing', 'enrolled'] as const);
        push('outcome_recorded', { outcome, stageBefore: stage, stageAfter, by: pick([owner ?? 'x@cursos.test', 'zoho', 'workflow', undefined]), touchChannel: outcome === 'opted_out' && rnd() < 0.5 ? null : channel });
        if (outcome !== 'opted_out' && rnd() < 0.7) push('first_contact', { slaStatus: 'met' });
        if (stageAfter !== stage) push('stage_changed', { from: stage, to: (stage = stageAfter) });
      }
    } else if (r < 0.32) {
      push('email_sent', { template: pick(['first-email', 'second-email', 'nurturing-1', 'reactivation']) });
    } else if (r < 0.44) {
      const outcome: OutcomeType = pick(['replied', 'interested', 'not_interested', 'no_answer', 'meeting_scheduled', 'opted_out']);
      push('outcome_recorded', { outcome, stageBefore: stage, stageAfter: outcome === 'opted_out' ? 'opted_out' : stage, by: pick(['inbound-email', owner ?? 'x@cursos.test', 'unsubscribe-link']), touchChannel: null });
    } else if (r < 0.52) {
      const to = pick(STAGES);
      push('stage_changed', { from: stage, to });
      stage = to;
    } else if (r < 0.6) {
      push('lead_stalled', { stage });
    } else if (r < 0.66) {
      push('lead_reactivated', { from: stage, by: pick(['command', 'engagement', 'new_interaction']) });
    } else if (r < 0.7) {
      push('lead_enrolled', { source: 'web-form', returning: { previousStage: stage }, ...(rnd() < 0.5 ? { createdAt: new Date(t - HOUR).toISOString() } : {}) });
    } else if (r < 0.76 && owner) {
      owner = pick(OWNERS.filter((o) => o !== owner));
      push('lead_reassigned', { owner });
    } else if (r < 0.8) {
      push('lead_returned', { source: 'web-form', course: pick(COURSES) });
    } else if (r < 0.88) {
      push('first_contact', { slaStatus: pick(['met', 'breached']) });
    } else {
      push('touch_due', { channel: 'call' });
    }
  }
  // The snapshot: owner and stage as the story left them; the course may have switched since the first interest.
  const view = rnd() < 0.95 ? viewOf(leadId, { owner, stage, country: pick(['CO', 'MX', 'PE'] as const), courseCode: pick(COURSES), createdAt: new Date(created).toISOString() }) : null;
  return { leadId, events, view };
}

/** Shuffles a copy: the ledger receives a lead's events late and out of order (backdated). */
function shuffled<T>(list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function record(): Promise<void> {
  const lives = Array.from({ length: 160 }, (_, i) => randomLife(i));
  // Arrival order: mostly in order, a quarter of the leads shuffled, everything from 6 writers at once.
  const arrivals = lives.flatMap((l) => (rnd() < 0.25 ? shuffled(l.events) : l.events));
  // Half the snapshots exist before their events arrive (as the workflow writes them), with an owner since changed.
  for (const l of lives) if (l.view && rnd() < 0.5) await views.save({ ...l.view, owner: pick(OWNERS), stage: 'new', revision: 0 });
  const limit = pLimit(6);
  await Promise.all(arrivals.map((e) => limit(() => ledger.appendEvent(e))));
  // Retries of the same events change nothing.
  expect(await ledger.appendEvent(arrivals[0]!)).toBe(false);
  for (const l of lives) if (l.view) await views.save(l.view);
  // A reassignment and a course switch after the fact: the snapshot changes, the events do not.
  const moved = lives.find((l) => l.view?.owner === ANA)!;
  await views.save({ ...moved.view!, owner: BEN, courseCode: 'UX-301', revision: 2 });
}

/** Floating sums may add in another order: compare to 12 significant digits. */
function rounded<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v))) as T;
}

async function fromAggregates(period: KpiPeriod, filters: KpiFilters): Promise<KpiReport> {
  const db = await ledger.pool.connect();
  try {
    return await aggregateKpis(db, { filters, period, settings, now: NOW.toISOString() });
  } finally {
    db.release();
  }
}

const iso = (t: number) => new Date(t).toISOString();
const dashboardWeek = (lastDay: string) => ({ from: zonedTime(lastDay, 0, TZ).toISOString(), to: iso(zonedTime(lastDay, 0, TZ).getTime() + DAY) });
const PERIODS: [string, KpiPeriod][] = [
  ['a dashboard week (whole days in Bogotá)', { from: iso(T0 + 14 * DAY), to: iso(T0 + 21 * DAY) }],
  ['one dashboard day', dashboardWeek('2027-03-10')],
  ['the weekly report (Monday 08:00:00.345 in Bogotá)', { from: iso(T0 + 7 * DAY + 8 * HOUR + 345), to: iso(T0 + 14 * DAY + 8 * HOUR + 345) }],
  ['UTC whole days', { from: '2027-03-05T00:00:00.000Z', to: '2027-03-19T00:00:00.000Z' }],
  ['inside one hour', { from: iso(T0 + 10 * DAY + 3 * HOUR + 60_000), to: iso(T0 + 10 * DAY + 3 * HOUR + 50 * 60_000) }],
  ['everything', { from: iso(T0 - 30 * DAY), to: iso(T0 + 60 * DAY) }],
  ['empty', { from: iso(T0 + 9 * DAY + 1), to: iso(T0 + 9 * DAY + 1) }],
];
const FILTERS: [string, KpiFilters][] = [
  ['everyone', {}], ['one executive', { owner: BEN }], ['one country', { country: 'MX' }], ['one course', { course: 'UX-301' }],
  ['an executive and a course', { owner: ANA, course: 'DS-101' }],
];

describe.each(FILTERS)('%s', (_name, filters) => {
  test.each(PERIODS)('%s: the aggregates give every figure of the full recomputation, and of the period before', async (_p, period) => {
    const reference = await recomputedKpis({ pool: ledger.pool, settings, period, filters, now: NOW.toISOString() });
    expect(rounded(await fromAggregates(period, filters))).toEqual(rounded(reference.report));
    expect(rounded(await fromAggregates(periodBefore(period), filters))).toEqual(rounded(reference.previous));
    // Not an empty comparison: the fixture has work in most periods.
    if (period.to > period.from && _p !== 'inside one hour' && !filters.owner) expect(reference.report.overall.leadsManaged).toBeGreaterThan(0);
  });
});

test('the director\'s numbers (dashboard, weekly report, CSV) are the full recomputation\'s, lists included', async () => {
  const period = PERIODS[2]![1];
  const numbers = await directorNumbers({ pool: ledger.pool, settings, period, now: NOW });
  const { events, leads } = await new KpiSource(ledger.pool).load({});
  const reference = await recomputedKpis({ pool: ledger.pool, settings: { ...settings, caps: {} }, period, now: NOW.toISOString() });
  expect(rounded(numbers.report)).toEqual(rounded(reference.report));
  expect(rounded(numbers.previous)).toEqual(rounded(reference.previous));
  // The lists as the old computation made them from the events: every stage_changed to enrolled or lost in the period.
  const inPeriod = (at: string) => at >= period.from && at < period.to;
  const reachedIds = (stage: string) => events.filter((e) => e.type === 'stage_changed' && e.data.to === stage && inPeriod(e.occurredAt) && leads.some((l) => l.leadId === e.leadId)).map((e) => e.leadId);
  expect(numbers.converted.map((v) => v.leadId)).toEqual(reachedIds('enrolled'));
  expect(numbers.lost.map((v) => v.leadId)).toEqual(reachedIds('lost'));
  expect(reachedIds('enrolled').length + reachedIds('lost').length).toBeGreaterThan(0);
  // The bottlenecks from the open leads' snapshots are those of every snapshot.
  const routing = new Routing(ledger.pool);
  const everyView = await new KpiSource(ledger.pool).views({});
  expect(everyView.length).toBeGreaterThan((await new KpiSource(ledger.pool).views({}, { open: true })).length);
  expect(numbers.bottlenecks).toEqual(findBottlenecks({ views: everyView, loads: await routing.loads(), waitingForOwner: (await routing.waiting()).length, now: NOW }));
});

test('a rebuild from the events (what the migration does) gives the same rows as keeping them up to date', async () => {
  const snapshot = async () => (await ledger.pool.query(
    `SELECT (SELECT json_agg(f ORDER BY lead_id) FROM kpi_lead_facts f) AS facts,
            (SELECT json_agg(h ORDER BY lead_id, hour) FROM kpi_lead_hours h) AS hours,
            (SELECT json_agg(m ORDER BY lead_id, event_id, kind) FROM kpi_marks m) AS marks,
            (SELECT json_agg(u ORDER BY lead_id, seq) FROM kpi_follow_ups u) AS follow_ups`,
  )).rows[0];
  const kept = await snapshot();
  await ledger.pool.query('TRUNCATE kpi_lead_hours, kpi_marks, kpi_follow_ups');
  await ledger.pool.query('UPDATE kpi_lead_facts SET first_contact_at = NULL, left_funnel_at = NULL, engaged_at = NULL, proposal_at = NULL, enrolled_at = NULL');
  await ledger.pool.query('INSERT INTO kpi_rebuild SELECT DISTINCT lead_id FROM lead_events');
  expect(await drainKpiRebuild(ledger.pool, { batch: 7 })).toBeGreaterThan(100);
  expect(await snapshot()).toEqual(kept);
  // Run again (a second start of the process): nothing left to do.
  await ledger.migrate();
  expect(await drainKpiRebuild(ledger.pool)).toBe(0);
});

test('the snapshot\'s copy and the group counts follow every write of lead_views, a deletion included', async () => {
  const recount = async () => (await ledger.pool.query(
    `SELECT (SELECT json_agg(x ORDER BY owner, country, course_code, active) FROM (
               SELECT coalesce(owner, '') AS owner, country, course_code, stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing') AS active, count(*)::int AS n
               FROM lead_views GROUP BY 1, 2, 3, 4) x) AS counted,
            (SELECT json_agg(c ORDER BY owner, country, course_code, active) FROM kpi_group_counts c WHERE n <> 0) AS kept,
            (SELECT count(*)::int FROM lead_views v JOIN kpi_lead_facts f USING (lead_id)
             WHERE (v.owner, v.country, v.course_code, v.created_at, v.stage) IS DISTINCT FROM (f.owner, f.country, f.course_code, f.created_at, f.stage)) AS differing`,
  )).rows[0];
  const before = await recount();
  expect(before.kept).toEqual(before.counted);
  expect(before.differing).toBe(0);
  const view = await views.get({ leadId: 'R010' }) ?? await views.get({ leadId: 'R011' });
  await views.save({ ...view!, owner: null, stage: 'enrolled', country: 'PE', revision: 99 });
  await ledger.pool.query("DELETE FROM lead_views WHERE lead_id = 'R012'");
  const after = await recount();
  expect(after.kept).toEqual(after.counted);
  expect(after.differing).toBe(0);
});
