/**
 * The KPI report read from the ledger's aggregates (migration 14, domain/kpi-facts.ts) instead of
 * every event: a period reads its hours' rows, its milestones and its cohort's per-lead facts, joined
 * to the leads' current snapshots (every figure goes to the current owner, country and course, as
 * docs/kpis.md says). The same numbers as `computeKpis` over the whole history: a test holds them equal.
 *
 * Hour rows are UTC hours. A period edge inside an hour (the weekly report runs at 08:00:00.3) reads
 * that hour's few leads' events one by one, so any period is exact, not only whole hours.
 */
import type { PoolClient } from 'pg';
import type { Stage } from '../../domain/lead';
import { DAY_MS } from '../../domain/policy';
import { ACTIVE_LEAD_STAGES, COUNT_KEYS, HOUR_MS, leadKpiFacts, noCounts, slaJudgement, type EventCounts, type FactEvent } from '../../domain/kpi-facts';
import type { KpiFilters } from './kpi-source';
import { reportOf, type GroupLoad, type KpiFunnel, type KpiPeriod, type KpiReport, type KpiSettings, type LeadFacts, type ReportGroups } from './kpis';

/**
 * The slice's condition on a table with the snapshot's `owner`, `country` and `course_code` (`lead_views`,
 * `kpi_lead_facts`, `kpi_group_counts`) under `alias`, its values appended to `params`.
 */
export function sliceOf(filters: KpiFilters, params: unknown[], alias = 'v'): string {
  const where: string[] = ['TRUE'];
  for (const [column, value] of [['owner', filters.owner], ['country', filters.country], ['course_code', filters.course]] as const) {
    if (!value) continue;
    params.push(value);
    where.push(`${alias}.${column} = $${params.length}`);
  }
  return where.join(' AND ');
}

const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/** Every group of the slice, and its active leads right now (kpi_group_counts): the same for any period. */
export async function groupsOf(db: PoolClient, filters: KpiFilters): Promise<ReportGroups> {
  const params: unknown[] = [];
  const slice = sliceOf(filters, params, 'c');
  const { rows } = await db.query<{ owner: string; country: string; course_code: string; active: boolean; n: number }>(
    `SELECT c.owner, c.country, c.course_code, c.active, c.n FROM kpi_group_counts c WHERE c.n > 0 AND ${slice}`,
    params,
  );
  const groups: ReportGroups = { overall: { active: 0, activeOwned: 0 }, byOwner: new Map(), byCountry: new Map(), byCourse: new Map() };
  const add = (map: Map<string, GroupLoad> | null, key: string, r: (typeof rows)[number]) => {
    const load = map ? map.get(key) ?? { active: 0, activeOwned: 0 } : groups.overall;
    if (r.active) {
      load.active += r.n;
      if (r.owner !== '') load.activeOwned += r.n;
    }
    map?.set(key, load);
  };
  for (const r of rows) {
    add(null, '', r);
    // '' is nobody: such leads count overall and by country and course, not as an executive's.
    if (r.owner !== '') add(groups.byOwner, r.owner, r);
    add(groups.byCountry, r.country, r);
    add(groups.byCourse, r.course_code, r);
  }
  return groups;
}

interface PeriodRow {
  lead_id: string; owner: string | null; country: string; course_code: string; created_at: number; stage: Stage;
  events: number | null; assignments: number | null; touches_call: number | null; touches_linkedin: number | null; touches_email: number | null;
  answered_call: number | null; answered_linkedin: number | null; needing_next_step: number | null; with_next_step: number | null;
  first_contacted: boolean | null; stalled: boolean | null; stalled_revived: boolean | null; reactivated: boolean | null;
  emails_answered: number | null; closed_touches: number | null; closed: boolean | null; enrolled_at: number | null;
  first_contact_at: number | null; left_funnel_at: number | null; engaged_at: number | null; proposal_at: number | null; cohort_enrolled_at: number | null;
}

/**
 * Each event's own counts, summed over the part of `[from, to)` that lies in the period's partial
 * edge hours, for the leads with an event in those hours (read from their events).
 */
