import { COUNTRY_TIME_ZONES, localParts } from './calendar';
import { FEW_SEATS_THRESHOLD, type CatalogCourse, type Cohort } from './catalog';
import type { Country } from './lead';

/**
 * What a message may truthfully say to hurry a lead, computed at the moment it is sent, from the
 * catalog, in the lead's own calendar. Each field is present only when it is true right now.
 */
export interface Urgency {
  /** The cohort the message speaks of: the next one that starts after today and is not sold out. */
  nextCohort?: Pick<Cohort, 'startDate' | 'modality' | 'price' | 'currency'>;
  /** Only before its deadline ends in the lead's time zone (the deadline day counts whole). */
  earlyBird?: { deadline: string; price: number; currency: Cohort['currency'] };
  /** Only when the catalog knows the seats, some are left, and few: 1 to FEW_SEATS_THRESHOLD. */
  seatsLeft?: number;
  /**
   * True when the catalog has the course but no open cohort starts after today (or none is sold in the
   * lead's country): the message says we will write when the next one opens, never a made-up date.
   */
  noUpcomingCohort: boolean;
}

/** No catalog entry (an unknown course code): nothing is claimed at all. */
export const NO_URGENCY: Urgency = { noUpcomingCohort: false };

export function urgencyFor({ course, country, now }: { course: CatalogCourse | null; country: Country; now: Date }): Urgency {
  if (!course) return NO_URGENCY;
  const today = localParts(now, COUNTRY_TIME_ZONES[country]).date;
  const soldHere = course.countries.length === 0 || course.countries.includes(country);
  // A sold-out cohort is no offer: the message speaks of the next one that still has room.
  const open = (c: Cohort) => c.startDate > today && (c.seats === undefined || c.seatsTaken < c.seats);
  const next = soldHere ? course.cohorts.filter(open).sort((a, b) => a.startDate.localeCompare(b.startDate))[0] : undefined;
  if (!next) return { noUpcomingCohort: true };
  const urgency: Urgency = {
    nextCohort: { startDate: next.startDate, modality: next.modality, price: next.price, currency: next.currency },
    noUpcomingCohort: false,
  };
  if (next.earlyBirdDeadline !== undefined && next.earlyBirdPrice !== undefined && today <= next.earlyBirdDeadline) {
    urgency.earlyBird = { deadline: next.earlyBirdDeadline, price: next.earlyBirdPrice, currency: next.currency };
  }
  if (next.seats !== undefined) {
    const left = next.seats - next.seatsTaken;
    if (left <= FEW_SEATS_THRESHOLD) urgency.seatsLeft = left;
  }
  return urgency;
}
