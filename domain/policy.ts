export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How a lead is followed up, fixed at enrolment and carried by the lead's workflow, so that changing
 * the settings later never alters a lead in flight.
 */
export interface FollowUpPolicy {
  /** Length of one cadence day: a real day, or seconds in demo mode. */
  dayMs: number;
  /** Business hours, weekends and holidays apply only when a day is a real day. */
  calendarAligned: boolean;
  /** Most touches a lead gets in one week (Monday–Sunday, local time). */
  weeklyCap: number;
  /** First contact is due this many days after the lead's creation (the 24 h SLA). */
  slaDays: number;
  /** Days without progress, per stage, before a reactivation touch and then an escalation. */
  stallDays: { engaged: number; proposal: number; closing: number };
  /** After the cadence: one value touch every `intervalDays`, `touches` times, then archived. */
  nurturing: { intervalDays: number; touches: number };
  /** Days after the cadence's last touch to wait for an answer before nurturing. */
  responseGraceDays: number;
  /** When an archived lead's next step comes due for a human look. */
  archiveReviewDays: number;
}

export function defaultPolicy({ dayMs = DAY_MS, weeklyCap = 3 }: { dayMs?: number; weeklyCap?: number } = {}): FollowUpPolicy {
  return {
    dayMs,
    calendarAligned: dayMs === DAY_MS,
    weeklyCap,
    slaDays: 1,
    stallDays: { engaged: 5, proposal: 7, closing: 10 },
    nurturing: { intervalDays: 30, touches: 6 },
    responseGraceDays: 2,
    archiveReviewDays: 90,
  };
}