async function edgeCounts(db: PoolClient, from: number, to: number, core: { from: number; to: number }): Promise<Map<string, EventCounts>> {
  const edges = [from, to].filter((t) => t % HOUR_MS !== 0).map((t) => new Date(Math.floor(t / HOUR_MS) * HOUR_MS).toISOString());
  const counts = new Map<string, EventCounts>();
  if (!edges.length || to <= from) return counts;
  const { rows } = await db.query<{ id: string; lead_id: string; type: string; at: number; data: Record<string, unknown> }>(
    `SELECT e.id, e.lead_id, e.type, ${ms('e.occurred_at')} AS at, e.data FROM lead_events e
     WHERE e.lead_id IN (SELECT lead_id FROM kpi_lead_hours WHERE hour = ANY($1::timestamptz[]))
     ORDER BY e.lead_id, e.occurred_at, e.id`,
    [edges],
  );
  const byLead = new Map<string, FactEvent[]>();
  for (const r of rows) {
    const list = byLead.get(r.lead_id) ?? [];
    list.push({ id: Number(r.id), type: r.type, at: r.at, data: r.data });
    byLead.set(r.lead_id, list);
  }
  for (const [leadId, events] of byLead) {
    const sum = noCounts();
    for (const { at, counts: c } of leadKpiFacts(events).counts) {
      if (at < from || at >= to || (at >= core.from && at < core.to)) continue;
      for (const k of COUNT_KEYS) sum[k] += c[k];
    }
    if (sum.events > 0) counts.set(leadId, sum);
  }
  return counts;
}

/** What each lead of the slice contributes to the period or its creation cohort (the others contribute nothing). */
async function periodFacts(db: PoolClient, { filters, from, to, now, settings }: {
  filters: KpiFilters; from: number; to: number; now: number; settings: KpiSettings;
}): Promise<LeadFacts[]> {
  // Whole hours inside the period read the hour rows; the partial hours at its edges, the events.
  const coreFrom = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const coreTo = Math.max(coreFrom, Math.floor(to / HOUR_MS) * HOUR_MS);
  const edges = await edgeCounts(db, from, to, { from: coreFrom, to: coreTo });
  const iso = (t: number) => new Date(t).toISOString();
  const params: unknown[] = [iso(from), iso(to), iso(coreFrom), iso(coreTo), [...edges.keys()]];
  const slice = sliceOf(filters, params, 'f');
  const { rows } = await db.query<PeriodRow>(
    `WITH h AS (
       SELECT lead_id, sum(events)::int AS events, sum(assignments)::int AS assignments,
              sum(touches_call)::int AS touches_call, sum(touches_linkedin)::int AS touches_linkedin, sum(touches_email)::int AS touches_email,
              sum(answered_call)::int AS answered_call, sum(answered_linkedin)::int AS answered_linkedin,
              sum(needing_next_step)::int AS needing_next_step, sum(with_next_step)::int AS with_next_step
       FROM kpi_lead_hours WHERE hour >= $3 AND hour < $4 GROUP BY lead_id
     ), m AS (
       SELECT lead_id,
              bool_or(kind = 'first_contact') AS first_contacted,
              bool_or(kind = 'stalled') AS stalled,
              bool_or(kind = 'stalled' AND until < $2) AS stalled_revived,
              bool_or(kind = 'reactivated') AS reactivated,
              (count(*) FILTER (WHERE kind = 'email_answered' AND until < $2))::int AS emails_answered,
              bool_or(kind = 'closed') AS closed,
              (array_agg(n ORDER BY at DESC, event_id DESC) FILTER (WHERE kind = 'closed'))[1] AS closed_touches,
              ${ms("max(at) FILTER (WHERE kind = 'enrolled')")} AS enrolled_at
       FROM kpi_marks WHERE at >= $1 AND at < $2 AND kind <> 'lost' GROUP BY lead_id
     ), ids AS (
       SELECT lead_id FROM h UNION SELECT lead_id FROM m UNION SELECT unnest($5::text[])
       UNION SELECT lead_id FROM kpi_lead_facts WHERE created_at >= $1 AND created_at < $2
     )
     SELECT f.lead_id, f.owner, f.country, f.course_code, ${ms('f.created_at')} AS created_at, f.stage,
            h.events, h.assignments, h.touches_call, h.touches_linkedin, h.touches_email, h.answered_call, h.answered_linkedin,
            h.needing_next_step, h.with_next_step,
            m.first_contacted, m.stalled, m.stalled_revived, m.reactivated, m.emails_answered, m.closed, m.closed_touches, m.enrolled_at,
            ${ms('f.first_contact_at')} AS first_contact_at, ${ms('f.left_funnel_at')} AS left_funnel_at, ${ms('f.engaged_at')} AS engaged_at,
            ${ms('f.proposal_at')} AS proposal_at, ${ms('f.enrolled_at')} AS cohort_enrolled_at
     FROM ids JOIN kpi_lead_facts f USING (lead_id) LEFT JOIN h USING (lead_id) LEFT JOIN m USING (lead_id)
     WHERE f.country IS NOT NULL AND ${slice}`,
    params,
  );
  const reachedByNow = (t: number | null) => t !== null && t <= now;
  return rows.map((r): LeadFacts => {
    const edge = edges.get(r.lead_id) ?? noCounts();
    const n = (core: number | null, k: keyof EventCounts) => (core ?? 0) + edge[k];
    const createdAt = r.created_at;
    const createdInPeriod = createdAt >= from && createdAt < to;
    const facts: LeadFacts = {
      lead: { leadId: r.lead_id, owner: r.owner, country: r.country, courseCode: r.course_code, createdAt: new Date(createdAt).toISOString(), stage: r.stage },
      price: settings.coursePrices[r.course_code] ?? settings.defaultCoursePrice,
      managed: n(r.events, 'events') > 0,
      createdInPeriod,
      assignments: n(r.assignments, 'assignments'),
      touchesMade: { call: n(r.touches_call, 'touchesCall'), linkedin: n(r.touches_linkedin, 'touchesLinkedin'), email: n(r.touches_email, 'touchesEmail') },
      touchesAnswered: { call: n(r.answered_call, 'answeredCall'), linkedin: n(r.answered_linkedin, 'answeredLinkedin'), email: r.emails_answered ?? 0 },
      touchesBeforeClose: r.closed ? r.closed_touches : null,
      firstContactHours: null,
      sla: null,
      contacted: false,
      engaged: false,
      proposalOrCloser: false,
      enrolledInCohort: false,
      stalled: Boolean(r.stalled),
      stalledReactivated: Boolean(r.stalled_revived),
      active: ACTIVE_LEAD_STAGES.includes(r.stage),
      outcomesNeedingNextStep: n(r.needing_next_step, 'outcomesNeedingNextStep'),
      outcomesWithNextStep: n(r.with_next_step, 'outcomesWithNextStep'),
      enrolledInPeriod: r.enrolled_at !== null,
      velocityDays: r.enrolled_at !== null ? (r.enrolled_at - createdAt) / DAY_MS : null,
      firstContactedInPeriod: Boolean(r.first_contacted),
      reactivatedInPeriod: Boolean(r.reactivated),
    };
    if (createdInPeriod) {
      const firstContactAt = reachedByNow(r.first_contact_at) ? r.first_contact_at : null;
      Object.assign(facts, slaJudgement({ createdAt, firstContactAt, leftFunnelAt: r.left_funnel_at, now, slaHours: settings.slaHours }));
      facts.contacted = firstContactAt !== null;
      facts.engaged = reachedByNow(r.engaged_at);
      facts.proposalOrCloser = reachedByNow(r.proposal_at);
      facts.enrolledInCohort = reachedByNow(r.cohort_enrolled_at);
    }
    return facts;
  });
}

