import { localParts, nextAllowedSlot, slotLabel, zonedTime } from '../../domain/calendar';

const bogota = 'America/Bogota';
const slot = (notBefore: string, opts: { holidays?: string[]; touched?: string[]; cap?: number; tz?: string } = {}) =>
  nextAllowedSlot({
    notBefore: new Date(notBefore),
    timeZone: opts.tz ?? bogota,
    holidays: new Set(opts.holidays ?? []),
    touchedDates: opts.touched ?? [],
    weeklyCap: opts.cap ?? 3,
  }).toISOString();

test('inside business hours on a working day, the slot is the moment itself', () => {
  expect(slot('2027-03-03T16:30:00.000Z')).toBe('2027-03-03T16:30:00.000Z'); // Wed 11:30 Bogotá
});

test('before opening waits for 09:00 local; after closing moves to the next morning', () => {
  expect(slot('2027-03-03T12:00:00.000Z')).toBe('2027-03-03T14:00:00.000Z'); // 07:00 → 09:00
  expect(slot('2027-03-03T23:30:00.000Z')).toBe('2027-03-04T14:00:00.000Z'); // 18:30 → next day 09:00
});

test('weekends and public holidays are skipped', () => {
  // Friday 19:00 Bogotá; Monday is a holiday → Tuesday 09:00.
  expect(slot('2027-01-09T00:00:00.000Z', { holidays: ['2027-01-11'] })).toBe('2027-01-12T14:00:00.000Z');
});

test('one touch a day and a weekly cap', () => {
  expect(slot('2027-03-03T15:00:00.000Z', { touched: ['2027-03-03'] })).toBe('2027-03-04T14:00:00.000Z');
  // Mon, Tue, Wed already touched with a cap of 3 → next Monday.
  expect(slot('2027-03-04T15:00:00.000Z', { touched: ['2027-03-01', '2027-03-02', '2027-03-03'] })).toBe('2027-03-08T14:00:00.000Z');
});

test('daylight saving time is respected (Madrid switches on the last Sunday of March)', () => {
  expect(slot('2027-03-26T17:30:00.000Z', { tz: 'Europe/Madrid' })).toBe('2027-03-29T07:00:00.000Z'); // Fri 18:30 CET → Mon 09:00 CEST
  expect(zonedTime('2027-01-04', 9, 'Europe/Madrid').toISOString()).toBe('2027-01-04T08:00:00.000Z');
});

test('local parts and the label the Temporal UI shows', () => {
  expect(localParts(new Date('2027-01-12T14:00:00.000Z'), bogota)).toEqual({ date: '2027-01-12', weekday: 2, hour: 9, minute: 0 });
  expect(slotLabel(new Date('2027-01-12T14:00:00.000Z'), bogota)).toMatch(/^mar 12 ene 09:00 America\/Bogota$/);
});
