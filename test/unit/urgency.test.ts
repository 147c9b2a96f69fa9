import { catalogCourseSchema, FEW_SEATS_THRESHOLD, type CatalogCourseInput, type Cohort } from '../../domain/catalog';
import { NO_URGENCY, urgencyFor } from '../../domain/urgency';

const cohort = (overrides: Partial<Cohort> = {}) => ({
  startDate: '2027-04-05', modality: 'online' as const, price: 1200, currency: 'USD' as const, seatsTaken: 0, ...overrides,
});
const course = (input: Partial<CatalogCourseInput> = {}) => catalogCourseSchema.parse({ code: 'DS-101', name: 'Ciencia de Datos', cohorts: [cohort()], ...input });
const at = (iso: string) => new Date(iso);

test('a course the catalog does not know makes no claim at all', () => {
  expect(urgencyFor({ course: null, country: 'CO', now: at('2027-03-01T15:00:00Z') })).toEqual(NO_URGENCY);
});

describe('early bird: only before its deadline ends, in the lead’s own time zone', () => {
  const withEarlyBird = course({ cohorts: [cohort({ earlyBirdDeadline: '2027-03-10', earlyBirdPrice: 990 })] });
  // Bogotá is UTC-5: the 10th ends at 05:00 UTC on the 11th.
  test('Bogotá, 23:59 on the deadline day: still on', () => {
    expect(urgencyFor({ course: withEarlyBird, country: 'CO', now: at('2027-03-11T04:59:00Z') }).earlyBird).toEqual({ deadline: '2027-03-10', price: 990, currency: 'USD' });
  });
  test('Bogotá, 00:00 the day after: gone', () => {
    expect(urgencyFor({ course: withEarlyBird, country: 'CO', now: at('2027-03-11T05:00:00Z') }).earlyBird).toBeUndefined();
  });
  test('the same instant in Madrid (UTC+1) is already the 11th there: gone', () => {
    expect(urgencyFor({ course: withEarlyBird, country: 'ES', now: at('2027-03-11T04:59:00Z') }).earlyBird).toBeUndefined();
  });
  test('Madrid, 23:59 on the deadline day (22:59 UTC): still on', () => {
    expect(urgencyFor({ course: withEarlyBird, country: 'ES', now: at('2027-03-10T22:59:00Z') }).earlyBird).toBeDefined();
  });
});

describe('seats: named only when known, above zero and few', () => {
  const left = (seats: number | undefined, seatsTaken: number) =>
    urgencyFor({ course: course({ cohorts: [cohort({ seats, seatsTaken })] }), country: 'CO', now: at('2027-03-01T15:00:00Z') });
  test('1 left: "queda 1"', () => expect(left(20, 19).seatsLeft).toBe(1));
  test(`${FEW_SEATS_THRESHOLD} left: named`, () => expect(left(30, 30 - FEW_SEATS_THRESHOLD).seatsLeft).toBe(FEW_SEATS_THRESHOLD));
  test(`${FEW_SEATS_THRESHOLD + 1} left: no reason to hurry, not named`, () => expect(left(30, 29 - FEW_SEATS_THRESHOLD).seatsLeft).toBeUndefined());
  test('unknown seats: never named', () => expect(left(undefined, 0).seatsLeft).toBeUndefined());
  test('0 left: the cohort is sold out, so no cohort is offered and none is invented', () => {
    expect(left(20, 20)).toEqual({ noUpcomingCohort: true });
  });
  test('a sold-out cohort gives way to the next one with room', () => {
    const u = urgencyFor({
      course: course({ cohorts: [cohort({ startDate: '2027-04-05', seats: 20, seatsTaken: 20 }), cohort({ startDate: '2027-06-07', seats: 20, seatsTaken: 12 })] }),
      country: 'CO', now: at('2027-03-01T15:00:00Z'),
    });
    expect(u.nextCohort?.startDate).toBe('2027-06-07');
    expect(u.seatsLeft).toBe(8);
  });
});

describe('"nueva cohorte" only when one is scheduled', () => {
  test('the earliest cohort that starts after today, whatever the order in the catalog', () => {
    const u = urgencyFor({ course: course({ cohorts: [cohort({ startDate: '2027-09-01' }), cohort({ startDate: '2027-05-03' }), cohort({ startDate: '2027-01-10' })] }), country: 'CO', now: at('2027-03-01T15:00:00Z') });
    expect(u).toMatchObject({ nextCohort: { startDate: '2027-05-03' }, noUpcomingCohort: false });
  });
  test('a cohort starting today (in the lead’s zone) is no longer "next"', () => {
    // 2027-04-05 01:00 UTC is still the 4th in Bogotá and already the 5th in Madrid.
    const c = course();
    expect(urgencyFor({ course: c, country: 'CO', now: at('2027-04-05T01:00:00Z') }).nextCohort).toBeDefined();
    expect(urgencyFor({ course: c, country: 'ES', now: at('2027-04-05T01:00:00Z') })).toEqual({ noUpcomingCohort: true });
  });
  test('only past cohorts: the "we will write when the next opens" case', () => {
    expect(urgencyFor({ course: course({ cohorts: [cohort({ startDate: '2026-11-01' })] }), country: 'CO', now: at('2027-03-01T15:00:00Z') })).toEqual({ noUpcomingCohort: true });
  });
  test('not sold in the lead’s country: no cohort offered', () => {
    const mexicoOnly = course({ countries: ['MX'] });
    expect(urgencyFor({ course: mexicoOnly, country: 'CO', now: at('2027-03-01T15:00:00Z') })).toEqual({ noUpcomingCohort: true });
    expect(urgencyFor({ course: mexicoOnly, country: 'MX', now: at('2027-03-01T15:00:00Z') }).nextCohort).toBeDefined();
  });
});

test('the catalog refuses what would make a false claim possible', () => {
  const bad = catalogCourseSchema.safeParse({
    code: 'DS 101', name: 'x', cohorts: [cohort({ earlyBirdDeadline: '2027-05-01', earlyBirdPrice: 1500 }), { ...cohort(), currency: 'XXX' }],
  });
  expect(bad.success).toBe(false);
  const paths = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(paths).toEqual(expect.arrayContaining([
    'code: letters, digits, dot, dash or underscore only',
    'cohorts.0.earlyBirdPrice: must be below the price',
    'cohorts.0.earlyBirdDeadline: must be on or before the start date',
    expect.stringMatching(/^cohorts\.1\.currency: must be one of USD/),
  ]));
});
