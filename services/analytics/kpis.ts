/**
 * The follow-up KPIs, computed exactly as docs/kpis.md defines them: a pure function of the ledger's
 * lead events, the current lead snapshots, a period and a moment `now`. Every rule below has its
 * sentence in the doc; change both together.
 */
import type { Channel } from '../../domain/cadence';
import { TERMINAL_STAGES, type Stage } from '../../domain/lead';
import { POSITIVE_OUTCOMES } from '../../domain/lifecycle';
import { ACTIVE_LEAD_STAGES, ENGAGED_OR_BEYOND, leavesNextStep, PROPOSAL_OR_BEYOND, RESPONSE_OUTCOMES, slaJudgement, SYSTEM_RECORDERS } from '../../domain/kpi-facts';
import type { OutcomeType } from '../../domain/outcomes';
import type { KpiSettings } from '../../domain/kpi-settings';
import { DAY_MS } from '../../domain/policy';
import { funnelOf } from './funnel';

// Configuration (config/ parses it), so defined below both in domain/; re-exported for computeKpis' callers.
export { defaultKpiSettings, type KpiSettings } from '../../domain/kpi-settings';
// The rules the ledger's aggregates share (domain/kpi-facts.ts); re-exported for this module's callers.
export { ACTIVE_LEAD_STAGES, leavesNextStep, RESPONSE_OUTCOMES, SYSTEM_RECORDERS } from '../../domain/kpi-facts';

/** One row of `lead_events`. */
export interface KpiEvent {
  leadId: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** One lead as its snapshot says it is now: every figure is attributed to this owner, country and course. */
export interface KpiLead {
  leadId: string;
  owner: string | null;
  country: string;
  courseCode: string;
  createdAt: string;
  stage: Stage;
}

/** Half-open: `from` included, `to` excluded. */
export interface KpiPeriod {
  from: string;
  to: string;
}

export type PerChannel<T> = Record<Channel, T>;

/**
 * Rates are percentages (0–100), durations hours or days, money in the currency of the settings.
 * A figure whose denominator is 0 is null. Capacity and cost figures are null in the country and
 * course breakdowns: caps and salaries belong to executives, not to countries or courses.
 */
export interface KpiFigures {
  /** Leads whose snapshot `createdAt` falls in the period: the creation cohort. */
  leadsCreated: number;
  /** Leads with at least one event in the period. */
  leadsManaged: number;

  /** `lead_assigned` + `lead_reassigned` events in the period. */
  assignments: number;
  assignmentsPerWeek: number | null;

  /** Touches made in the period, and those of them that got a response, per channel. */
  touchesMade: PerChannel<number>;
  touchesAnswered: PerChannel<number>;
  contactRatePercent: PerChannel<number | null>;

  /** Leads that became enrolled or archived in the period, and their average touches made until then. */
  leadsClosedOrArchived: number;
  touchesBeforeCloseAvg: number | null;

  /** Creation cohort: hours from creation to the first contact, over the cohort's contacted leads. */
  firstContactAvgHours: number | null;
  firstContactP90Hours: number | null;
  /** Creation cohort leads whose SLA is decided, and those contacted within it. */
  slaJudged: number;
  slaMet: number;
  firstContactWithinSlaPercent: number | null;

  /** Leads with a `lead_stalled` in the period, and those of them reactivated before the period ended. */
  leadsStalled: number;
  stalledReactivated: number;
  stalledReactivatedPercent: number | null;

  /** Creation cohort: contacted leads, and those of them that reached proposal or the closer. */
  cohortContacted: number;
  cohortProposalOrCloser: number;
  contactedToProposalPercent: number | null;

  /** At `now`: leads in new/contacting/engaged/proposal/closing (owned or not). */
  activeLeads: number;
  executives: number | null;
  cap: number | null;
  activeLeadsPerExecutive: number | null;
  capUsagePercent: number | null;

  /** Outcomes recorded by a person in the period that leave the lead open, and those that set a next step. */
  outcomesNeedingNextStep: number;
  outcomesWithNextStep: number;
  nextStepPercent: number | null;

  /** Leads enrolled in the period; days from creation to enrolled. */
  leadsEnrolled: number;
  velocityMedianDays: number | null;
  velocityP90Days: number | null;

  teamCost: number | null;
  costPerLeadManaged: number | null;
  /** Price of the courses of the leads enrolled in the period. */
  revenue: number;
  /** baselineConversionRate × price of the courses of the leads created in the period. */
  baselineRevenue: number;
  incrementalValue: number;

