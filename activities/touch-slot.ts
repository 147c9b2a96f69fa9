import Holidays from 'date-holidays';
import { COUNTRY_TIME_ZONES, localParts, nextAllowedSlot, slotLabel } from '../domain/calendar';
import type { Country } from '../domain/lead';
import type { SlotRequest, TouchSlot } from '../domain/lead-life';

export type { SlotRequest as PlanTouchSlotInput, TouchSlot } from '../domain/lead-life';

const calendars = new Map<Country, Holidays>();

function publicHolidays(country: Country, years: number[]): Set<string> {
  let calendar = calendars.get(country);
  if (!calendar) calendars.set(country, (calendar = new Holidays(country)));
  return new Set(years.flatMap((y) => (calendar.getHolidays(y) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10))));
}

/**
 * The next moment a touch is allowed for a lead of `country`. An activity, not workflow code: holiday
 * calendars are data that changes with package updates, and its answer is recorded in history.
 */
export async function planTouchSlot({ country, notBefore, touchedDates, weeklyCap, calendarAligned }: SlotRequest): Promise<TouchSlot> {
  const timeZone = COUNTRY_TIME_ZONES[country];
  const start = new Date(notBefore);
  const at = calendarAligned
    ? nextAllowedSlot({ notBefore: start, timeZone, holidays: publicHolidays(country, [start.getUTCFullYear(), start.getUTCFullYear() + 1]), touchedDates, weeklyCap })
    : start;
  return { at: at.toISOString(), localDate: localParts(at, timeZone).date, label: slotLabel(at, timeZone) };
}
