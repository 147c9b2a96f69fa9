/**
 * What one lead's history contributes to the KPIs (docs/kpis.md), whatever the period: the facts the
 * ledger keeps per lead, per hour and per milestone, so that the dashboard and the weekly report add
 * up a period's rows instead of replaying every event. The same rules as `computeKpis` (the full
 * recomputation, services/analytics/kpis.ts), cut where a period could fall: a test holds the two equal.
 */
import type { Channel } from './cadence';
import { TERMINAL_STAGES, type Stage } from './lead';
import { POSITIVE_OUTCOMES, TALKING_STAGES } from './lifecycle';
import type { OutcomeType } from './outcomes';

/** Recorders that are not a person working the lead. */
export const SYSTEM_RECORDERS: readonly string[] = ['inbound-email', 'zoho', 'workflow', 'unsubscribe-link'];

/** The lead answered: every positive outcome, and a plain "no". */
export const RESPONSE_OUTCOMES: readonly OutcomeType[] = [...POSITIVE_OUTCOMES, 'not_interested'];

/** Stages that take up an executive's capacity (the same list as routing's CAPACITY_STAGES). */
export const ACTIVE_LEAD_STAGES: readonly Stage[] = ['new', 'contacting', 'engaged', 'proposal', 'closing'];

export const ENGAGED_OR_BEYOND: readonly Stage[] = ['engaged', 'proposal', 'closing', 'enrolled'];
export const PROPOSAL_OR_BEYOND: readonly Stage[] = ['proposal', 'closing', 'enrolled'];

/** Outcomes for which the lifecycle always writes a human next step (humanNextStep in domain/lifecycle.ts). */
const NEXT_STEP_OUTCOMES: readonly OutcomeType[] = [
  'call_back_later', 'meeting_scheduled', 'proposal_requested', 'proposal_sent', 'handed_to_closer',
  'contacted', 'replied', 'interested', 'wrong_contact',
];

/**
 * Whether recording `outcome` leaves the lead with a human next step, as `applyOutcome` decides it:
 * never once the lead is closed; `no_answer` only while in a conversation (otherwise the cadence just
 * moves on). A unit test holds this against `applyOutcome` for every outcome and stage.
 */
export function leavesNextStep(outcome: OutcomeType, stageAfter: Stage): boolean {
  if (TERMINAL_STAGES.includes(stageAfter)) return false;
  if (outcome === 'no_answer') return TALKING_STAGES.includes(stageAfter);
  return NEXT_STEP_OUTCOMES.includes(outcome);
}

export const HOUR_MS = 60 * 60 * 1000;

/** One event as the ledger stores it; `id` orders events of the same instant. */
/**
 * A lead's first-contact SLA as the KPIs judge it (docs/kpis.md): met or missed by its first contact,
 * missed once the deadline passed without one, and not judged when the lead was closed (opted out,
 * lost) by its deadline without contact, since the workflow stops the SLA clock too. Times in ms.
 */
export function slaJudgement({ createdAt, firstContactAt, leftFunnelAt, now, slaHours }: {
  createdAt: number; firstContactAt: number | null; leftFunnelAt: number | null; now: number; slaHours: number;
}): { sla: 'met' | 'missed' | null; firstContactHours: number | null } {
  const deadline = createdAt + slaHours * HOUR_MS;
  if (firstContactAt !== null) return { sla: firstContactAt <= deadline ? 'met' : 'missed', firstContactHours: (firstContactAt - createdAt) / HOUR_MS };
  const closedByDeadline = leftFunnelAt !== null && leftFunnelAt <= deadline && leftFunnelAt <= now;
  return { sla: !closedByDeadline && now >= deadline ? 'missed' : null, firstContactHours: null };
}

export interface FactEvent {
  id: number;
  type: string;
  /** Milliseconds since the epoch. */
  at: number;
  data: Record<string, unknown>;
}

/** The period figures that add up event by event. */
export interface EventCounts {
  events: number;
  assignments: number;
  touchesCall: number;
  touchesLinkedin: number;
  touchesEmail: number;
  answeredCall: number;
  answeredLinkedin: number;
  outcomesNeedingNextStep: number;
  outcomesWithNextStep: number;
}

export const COUNT_KEYS: readonly (keyof EventCounts)[] = [
  'events', 'assignments', 'touchesCall', 'touchesLinkedin', 'touchesEmail', 'answeredCall', 'answeredLinkedin',
  'outcomesNeedingNextStep', 'outcomesWithNextStep',
];

export const noCounts = (): EventCounts =>
  ({ events: 0, assignments: 0, touchesCall: 0, touchesLinkedin: 0, touchesEmail: 0, answeredCall: 0, answeredLinkedin: 0, outcomesNeedingNextStep: 0, outcomesWithNextStep: 0 });

