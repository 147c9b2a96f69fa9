import type { Pool } from 'pg';
import type { KpiSettings } from '../../domain/kpi-settings';
import type { LeadView } from '../../domain/lead-view';
import { DAY_MS } from '../../domain/policy';
import { Routing } from '../../integrations/ledger/routing';
import { findBottlenecks, type Bottlenecks } from './bottlenecks';
import { KpiSource, type KpiFilters } from './kpi-source';
import { computeKpis, type KpiReport } from './kpis';
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
 * Everything the director's report and dashboard show for a period and a slice of leads, computed
 * from the ledger and the lead snapshots exactly as docs/kpis.md defines it.
 */
export async function directorNumbers({ pool, settings, period, filters = {}, now = new Date() }: {
  pool: Pool; settings: Omit<KpiSettings, 'caps'>; period: { from: string; to: string }; filters?: KpiFilters; now?: Date;
}): Promise<DirectorNumbers> {
  const { events, leads, views } = await new KpiSource(pool).load(filters);
  const { bottlenecks, names, caps } = await bottlenecksNow({ pool, filters, now, views });
  const full: KpiSettings = { ...settings, caps };
  const length = Date.parse(period.to) - Date.parse(period.from);
  const before = { from: new Date(Date.parse(period.from) - length).toISOString(), to: period.from };
  const report = computeKpis({ events, leads, period, settings: full, now: now.toISOString() });
  const previous = computeKpis({ events, leads, period: before, settings: full, now: now.toISOString() });

  const byId = new Map(views.map((v) => [v.leadId, v]));
  const inPeriod = (at: string) => at >= period.from && at < period.to;
  const reached = (stage: string) => events
    .filter((e) => e.type === 'stage_changed' && e.data.to === stage && inPeriod(e.occurredAt))
    .map((e) => byId.get(e.leadId))
    .filter((v): v is LeadView => Boolean(v));
  const overdue = (v: LeadView) => !v.paused && v.nextStep !== null && Date.parse(v.nextStep.dueAt) < now.getTime();
  const needSupport = views
    .filter((v) => OPEN.includes(v.stage) && (v.sla.status === 'breached' || v.stalledSince !== null || overdue(v)))
    .sort((a, b) => Number(b.sla.status === 'breached') - Number(a.sla.status === 'breached') || Date.parse(a.nextStep?.dueAt ?? a.createdAt) - Date.parse(b.nextStep?.dueAt ?? b.createdAt))
    .slice(0, 15);
  return {
    report, previous, bottlenecks, needSupport, names,
    suggestions: suggestionsFrom({ report, previous, bottlenecks, settings: full, names }),
    converted: reached('enrolled'),
    lost: reached('lost').map((v) => ({ ...v, reason: v.lostReason })),
    courseNames: Object.fromEntries(views.map((v) => [v.courseCode, v.courseName])),
  };
}

/** Where the follow-up is jammed right now, for a slice of leads; with the team's names and caps. */
export async function bottlenecksNow({ pool, filters = {}, now = new Date(), views: loaded }: {
  pool: Pool; filters?: KpiFilters; now?: Date; /** The slice's snapshots, when the caller has them already. */ views?: LeadView[];
}) {
  const routing = new Routing(pool);
  const [views, loads, waiting, people] = await Promise.all([
    loaded ?? new KpiSource(pool).views(filters),
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