/** The funnel's cohort: follow-ups that started in the period (NULL start: the lead's own creation). */
async function funnelFrom(db: PoolClient, { filters, from, to, now }: { filters: KpiFilters; from: number; to: number; now: number }): Promise<KpiFunnel> {
  const params: unknown[] = [new Date(from).toISOString(), new Date(to).toISOString(), new Date(now).toISOString()];
  const slice = sliceOf(filters, params, 'f');
  const { rows } = await db.query<KpiFunnel>(
    `WITH cohort AS (
       SELECT u.* FROM kpi_follow_ups u JOIN kpi_lead_facts f USING (lead_id)
       WHERE u.started_at >= $1 AND u.started_at < $2 AND f.country IS NOT NULL AND ${slice}
       UNION ALL
       SELECT u.* FROM kpi_lead_facts f JOIN kpi_follow_ups u USING (lead_id)
       WHERE u.started_at IS NULL AND f.created_at >= $1 AND f.created_at < $2 AND ${slice}
     )
     SELECT count(*)::int AS created, count(DISTINCT lead_id)::int AS people,
            (count(*) FILTER (WHERE contacted_at <= $3))::int AS contacted, (count(*) FILTER (WHERE engaged_at <= $3))::int AS engaged,
            (count(*) FILTER (WHERE proposal_at <= $3))::int AS "proposalOrCloser", (count(*) FILTER (WHERE enrolled_at <= $3))::int AS enrolled
     FROM cohort`,
    params,
  );
  return rows[0]!;
}

/**
 * The report for a period and a slice, from the aggregates. `groups` (the slice's groups and loads)
 * may be passed when the caller reads several periods of the same slice.
 */
export async function aggregateKpis(db: PoolClient, { filters = {}, period, settings, now, groups }: {
  filters?: KpiFilters; period: KpiPeriod; settings: KpiSettings; now: string; groups?: ReportGroups;
}): Promise<KpiReport> {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const at = Date.parse(now);
  if ([from, to, at].some(Number.isNaN)) throw new RangeError('period.from, period.to and now must be ISO 8601 date-times');
  if (to < from) throw new RangeError('period.to must not be before period.from');
  const facts = await periodFacts(db, { filters, from, to, now: at, settings });
  const funnel = await funnelFrom(db, { filters, from, to, now: at });
  return reportOf({ period, days: (to - from) / DAY_MS, settings, facts, groups: groups ?? await groupsOf(db, filters), funnel });
}
