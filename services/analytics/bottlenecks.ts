/**
 * Where the follow-up is jammed right now: backlogs without a reply, overdue next steps, executives
 * over their cap, leads sitting too long in a stage, leads waiting for an owner. A pure function of
 * the lead snapshots and the executives' loads at `now`, and the director's mail about it.
 */
import type { LeadView } from '../../domain/lead-view';
import type { Stage } from '../../domain/lead';
import { DAY_MS } from '../../domain/policy';
import type { ExecutiveLoad } from '../../integrations/ledger/routing';
import { ACTIVE_LEAD_STAGES, percentile } from './kpis';

export interface BottleneckThresholds {
  /** Leads in the cadence (stage contacting) one executive can carry without a reply before it is a backlog. */
  noReplyBacklogPerExecutive: number;
  /** Days a lead may stay in a stage before it counts as sitting there too long; stages left out are not judged. */
  dwellDays: Partial<Record<Stage, number>>;
  /** Hours past due before a next step counts as overdue: a call due this morning is today's work, not a jam. */
  overdueGraceHours: number;
}

export const defaultBottleneckThresholds: BottleneckThresholds = {
  noReplyBacklogPerExecutive: 30,
  overdueGraceHours: 24,
  dwellDays: { contacting: 10, engaged: 7, proposal: 7, closing: 10 },
};

export interface OverdueLead {
  leadId: string;
  name: string;
  /** null: nobody owns the lead. */
  owner: string | null;
  stage: Stage;
  dueAt: string;
  action: string;
}

export interface Bottlenecks {
  at: string;
  /**
   * Per executive (owner email, or '' for unassigned), most first: leads in follow-up (stage
   * contacting) with no reply or proposal yet, and whether that is over the threshold (`limit`).
   * Unassigned leads are never "over": they are counted in `waitingForOwner`.
   */
  noReply: { owner: string; count: number; over: boolean; limit: number }[];
  /**
   * Open leads (new..closing), not paused, whose next step's `dueAt` is before `now`: their number,
   * per owner ('' for unassigned) and per stage, plus the 20 most overdue leads, oldest due first.
   */
  overdue: { total: number; byOwner: Record<string, number>; byStage: Record<string, number>; worst: OverdueLead[] };
  /** Executives with more active leads than their cap (at the cap is not over). */
  overCap: { email: string; name: string; active: number; cap: number }[];
  /**
   * Per judged stage, in funnel order: leads in it (paused ones left out, as the stall clock leaves
   * them out), those whose dwell (now − stageSince) exceeds the stage's threshold, the median dwell in
   * days (nearest rank), and the leads over the threshold per owner ('' for unassigned).
   */
  dwell: { stage: Stage; over: number; total: number; medianDays: number | null; byOwner: Record<string, number>; limitDays: number }[];
  /** Leads in the routing queue: everyone who could take them is at their cap or away. */
  waitingForOwner: number;
  /** True when anything above needs the director. */
  any: boolean;
}

const WORST_OVERDUE = 20;

const increment = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const leadName = (v: Pick<LeadView, 'firstName' | 'lastName'>) => `${v.firstName} ${v.lastName}`.trim();

export function findBottlenecks({ views, loads, waitingForOwner, now, thresholds = defaultBottleneckThresholds }: {
  views: LeadView[];
  loads: ExecutiveLoad[];
  waitingForOwner: number;
  now: Date;
  thresholds?: BottleneckThresholds;
}): Bottlenecks {
  const nowMs = now.getTime();

  const backlog: Record<string, number> = {};
  for (const v of views) if (v.stage === 'contacting') increment(backlog, v.owner ?? '');
  const noReply = Object.entries(backlog)
    .map(([owner, count]) => ({ owner, count, over: owner !== '' && count > thresholds.noReplyBacklogPerExecutive, limit: thresholds.noReplyBacklogPerExecutive }))
    .sort((a, b) => b.count - a.count || a.owner.localeCompare(b.owner));

  const late = views
    .filter((v) => ACTIVE_LEAD_STAGES.includes(v.stage) && !v.paused && v.nextStep !== null && Date.parse(v.nextStep.dueAt) < nowMs - thresholds.overdueGraceHours * 3_600_000)
    .sort((a, b) => Date.parse(a.nextStep!.dueAt) - Date.parse(b.nextStep!.dueAt) || a.leadId.localeCompare(b.leadId));
  const overdue: Bottlenecks['overdue'] = { total: late.length, byOwner: {}, byStage: {}, worst: [] };
  for (const v of late) {
    increment(overdue.byOwner, v.owner ?? '');
    increment(overdue.byStage, v.stage);
  }
  overdue.worst = late.slice(0, WORST_OVERDUE).map((v) => ({
    leadId: v.leadId, name: leadName(v), owner: v.owner, stage: v.stage, dueAt: v.nextStep!.dueAt, action: v.nextStep!.action,
  }));

  const overCap = loads
    .filter((l) => l.active > l.cap)
    .map(({ email, name, active, cap }) => ({ email, name, active, cap }))
    .sort((a, b) => b.active - b.cap - (a.active - a.cap) || a.name.localeCompare(b.name));

  const judged = ACTIVE_LEAD_STAGES.filter((s) => thresholds.dwellDays[s] !== undefined);
  const dwell = judged.map((stage) => {
    const limit = thresholds.dwellDays[stage]!;
    const inStage = views.filter((v) => v.stage === stage && !v.paused);
    const days = inStage.map((v) => (nowMs - Date.parse(v.stageSince)) / DAY_MS);
    const byOwner: Record<string, number> = {};
    inStage.forEach((v, i) => {
      if (days[i]! > limit) increment(byOwner, v.owner ?? '');
    });
    return { stage, over: days.filter((d) => d > limit).length, total: inStage.length, medianDays: percentile(days, 50), byOwner, limitDays: limit };
  });

  const any = overdue.total > 0 || noReply.some((r) => r.over) || overCap.length > 0 || dwell.some((d) => d.over > 0) || waitingForOwner > 0;
  return { at: now.toISOString(), noReply, overdue, overCap, dwell, waitingForOwner, any };
}
