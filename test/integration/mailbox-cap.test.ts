import { createActivities } from '../../activities';
import { startStack, type Stack } from '../support/stack';

/**
 * The sending mailbox's daily cap (MAIL_DAILY_CAP), on real PostgreSQL: each email takes a place in a
 * day when its slot is planned; a full day moves the mail to the next allowed moment of a day with room.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 180_000);
afterAll(() => stack?.stop());

// Monday 1 March 2027, 10:00 in Bogotá: a working day, and so is the Tuesday after.
const MONDAY_10 = '2027-03-01T15:00:00.000Z';
const request = (mailKey?: string) => ({ country: 'CO' as const, notBefore: MONDAY_10, touchedDates: [], weeklyCap: 3, calendarAligned: true, ...(mailKey ? { mailKey } : {}) });

test('a day holds as many mails as the cap; the next one goes out at 09:00 on the next working day, and planning again keeps each in its day', async () => {
  const acts = createActivities({ ...stack.activityDeps, mailbox: { address: 'seguimiento@cursos.test', dailyCap: 2 } });
  const planned = [];
  for (const key of ['L-a:step-0:attempt-1', 'L-b:step-0:attempt-1', 'L-c:step-0:attempt-1']) planned.push((await acts.planTouchSlot(request(key))).at);
  expect(planned).toEqual([MONDAY_10, MONDAY_10, '2027-03-02T14:00:00.000Z']);

  // A retried plan (the activity ran twice) finds the place it has; it does not take a second one.
  expect((await acts.planTouchSlot(request('L-a:step-0:attempt-1'))).at).toBe(MONDAY_10);
  expect((await acts.planTouchSlot(request('L-c:step-0:attempt-1'))).at).toBe('2027-03-02T14:00:00.000Z');
  // Calls and LinkedIn tasks are not mail: never moved by the cap.
  expect((await acts.planTouchSlot(request())).at).toBe(MONDAY_10);
  // Another mailbox has days of its own.
  const other = createActivities({ ...stack.activityDeps, mailbox: { address: 'otra@cursos.test', dailyCap: 2 } });
  expect((await other.planTouchSlot(request('L-d:step-0:attempt-1'))).at).toBe(MONDAY_10);
});

test('two plans racing for the last place of a day: one gets it, the other the next day', async () => {
  const acts = createActivities({ ...stack.activityDeps, mailbox: { address: 'carrera@cursos.test', dailyCap: 1 } });
  const slots = await Promise.all(['L-x:step-1:attempt-1', 'L-y:step-1:attempt-1'].map(async (key) => (await acts.planTouchSlot(request(key))).at));
  expect(slots.sort()).toEqual([MONDAY_10, '2027-03-02T14:00:00.000Z']);
});
