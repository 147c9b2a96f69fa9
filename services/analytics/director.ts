import type { Pool, PoolClient } from 'pg';
import type { KpiSettings } from '../../domain/kpi-settings';
import type { LeadView } from '../../domain/lead-view';
import { DAY_MS } from '../../domain/policy';
import { Routing } from '../../integrations/ledger/routing';
import { findBottlenecks, type Bottlenecks } from './bottlenecks';
import { aggregateKpis, groupsOf, sliceOf } from './kpi-aggregates';
import { KpiSource, type KpiFilters } from './kpi-source';
import { computeKpis, type KpiPeriod, type KpiReport } from './kpis';
import { suggestionsFrom } from './suggestions';

const OPEN = ['new', 'contacting', 'engaged', 'proposal', 'closing'];

export interface DirectorNumbers {
  report: KpiReport;
  /** The same figures for the period of the same length just before, for week-over-week change. */
  previous: KpiReport;
  bottlenecks: Bottlenecks;
  suggestions: string[];
  /** SLA breached, stalled or overdue: the leads a person should look at first. */
  needSupport: LeadView[];
  converted: LeadView[];
  lost: (LeadView & { reason: string | null })[];
  /** Executive email → display name. */
  names: Record<string, string>;
  /** Course code → course name. */
  courseNames: Record<string, string>;
}

/**
 * Everything the director's report and dashboard show for a period and a slice of leads, exactly as
 * docs/kpis.md defines it, read from the ledger's KPI aggregates (services/analytics/kpi-aggregates.ts)
 * and the open leads' snapshots: no event history is loaded. One snapshot of the database, so the
 * period, the one before it and the lists agree with each other.
 */
export async function directorNumbers({ pool, settings, period, filters = {}, now = new Date() }: {
  pool: Pool; settings: Omit<KpiSettings, 'caps'>; period: KpiPeriod; filters?: KpiFilters; now?: Date;
}): Promise<DirectorNumbers> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Literal, so that the partial index of open leads (migration 14) answers it.
    const open = await viewsWith(db, filters, "v.stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing')", []);
    const { bottlenecks, names, caps } = await bottlenecksNow({ pool, filters, now, views: open });
    const full: KpiSettings = { ...settings, caps };
    const groups = await groupsOf(db, filters);
    const report = await aggregateKpis(db, { filters, period, settings: full, now: now.toISOString(), groups });
    const previous = await aggregateKpis(db, { filters, period: periodBefore(period), settings: full, now: now.toISOString(), groups });
    // The leads that reached enrolled or lost in the period, one entry per time, in the ledger's order.
    const params: unknown[] = [period.from, period.to];
    const reached = await db.query<{ kind: 'enrolled' | 'lost'; view: LeadView }>(
      `SELECT m.kind, v.view FROM kpi_marks m JOIN lead_views v USING (lead_id)
       WHERE m.kind IN ('enrolled', 'lost') AND m.at >= $1 AND m.at < $2 AND ${sliceOf(filters, params)} ORDER BY m.at, m.event_id`,
      params,
    );
    await db.query('COMMIT');
    const converted = reached.rows.filter((r) => r.kind === 'enrolled').map((r) => r.view);
    const lost = reached.rows.filter((r) => r.kind === 'lost').map((r) => ({ ...r.view, reason: r.view.lostReason }));
    return {
      report, previous, bottlenecks, names, converted, lost,
      needSupport: needingSupport(open, now),
      suggestions: suggestionsFrom({ report, previous, bottlenecks, settings: full, names }),
      courseNames: Object.fromEntries([...open, ...converted, ...lost].map((v) => [v.courseCode, v.courseName])),
    };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}

/**
 * The same report computed from every event of the slice's leads (`computeKpis`, the definition
 * itself): the reference the aggregates are tested and benchmarked against.
 */
export async function recomputedKpis({ pool, settings, period, filters = {}, now }: {
  pool: Pool; settings: KpiSettings; period: KpiPeriod; filters?: KpiFilters; now: string;
}): Promise<{ report: KpiReport; previous: KpiReport }> {
  const { events, leads } = await new KpiSource(pool).load(filters);
  return {
    report: computeKpis({ events, leads, period, settings, now }),
    previous: computeKpis({ events, leads, period: periodBefore(period), settings, now }),
  };
}

/** The period of the same length just before: for week-over-week change. */
export function periodBefore(period: KpiPeriod): KpiPeriod {
  const length = Date.parse(period.to) - Date.parse(period.from);
  return { from: new Date(Date.parse(period.from) - length).toISOString(), to: period.from };
}

async function viewsWith(db: PoolClient, filters: KpiFilters, condition: string, params: unknown[]): Promise<LeadView[]> {
  const all = [...params];
  const slice = sliceOf(filters, all);
  const { rows } = await db.query<{ view: LeadView }>(`SELECT v.view FROM lead_views v WHERE ${condition} AND ${slice}`, all);
  return rows.map((r) => r.view);
}

/** SLA breached, stalled or overdue, breaches first, then by due date: the 15 a person should look at first. */
function needingSupport(views: LeadView[], now: Date): LeadView[] {
  const overdue = (v: LeadView) => !v.paused && v.nextStep !== null && Date.parse(v.nextStep.dueAt) < now.getTime();
  return views
    .filter((v) => OPEN.includes(v.stage) && (v.sla.status === 'breached' || v.stalledSince !== null || overdue(v)))
    .sort((a, b) => Number(b.sla.status === 'breached') - Number(a.sla.status === 'breached') || Date.parse(a.nextStep?.dueAt ?? a.createdAt) - Date.parse(b.nextStep?.dueAt ?? b.createdAt))
    .slice(0, 15);
}

/** Where the follow-up is jammed right now, for a slice of leads; with the team's names and caps. */
export async function bottlenecksNow({ pool, filters = {}, now = new Date(), views: loaded }: {
  pool: Pool; filters?: KpiFilters; now?: Date;
  /** The slice's snapshots (its open ones suffice: nothing else jams), when the caller has them already. */ views?: LeadView[];
}) {
  const routing = new Routing(pool);
  const [views, loads, waiting, people] = await Promise.all([
    // Nothing outside new → closing can be jammed: findBottlenecks looks at those stages only.
    loaded ?? new KpiSource(pool).views(filters, { open: true }),
    routing.loads(),
    routing.waiting(),
    pool.query<{ email: string; name: string; cap: number }>('SELECT email, name, cap FROM users'),
  ]);
  const scopedLoads = filters.owner ? loads.filter((l) => l.email === filters.owner) : loads;
  return {
    bottlenecks: findBottlenecks({ views, loads: scopedLoads, waitingForOwner: waiting.length, now }),
    names: Object.fromEntries(people.rows.map((u) => [u.email, u.name])),
    caps: Object.fromEntries(people.rows.map((u) => [u.email, u.cap])),
  };
}

/** The week the Monday report covers: the seven days up to the moment it is made. */
export function weekBefore(asOf: Date): { from: string; to: string } {
  return { from: new Date(asOf.getTime() - 7 * DAY_MS).toISOString(), to: asOf.toISOString() };
}
