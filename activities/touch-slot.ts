import Holidays from 'date-holidays';
import { COUNTRY_TIME_ZONES, localParts, nextAllowedSlot, slotLabel } from '../domain/calendar';
import type { Country } from '../domain/lead';
import type { MailboxDays } from '../integrations/ledger/mailbox-days';
import type { SlotRequest, TouchSlot } from '../domain/lead-life';

export type { SlotRequest as PlanTouchSlotInput, TouchSlot } from '../domain/lead-life';

const calendars = new Map<Country, Holidays>();

function publicHolidays(country: Country, years: number[]): Set<string> {
  let calendar = calendars.get(country);
  if (!calendar) calendars.set(country, (calendar = new Holidays(country)));
  return new Set(years.flatMap((y) => (calendar.getHolidays(y) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10))));
}

/** The sending mailbox and how many emails it may send in a (UTC) day. */
export interface MailboxCap {
  days: MailboxDays;
  address: string;
  dailyCap: number;
}

/** A year of full days means a misconfigured cap: the mail goes out rather than never. */
const MAX_DAYS_AHEAD = 366;

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
const nextUtcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));

/**
 * The next moment a touch is allowed for a lead of `country`. An activity, not workflow code: holiday
 * calendars are data that changes with package updates, and its answer is recorded in history. An
 * email's slot also takes a place in the sending mailbox's day; a full day moves it to the next
 * allowed moment of a day with room.
 */
export async function planTouchSlot({ country, notBefore, touchedDates, weeklyCap, calendarAligned, mailKey }: SlotRequest, mailbox?: MailboxCap): Promise<TouchSlot> {
  const timeZone = COUNTRY_TIME_ZONES[country];
  const slotFrom = (start: Date) => calendarAligned
    ? nextAllowedSlot({ notBefore: start, timeZone, holidays: publicHolidays(country, [start.getUTCFullYear(), start.getUTCFullYear() + 1]), touchedDates, weeklyCap })
    : start;
  let at = slotFrom(new Date(notBefore));
  for (let days = 0; mailbox && mailKey && days < MAX_DAYS_AHEAD; days++) {
    if (await mailbox.days.book({ mailbox: mailbox.address, touchKey: mailKey, day: utcDay(at), cap: mailbox.dailyCap })) break;
    at = slotFrom(nextUtcDay(at));
  }
  return { at: at.toISOString(), localDate: localParts(at, timeZone).date, label: slotLabel(at, timeZone) };
}
