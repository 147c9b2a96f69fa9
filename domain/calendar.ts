import type { Country } from './lead';
import { DAY_MS } from './policy';

/** Where a lead of each country lives, for business hours. US leads default to Eastern time. */
export const COUNTRY_TIME_ZONES: Record<Country, string> = {
  AR: 'America/Argentina/Buenos_Aires', BO: 'America/La_Paz', BR: 'America/Sao_Paulo', CL: 'America/Santiago',
  CO: 'America/Bogota', CR: 'America/Costa_Rica', CU: 'America/Havana', DO: 'America/Santo_Domingo',
  EC: 'America/Guayaquil', SV: 'America/El_Salvador', GT: 'America/Guatemala', HN: 'America/Tegucigalpa',
  MX: 'America/Mexico_City', NI: 'America/Managua', PA: 'America/Panama', PY: 'America/Asuncion',
  PE: 'America/Lima', PR: 'America/Puerto_Rico', UY: 'America/Montevideo', VE: 'America/Caracas',
  ES: 'Europe/Madrid', PT: 'Europe/Lisbon', US: 'America/New_York',
};

export interface BusinessHours {
  /** Local hour a touch may start at, inclusive. */
  startHour: number;
  /** Local hour by which touches stop, exclusive. */
  endHour: number;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { startHour: 9, endHour: 18 };

interface LocalParts {
  date: string;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  hour: number;
  minute: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday!]!,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The instant at which it is `hour`:`minute` on local `date` in `timeZone` (offsets found by iteration, DST-safe). */
export function zonedTime(date: string, hour: number, timeZone: string, minute = 0): Date {
  const wanted = Date.parse(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), timeZone);
    const seen = Date.parse(`${p.date}T${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}:00Z`);
    guess += wanted - seen;
  }
  return new Date(guess);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Monday of the ISO week that `date` falls in. */
function weekOf(date: string, weekday: number): string {
  return addDays(date, 1 - weekday);
}

export interface SlotRequest {
  notBefore: Date;
  timeZone: string;
  /** Local dates (YYYY-MM-DD) that are public holidays in the lead's country. */
  holidays: ReadonlySet<string>;
  /** Local dates on which the lead already had a touch. */
  touchedDates: readonly string[];
  weeklyCap: number;
  hours?: BusinessHours;
}

/**
 * The first moment at or after `notBefore` when a touch is allowed: a weekday that is not a public
 * holiday, inside business hours, on a day without another touch, in a week still under the cap.
 */
export function nextAllowedSlot({ notBefore, timeZone, holidays, touchedDates, weeklyCap, hours = DEFAULT_BUSINESS_HOURS }: SlotRequest): Date {
  const touched = new Set(touchedDates);
  const perWeek = new Map<string, number>();
  for (const d of touchedDates) {
    const monday = weekOf(d, localParts(zonedTime(d, 12, timeZone), timeZone).weekday);
    perWeek.set(monday, (perWeek.get(monday) ?? 0) + 1);
  }
  let candidate = notBefore;
  for (let guard = 0; guard < 400; guard++) {
    const p = localParts(candidate, timeZone);
    const nextMorning = () => zonedTime(addDays(p.date, 1), hours.startHour, timeZone);
    const blocked =
      p.weekday >= 6 || holidays.has(p.date) || touched.has(p.date) || (perWeek.get(weekOf(p.date, p.weekday)) ?? 0) >= weeklyCap;
    if (blocked || p.hour >= hours.endHour) {
      candidate = nextMorning();
    } else if (p.hour < hours.startHour) {
      candidate = zonedTime(p.date, hours.startHour, timeZone);
    } else {
      return candidate;
    }
  }
  throw new Error(`No allowed touch slot within a year after ${notBefore.toISOString()} in ${timeZone}`);
}

/** "lun 09:00 America/Bogota", as timers read in the Temporal UI. */
export function slotLabel(instant: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('es', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return `${text.replace(/[.,]/g, '')} ${timeZone}`;
}