/**
 * Moments a period figure counts leads (not events) by, or needs a second time for:
 * - `first_contact`: a `first_contact` event;
 * - `stalled`: a `lead_stalled`; `until` is the positive outcome that revived it (null: not yet);
 * - `reactivated`: a `lead_reactivated`, a returning `lead_enrolled`, or a positive outcome that revived a stall;
 * - `closed`: a `stage_changed` to enrolled or archived; `n` is the touches made by then;
 * - `enrolled`, `lost`: a `stage_changed` to that stage;
 * - `email_answered`: an email touch sent `at`, answered (a response with no call/LinkedIn task open,
 *   before the lead's next touch) at `until`.
 */
export type MarkKind = 'first_contact' | 'stalled' | 'reactivated' | 'closed' | 'enrolled' | 'lost' | 'email_answered';

export interface Mark {
  kind: MarkKind;
  at: number;
  until: number | null;
  n: number | null;
  eventId: number;
}

/** The first moment of each thing the creation cohort is judged by; null: never. */
export interface CohortFacts {
  firstContactAt: number | null;
  leftFunnelAt: number | null;
  engagedAt: number | null;
  proposalAt: number | null;
  enrolledAt: number | null;
}

/** One follow-up (an interest) of the funnel, and when it first reached each level. */
export interface FollowUpFacts {
  seq: number;
  /** null: the lead's own `createdAt` (its snapshot's), unknown to the events. */
  startedAt: number | null;
  contactedAt: number | null;
  engagedAt: number | null;
  proposalAt: number | null;
  enrolledAt: number | null;
}

export interface LeadKpiFacts {
  cohort: CohortFacts;
  /** Each event's own counts, in order: hour rows add them up; a period's partial hours read them one by one. */
  counts: { at: number; counts: EventCounts }[];
  marks: Mark[];
  followUps: FollowUpFacts[];
}

const earliest = (current: number | null, t: number) => (current === null || t < current ? t : current);

/** Adds up `counts` per UTC hour. */
export function hourRows(counts: LeadKpiFacts['counts']): Map<number, EventCounts> {
  const hours = new Map<number, EventCounts>();
  for (const { at, counts: c } of counts) {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const row = hours.get(hour) ?? noCounts();
    for (const k of COUNT_KEYS) row[k] += c[k];
    hours.set(hour, row);
  }
  return hours;
}

const isStart = (e: FactEvent) => e.type === 'lead_enrolled' || (e.type === 'lead_reactivated' && e.data.by === 'new_interaction');

/**
 * The lead's follow-ups as the funnel cuts them (services/analytics/funnel.ts `followUpsOf`): a start
 * is a `lead_enrolled` or a `lead_reactivated` by `new_interaction`; events before the first start
 * belong to the first follow-up.
 */
function followUpsOf(events: readonly FactEvent[]): FollowUpFacts[] {
  const enrolments = events.filter((e) => e.type === 'lead_enrolled').length;
  const startOf = (e: FactEvent): number | null => {
    if (e.type === 'lead_enrolled') {
      if (typeof e.data.createdAt === 'string') return Date.parse(e.data.createdAt);
      if (enrolments === 1) return null;
    }
    return e.at;
  };
  const followUps: (FollowUpFacts & { restart: boolean; started: boolean })[] = [];
  let current: (typeof followUps)[number] | undefined;
  for (const e of events) {
    if (!current || (isStart(e) && (current.started || e.type === 'lead_reactivated'))) {
      current = { seq: followUps.length, startedAt: null, restart: false, started: false, contactedAt: null, engagedAt: null, proposalAt: null, enrolledAt: null };
      followUps.push(current);
    }
    if (isStart(e)) Object.assign(current, { startedAt: startOf(e), restart: e.type === 'lead_reactivated', started: true });
    if (e.type === 'first_contact' || (current.restart && e.type === 'outcome_recorded' && RESPONSE_OUTCOMES.includes(e.data.outcome as OutcomeType))) {
      current.contactedAt = earliest(current.contactedAt, e.at);
    }
    if (e.type === 'stage_changed') {
      const stage = e.data.to as Stage;
      if (ENGAGED_OR_BEYOND.includes(stage)) current.engagedAt = earliest(current.engagedAt, e.at);
      if (PROPOSAL_OR_BEYOND.includes(stage)) current.proposalAt = earliest(current.proposalAt, e.at);
      if (stage === 'enrolled') current.enrolledAt = earliest(current.enrolledAt, e.at);
    }
  }
  if (!followUps.length) return [{ seq: 0, startedAt: null, contactedAt: null, engagedAt: null, proposalAt: null, enrolledAt: null }];
  return followUps.map(({ restart: _restart, started: _started, ...f }) => f);
}