  /** Leads with their `first_contact` event in the period (activity, not cohort). */
  leadsFirstContacted: number;
  /** Leads reactivated in the period: a `lead_reactivated` event, a stalled conversation revived, or a person back for a new follow-up. */
  leadsReactivated: number;
}

export interface KpiActivity {
  newLeadsContacted: number;
  reactivated: number;
  nextStepPercent: number | null;
  goals: { newLeadsContacted: number; reactivated: number; nextStepPercent: number };
  met: { newLeadsContacted: boolean; reactivated: boolean; nextStepPercent: boolean | null };
}

/** Interests that started a follow-up, and how far each got (services/analytics/funnel.ts). */
export interface KpiFunnel {
  created: number;
  /** The distinct people behind them: a person back for another course is one person, two entries. */
  people: number;
  contacted: number;
  engaged: number;
  proposalOrCloser: number;
  enrolled: number;
}

export interface KpiReport {
  period: KpiPeriod;
  overall: KpiFigures;
  byExecutive: Record<string, KpiFigures>;
  byCountry: Record<string, KpiFigures>;
  byCourse: Record<string, KpiFigures>;
  activity: Record<string, KpiActivity>;
  /** Creation cohort, followed up to `now`. */
  funnel: KpiFunnel;
}

/** Nearest rank: the value at 1-based rank ⌈p/100 × n⌉ of the ascending values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const percent = (n: number, d: number): number | null => (d === 0 ? null : (100 * n) / d);
const mean = (values: readonly number[]): number | null => ratio(sum(values), values.length);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const perChannel = <T>(make: (channel: Channel) => T): PerChannel<T> =>
  ({ call: make('call'), linkedin: make('linkedin'), email: make('email') });

function instant(iso: string, what: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`${what} is not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  return t;
}

/** What one lead contributes to every figure; groups only add these up. */
export interface LeadFacts {
  lead: KpiLead;
  price: number;
  managed: boolean;
  createdInPeriod: boolean;
  assignments: number;
  touchesMade: PerChannel<number>;
  touchesAnswered: PerChannel<number>;
  touchesBeforeClose: number | null;
  firstContactHours: number | null;
  sla: 'met' | 'missed' | null;
  contacted: boolean;
  engaged: boolean;
  proposalOrCloser: boolean;
  enrolledInCohort: boolean;
  stalled: boolean;
  stalledReactivated: boolean;
  active: boolean;
  outcomesNeedingNextStep: number;
  outcomesWithNextStep: number;
  enrolledInPeriod: boolean;
  velocityDays: number | null;
  firstContactedInPeriod: boolean;
  reactivatedInPeriod: boolean;
}

interface Frame {
  from: number;
  to: number;
  now: number;
  settings: KpiSettings;
}

function factsOf(lead: KpiLead, events: readonly KpiEvent[], { from, to, now, settings }: Frame): LeadFacts {
  const createdAt = instant(lead.createdAt, `createdAt of lead ${lead.leadId}`);
  const inPeriod = (t: number) => t >= from && t < to;
  const createdInPeriod = inPeriod(createdAt);
  const facts: LeadFacts = {
    lead,
    price: settings.coursePrices[lead.courseCode] ?? settings.defaultCoursePrice,
    managed: false,
    createdInPeriod,
    assignments: 0,
    touchesMade: perChannel(() => 0),
    touchesAnswered: perChannel(() => 0),
    touchesBeforeClose: null,
    firstContactHours: null,
    sla: null,
    contacted: false,
    engaged: false,
    proposalOrCloser: false,
    enrolledInCohort: false,
    stalled: false,
    stalledReactivated: false,
    active: ACTIVE_LEAD_STAGES.includes(lead.stage),
    outcomesNeedingNextStep: 0,
    outcomesWithNextStep: 0,
    enrolledInPeriod: false,
    velocityDays: null,
    firstContactedInPeriod: false,
    reactivatedInPeriod: false,
  };

  let touchesSoFar = 0;
  /** The last email touch, until the lead's next touch: a response recorded meanwhile answers it. */
  let openEmail: { counted: boolean; answered: boolean } | null = null;
  const closeEmail = () => {
    if (openEmail?.counted && openEmail.answered) facts.touchesAnswered.email += 1;
    openEmail = null;
  };
  let stallOpen = false;
  let firstContactAt: number | null = null;
  let leftFunnelAt: number | null = null;
  const reached = new Set<Stage>();

  for (const event of events) {
    const t = instant(event.occurredAt, `occurredAt of ${event.type} on lead ${lead.leadId}`);
    const d = event.data;
    if (inPeriod(t)) facts.managed = true;
    switch (event.type) {
      case 'lead_assigned':
      case 'lead_reassigned':
        if (inPeriod(t)) facts.assignments += 1;
        break;
      case 'touch_due':
        closeEmail();
        break;
      case 'email_sent':
        if (d.template === 'welcome') break;
        closeEmail();
        touchesSoFar += 1;
        openEmail = { counted: inPeriod(t), answered: false };
        if (inPeriod(t)) facts.touchesMade.email += 1;
        break;
      case 'outcome_recorded': {
        const outcome = d.outcome as OutcomeType;
        const channel = d.touchChannel as Channel | null | undefined;
        const response = RESPONSE_OUTCOMES.includes(outcome);
        // The outcome closes the call or LinkedIn task that was open, except an unsubscribe.
        if ((channel === 'call' || channel === 'linkedin') && outcome !== 'opted_out') {
          touchesSoFar += 1;
          if (inPeriod(t)) {
            facts.touchesMade[channel] += 1;
            if (response) facts.touchesAnswered[channel] += 1;
          }
        } else if (!channel && response && openEmail && t < to) {
          openEmail.answered = true;
        }
        if (POSITIVE_OUTCOMES.includes(outcome) && stallOpen) {
          stallOpen = false;
          if (inPeriod(t)) facts.reactivatedInPeriod = true;
          if (facts.stalled && t < to) facts.stalledReactivated = true;
        }
        const by = typeof d.by === 'string' ? d.by : null;
        const byPerson = outcome !== 'opted_out' && !(by !== null && SYSTEM_RECORDERS.includes(by));
        const stageAfter = d.stageAfter as Stage;
        if (inPeriod(t) && byPerson && !TERMINAL_STAGES.includes(stageAfter)) {
          facts.outcomesNeedingNextStep += 1;
          if (leavesNextStep(outcome, stageAfter)) facts.outcomesWithNextStep += 1;
        }
        break;
      }
      case 'first_contact':
        if (inPeriod(t)) facts.firstContactedInPeriod = true;
        if (firstContactAt === null && t <= now) firstContactAt = t;
        break;
      case 'lead_stalled':
        stallOpen = true;
        if (inPeriod(t)) facts.stalled = true;
        break;
      case 'lead_reactivated':
        if (inPeriod(t)) facts.reactivatedInPeriod = true;
        break;
      case 'lead_enrolled':
        // A person back after a follow-up that ended lost or enrolled: back in the active funnel.
        if (d.returning && inPeriod(t)) facts.reactivatedInPeriod = true;
        break;
      case 'stage_changed': {
        const stage = d.to as Stage;
        if (t <= now) reached.add(stage);
        if (TERMINAL_STAGES.includes(stage) && leftFunnelAt === null) leftFunnelAt = t;
        if (inPeriod(t) && (stage === 'enrolled' || stage === 'archived')) facts.touchesBeforeClose = touchesSoFar;
        if (inPeriod(t) && stage === 'enrolled') {
          facts.enrolledInPeriod = true;
          facts.velocityDays = (t - createdAt) / DAY_MS;
        }
        break;
      }
    }
  }
  closeEmail();

  if (createdInPeriod) {
    Object.assign(facts, slaJudgement({ createdAt, firstContactAt, leftFunnelAt, now, slaHours: settings.slaHours }));
    facts.contacted = firstContactAt !== null;
    facts.engaged = ENGAGED_OR_BEYOND.some((s) => reached.has(s));
    facts.proposalOrCloser = PROPOSAL_OR_BEYOND.some((s) => reached.has(s));
    facts.enrolledInCohort = reached.has('enrolled');
  }
  return facts;
}

interface Scope {
  days: number;
  settings: KpiSettings;
  /** The executives whose caps and cost the group carries; null where that makes no sense. */
  executives: readonly string[] | null;
}

/** Right-now figures of a group: its active leads, and those of them someone owns. */
export interface GroupLoad { active: number; activeOwned: number }

const loadOf = (all: readonly LeadFacts[]): GroupLoad =>
  ({ active: all.filter((f) => f.active).length, activeOwned: all.filter((f) => f.active && f.lead.owner !== null).length });

function figuresOf(all: readonly LeadFacts[], { days, settings, executives }: Scope, load: GroupLoad = loadOf(all)): KpiFigures {
  const count = (pick: (f: LeadFacts) => boolean) => all.filter(pick).length;
  const total = (pick: (f: LeadFacts) => number) => sum(all.map(pick));
  const values = (pick: (f: LeadFacts) => number | null) => all.map(pick).filter((v): v is number => v !== null);

  const weeks = days / 7;
  const assignments = total((f) => f.assignments);
  const touchesMade = perChannel((c) => total((f) => f.touchesMade[c]));
  const touchesAnswered = perChannel((c) => total((f) => f.touchesAnswered[c]));
  const beforeClose = values((f) => f.touchesBeforeClose);
  const firstContact = values((f) => f.firstContactHours);
  const slaJudged = count((f) => f.sla !== null);
  const slaMet = count((f) => f.sla === 'met');
  const leadsStalled = count((f) => f.stalled);
  const stalledReactivated = count((f) => f.stalledReactivated);
  const cohortContacted = count((f) => f.contacted);
  const cohortProposalOrCloser = count((f) => f.proposalOrCloser);
  const needing = total((f) => f.outcomesNeedingNextStep);
  const withNextStep = total((f) => f.outcomesWithNextStep);
  const velocity = values((f) => f.velocityDays);
  const leadsManaged = count((f) => f.managed);
  const revenue = total((f) => (f.enrolledInPeriod ? f.price : 0));
  const baselineRevenue = settings.baselineConversionRate * total((f) => (f.createdInPeriod ? f.price : 0));

  let capacity: Pick<KpiFigures, 'executives' | 'cap' | 'activeLeadsPerExecutive' | 'capUsagePercent' | 'teamCost' | 'costPerLeadManaged'> = {
    executives: null, cap: null, activeLeadsPerExecutive: null, capUsagePercent: null, teamCost: null, costPerLeadManaged: null,
  };
  if (executives) {
    // The group's executives own every owned lead of the group (overall: all executives, all owned leads).
    const owned = load.activeOwned;
    const cap = sum(executives.map((e) => settings.caps[e] ?? settings.defaultCap));
    const teamCost = settings.monthlyCostPerExecutive * executives.length * (days / 30);
    capacity = {
      executives: executives.length,
      cap,
      activeLeadsPerExecutive: ratio(owned, executives.length),
      capUsagePercent: percent(owned, cap),
      teamCost,
      costPerLeadManaged: ratio(teamCost, leadsManaged),
    };
  }

  return {
    leadsCreated: count((f) => f.createdInPeriod),
    leadsManaged,
    assignments,
    assignmentsPerWeek: ratio(assignments, weeks),
    touchesMade,
    touchesAnswered,
    contactRatePercent: perChannel((c) => percent(touchesAnswered[c], touchesMade[c])),
    leadsClosedOrArchived: beforeClose.length,
    touchesBeforeCloseAvg: mean(beforeClose),
    firstContactAvgHours: mean(firstContact),
    firstContactP90Hours: percentile(firstContact, 90),
    slaJudged,
    slaMet,
    firstContactWithinSlaPercent: percent(slaMet, slaJudged),
    leadsStalled,
    stalledReactivated,
    stalledReactivatedPercent: percent(stalledReactivated, leadsStalled),
    cohortContacted,
    cohortProposalOrCloser,
    contactedToProposalPercent: percent(cohortProposalOrCloser, cohortContacted),
    activeLeads: load.active,
    ...capacity,
    outcomesNeedingNextStep: needing,
    outcomesWithNextStep: withNextStep,
    nextStepPercent: percent(withNextStep, needing),
    leadsEnrolled: count((f) => f.enrolledInPeriod),
    velocityMedianDays: percentile(velocity, 50),
    velocityP90Days: percentile(velocity, 90),
    revenue,
    baselineRevenue,
    incrementalValue: revenue - baselineRevenue,
    leadsFirstContacted: count((f) => f.firstContactedInPeriod),
    leadsReactivated: count((f) => f.reactivatedInPeriod),
  };
}

function groupBy(all: readonly LeadFacts[], key: (f: LeadFacts) => string | null): Map<string, LeadFacts[]> {
  const groups = new Map<string, LeadFacts[]>();
  for (const f of all) {
    const k = key(f);
    if (k === null) continue;
    const group = groups.get(k);
    if (group) group.push(f);
    else groups.set(k, [f]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

const mapValues = <T, U>(map: Map<string, T>, f: (value: T, key: string) => U): Record<string, U> =>
  Object.fromEntries([...map].map(([k, v]) => [k, f(v, k)]));

export function computeKpis({ events, leads, period, settings, now }: {
  events: readonly KpiEvent[];
  leads: readonly KpiLead[];
  period: KpiPeriod;
  settings: KpiSettings;
  now: string;
}): KpiReport {
  const from = instant(period.from, 'period.from');
  const to = instant(period.to, 'period.to');
  if (to < from) throw new RangeError('period.to must not be before period.from');
  const frame: Frame = { from, to, now: instant(now, 'now'), settings };
  const days = (to - from) / DAY_MS;

  const eventsByLead = new Map<string, KpiEvent[]>();
  for (const e of events) eventsByLead.set(e.leadId, [...(eventsByLead.get(e.leadId) ?? []), e]);
  const histories = leads.map((lead) => ({
    lead,
    events: (eventsByLead.get(lead.leadId) ?? [])
      .map((e, i) => ({ e, i, t: instant(e.occurredAt, `occurredAt of ${e.type} on lead ${e.leadId}`) }))
      // Same instant: the order the ledger received them in (an outcome before its first_contact and stage_changed).
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .map(({ e }) => e),
  }));
  const facts = histories.map(({ lead, events: own }) => factsOf(lead, own, frame));
  const groups = (key: (f: LeadFacts) => string | null) => new Map([...groupBy(facts, key)].map(([k, group]) => [k, loadOf(group)]));
  return reportOf({
    period, days, settings, facts,
    groups: { overall: loadOf(facts), byOwner: groups((f) => f.lead.owner), byCountry: groups((f) => f.lead.country), byCourse: groups((f) => f.lead.courseCode) },
    funnel: funnelOf(histories, { from, to, now: frame.now, responses: RESPONSE_OUTCOMES }),
  });
}

/** Every group of a slice of leads (all of them, not only those with figures), with its right-now load. */
export interface ReportGroups {
  overall: GroupLoad;
  byOwner: Map<string, GroupLoad>;
  byCountry: Map<string, GroupLoad>;
  byCourse: Map<string, GroupLoad>;
}

/**
 * The report from what each lead contributes: `facts` may leave out leads that contribute nothing to
 * the period or its cohort, as long as `groups` names every group and its load.
 */
export function reportOf({ period, days, settings, facts, groups, funnel }: {
  period: KpiPeriod; days: number; settings: KpiSettings; facts: readonly LeadFacts[]; groups: ReportGroups; funnel: KpiFunnel;
}): KpiReport {
  const sorted = <T>(map: Map<string, T>) => new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
  const members = (key: (f: LeadFacts) => string | null) => groupBy(facts, key);
  const breakdown = (loads: Map<string, GroupLoad>, key: (f: LeadFacts) => string | null, scope: (k: string) => readonly string[] | null) => {
    const byKey = members(key);
    return mapValues(sorted(loads), (load, k) => figuresOf(byKey.get(k) ?? [], { days, settings, executives: scope(k) }, load));
  };
  const executives = [...sorted(groups.byOwner).keys()];
  const byExecutive = breakdown(groups.byOwner, (f) => f.lead.owner, (exec) => [exec]);
  const { targets } = settings;
  const activity = mapValues(sorted(groups.byOwner), (_load, exec): KpiActivity => {
    const f = byExecutive[exec]!;
    const goals = {
      newLeadsContacted: targets.newLeadsContactedPerDay * days,
      reactivated: targets.reactivationsPerWeek * (days / 7),
      nextStepPercent: targets.nextStepPercent,
    };
    return {
      newLeadsContacted: f.leadsFirstContacted,
      reactivated: f.leadsReactivated,
      nextStepPercent: f.nextStepPercent,
      goals,
      met: {
        newLeadsContacted: f.leadsFirstContacted >= goals.newLeadsContacted,
        reactivated: f.leadsReactivated >= goals.reactivated,
        nextStepPercent: f.nextStepPercent === null ? null : f.nextStepPercent >= goals.nextStepPercent,
      },
    };
  });

  return {
    period: { from: period.from, to: period.to },
    overall: figuresOf(facts, { days, settings, executives }, groups.overall),
    byExecutive,
    byCountry: breakdown(groups.byCountry, (f) => f.lead.country, () => null),
    byCourse: breakdown(groups.byCourse, (f) => f.lead.courseCode, () => null),
    activity,
    funnel,
  };
}
