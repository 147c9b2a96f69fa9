import type { Stage } from '../../domain/lead';
import type { KpiEvent, KpiFunnel } from './kpis';

/**
 * The funnel counts interests, not people: each interest that started a follow-up enters it once and
 * moves down it only by what happened in that follow-up. A person lost for one course and back for
 * another enters twice; the second entry is not "engaged" because the first one was. The rules, in
 * docs/kpis.md ("Funnel"), in short:
 * - a follow-up starts at a `lead_enrolled` (a new person, or one back after a follow-up that ended
 *   lost or enrolled) and at a `lead_reactivated` by `new_interaction` (a dormant person asking again,
 *   for the same or another course); it runs until the next one starts;
 * - it is in the cohort when it started in the period (`createdAt` of its `lead_enrolled`, else the
 *   lead's own `createdAt` for a lead's only follow-up, else the event's time);
 * - contacted: a `first_contact` in it, or for a restart (where the first contact was long ago) an
 *   outcome that shows a conversation; engaged, proposal or closer, enrolled: a `stage_changed` to that
 *   stage or a later one within it. Everything is followed up to `now`.
 */

const ENGAGED_OR_BEYOND: readonly Stage[] = ['engaged', 'proposal', 'closing', 'enrolled'];
const PROPOSAL_OR_BEYOND: readonly Stage[] = ['proposal', 'closing', 'enrolled'];

interface FollowUp {
  startedAt: number;
  person: string;
  /** A dormant lead's follow-up started again by the person's return. */
  restart: boolean;
  /** Whether a start event opened it (false: the events of a lead from before enrolments were recorded). */
  started: boolean;
  events: KpiEvent[];
}

const isStart = (e: KpiEvent) => e.type === 'lead_enrolled' || (e.type === 'lead_reactivated' && e.data.by === 'new_interaction');

/** A lead's events (in order) cut into its follow-ups; events before the first start belong to the first. */
export function followUpsOf({ leadId, createdAt }: { leadId: string; createdAt: string }, events: readonly KpiEvent[]): FollowUp[] {
  const enrolments = events.filter((e) => e.type === 'lead_enrolled').length;
  const startOf = (e: KpiEvent): number => {
    if (e.type === 'lead_enrolled') {
      if (typeof e.data.createdAt === 'string') return Date.parse(e.data.createdAt);
      if (enrolments === 1) return Date.parse(createdAt);
    }
    return Date.parse(e.occurredAt);
  };
  const followUps: FollowUp[] = [];
  let current: FollowUp | undefined;
  for (const e of events) {
    // Events before any start (a lead from before enrolments were recorded) open its first follow-up.
    if (!current || (isStart(e) && (current.started || e.type === 'lead_reactivated'))) {
      current = { startedAt: Date.parse(createdAt), person: leadId, restart: false, started: false, events: [] };
      followUps.push(current);
    }
    if (isStart(e)) Object.assign(current, { startedAt: startOf(e), restart: e.type === 'lead_reactivated', started: true });
    current.events.push(e);
  }
  return followUps.length ? followUps : [{ startedAt: Date.parse(createdAt), person: leadId, restart: false, started: false, events: [] }];
}

export function funnelOf(
  leads: readonly { lead: { leadId: string; createdAt: string }; events: readonly KpiEvent[] }[],
  { from, to, now, responses }: { from: number; to: number; now: number; responses: readonly string[] },
): KpiFunnel {
  const cohort = leads.flatMap(({ lead, events }) => followUpsOf(lead, events)).filter((f) => f.startedAt >= from && f.startedAt < to);
  const judged = cohort.map(({ events, restart }) => {
    const seen = events.filter((e) => Date.parse(e.occurredAt) <= now);
    const reached = new Set(seen.filter((e) => e.type === 'stage_changed').map((e) => e.data.to as Stage));
    return {
      contacted: seen.some((e) => e.type === 'first_contact' || (restart && e.type === 'outcome_recorded' && responses.includes(e.data.outcome as string))),
      engaged: ENGAGED_OR_BEYOND.some((s) => reached.has(s)),
      proposalOrCloser: PROPOSAL_OR_BEYOND.some((s) => reached.has(s)),
      enrolled: reached.has('enrolled'),
    };
  });
  const count = (key: keyof (typeof judged)[number]) => judged.filter((j) => j[key]).length;
  return {
    created: cohort.length,
    people: new Set(cohort.map((f) => f.person)).size,
    contacted: count('contacted'),
    engaged: count('engaged'),
    proposalOrCloser: count('proposalOrCloser'),
    enrolled: count('enrolled'),
  };
}