/**
 * Everything one lead contributes to the KPIs, from its whole history in the ledger's order
 * (`occurredAt`, then id). Deterministic: rebuilding it from the same events gives the same rows.
 */
export function leadKpiFacts(ordered: readonly FactEvent[]): LeadKpiFacts {
  const cohort: CohortFacts = { firstContactAt: null, leftFunnelAt: null, engagedAt: null, proposalAt: null, enrolledAt: null };
  const counts: LeadKpiFacts['counts'] = [];
  const marks: Mark[] = [];
  const mark = (kind: MarkKind, e: FactEvent, extra: Partial<Pick<Mark, 'until' | 'n'>> = {}): Mark => {
    const m: Mark = { kind, at: e.at, until: null, n: null, eventId: e.id, ...extra };
    marks.push(m);
    return m;
  };

  let touchesSoFar = 0;
  /** The last email touch, until the lead's next touch: the first response recorded meanwhile answers it. */
  let openEmail: { event: FactEvent; answeredAt: number | null } | null = null;
  const closeEmail = () => {
    if (openEmail?.answeredAt != null) mark('email_answered', openEmail.event, { until: openEmail.answeredAt });
    openEmail = null;
  };
  /** Stalls no positive outcome has revived yet. */
  let openStalls: Mark[] = [];

  for (const e of ordered) {
    const c = noCounts();
    c.events = 1;
    const d = e.data;
    switch (e.type) {
      case 'lead_assigned':
      case 'lead_reassigned':
        c.assignments = 1;
        break;
      case 'touch_due':
        closeEmail();
        break;
      case 'email_sent':
        if (d.template === 'welcome') break;
        closeEmail();
        touchesSoFar += 1;
        openEmail = { event: e, answeredAt: null };
        c.touchesEmail = 1;
        break;
      case 'outcome_recorded': {
        const outcome = d.outcome as OutcomeType;
        const channel = d.touchChannel as Channel | null | undefined;
        const response = RESPONSE_OUTCOMES.includes(outcome);
        if ((channel === 'call' || channel === 'linkedin') && outcome !== 'opted_out') {
          touchesSoFar += 1;
          if (channel === 'call') {
            c.touchesCall = 1;
            if (response) c.answeredCall = 1;
          } else {
            c.touchesLinkedin = 1;
            if (response) c.answeredLinkedin = 1;
          }
        } else if (!channel && response && openEmail && openEmail.answeredAt === null) {
          openEmail.answeredAt = e.at;
        }
        if (POSITIVE_OUTCOMES.includes(outcome) && openStalls.length) {
          for (const stall of openStalls) stall.until = e.at;
          openStalls = [];
          mark('reactivated', e);
        }
        const by = typeof d.by === 'string' ? d.by : null;
        const byPerson = outcome !== 'opted_out' && !(by !== null && SYSTEM_RECORDERS.includes(by));
        const stageAfter = d.stageAfter as Stage;
        if (byPerson && !TERMINAL_STAGES.includes(stageAfter)) {
          c.outcomesNeedingNextStep = 1;
          if (leavesNextStep(outcome, stageAfter)) c.outcomesWithNextStep = 1;
        }
        break;
      }
      case 'first_contact':
        mark('first_contact', e);
        cohort.firstContactAt = earliest(cohort.firstContactAt, e.at);
        break;
      case 'lead_stalled':
        openStalls.push(mark('stalled', e));
        break;
      case 'lead_reactivated':
        mark('reactivated', e);
        break;
      case 'lead_enrolled':
        if (d.returning) mark('reactivated', e);
        break;
      case 'stage_changed': {
        const stage = d.to as Stage;
        if (TERMINAL_STAGES.includes(stage)) cohort.leftFunnelAt = earliest(cohort.leftFunnelAt, e.at);
        if (ENGAGED_OR_BEYOND.includes(stage)) cohort.engagedAt = earliest(cohort.engagedAt, e.at);
        if (PROPOSAL_OR_BEYOND.includes(stage)) cohort.proposalAt = earliest(cohort.proposalAt, e.at);
        if (stage === 'enrolled') cohort.enrolledAt = earliest(cohort.enrolledAt, e.at);
        if (stage === 'enrolled' || stage === 'archived') mark('closed', e, { n: touchesSoFar });
        if (stage === 'enrolled') mark('enrolled', e);
        if (stage === 'lost') mark('lost', e);
        break;
      }
    }
    counts.push({ at: e.at, counts: c });
  }
  closeEmail();
  return { cohort, counts, marks, followUps: followUpsOf(ordered) };
}
