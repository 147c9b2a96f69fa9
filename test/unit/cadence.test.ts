import { CADENCE_CATALOGUE, cadenceSchema, latestCadence, selectCadence, stepFor, type Cadence } from '../../domain/cadence';
import { TOUCH_TEMPLATES } from '../../domain/emails';

test('the published cadences are valid and the default is day 1 call, 3 email, 5 LinkedIn, 8 call, 10 email', () => {
  for (const cadence of CADENCE_CATALOGUE) expect(cadenceSchema.parse(cadence)).toEqual(cadence);
  expect(latestCadence('default').steps.map((s) => [s.day, s.channel])).toEqual([[1, 'call'], [3, 'email'], [5, 'linkedin'], [8, 'call'], [10, 'email']]);
  expect(latestCadence('default')).toMatchObject({ maxTouches: 5, windowDays: 10, onExhausted: 'nurturing' });
});

test('the rule picks a cadence by profile, country and course; the first match wins', () => {
  expect(selectCadence({ profile: 'b2b', country: 'MX', courseCode: 'X' }).id).toBe('b2b');
  expect(selectCadence({ profile: 'b2c', country: 'MX', courseCode: 'X' }).id).toBe('default');
  const rules = [
    { when: { countries: ['BR'] as const, courses: ['AI-200'] }, cadenceId: 'b2b' },
    { when: {}, cadenceId: 'default' },
  ];
  expect(selectCadence({ profile: 'b2c', country: 'BR', courseCode: 'AI-200' }, { rules }).id).toBe('b2b');
  expect(selectCadence({ profile: 'b2c', country: 'BR', courseCode: 'DS-101' }, { rules }).id).toBe('default');
});

test('publishing a new version changes what new leads get, and only that', () => {
  const current = latestCadence('default');
  const next: Cadence = { ...current, version: current.version + 1, steps: current.steps.slice(0, 4), maxTouches: 4 };
  const catalogue = [...CADENCE_CATALOGUE, next];
  expect(selectCadence({ profile: 'b2c', country: 'CO', courseCode: 'X' }, { catalogue }).version).toBe(current.version + 1);
  // A lead in flight carries its own copy of its version in its workflow input: the catalogue is not consulted again.
  expect(current.steps).toHaveLength(5);
});

test('a malformed cadence is refused with a reason', () => {
  const bad = { ...latestCadence('default'), steps: [{ day: 3, channel: 'email', template: 'x' }, { day: 1, channel: 'call', template: 'y' }] };
  expect(cadenceSchema.safeParse(bad).error?.issues[0]?.message).toBe('days must increase from step to step');
});

test('an alumnus gets the alumni cadence whatever the profile; nobody else does', () => {
  expect(selectCadence({ profile: 'b2b', country: 'MX', courseCode: 'X', alumni: true }).id).toBe('alumni');
  expect(selectCadence({ profile: 'b2c', country: 'MX', courseCode: 'X', alumni: true }).id).toBe('alumni');
  expect(selectCadence({ profile: 'b2c', country: 'MX', courseCode: 'X', alumni: false }).id).toBe('default');
});

test('every email a cadence can send, directly or instead of another channel, has a worded template', () => {
  for (const { steps } of CADENCE_CATALOGUE) {
    for (const step of steps) {
      for (const { channel, template } of [step, ...(step.instead ? [step.instead] : [])]) {
        if (channel === 'email') expect(TOUCH_TEMPLATES).toContain(template);
      }
    }
  }
});

test('a call without a phone and LinkedIn without a profile become the email the cadence names; nothing else changes', () => {
  const [call, email, linkedin] = latestCadence('default').steps;
  const nothing = {};
  const everything = { phone: '+57 300 123 4567', linkedinUrl: 'https://www.linkedin.com/in/ana' };
  expect(stepFor(nothing, call!)).toEqual({ channel: 'email', template: 'call-request', replaced: true });
  expect(stepFor(nothing, linkedin!)).toEqual({ channel: 'email', template: 'personal-note', replaced: true });
  expect(stepFor(nothing, email!)).toEqual({ channel: 'email', template: 'first-email', replaced: false });
  expect(stepFor(everything, call!)).toEqual({ channel: 'call', template: 'first-call', replaced: false });
  expect(stepFor(everything, linkedin!)).toEqual({ channel: 'linkedin', template: 'linkedin-intro', replaced: false });
  // A step without a replacement stays as it is: the executive's task asks them to find the number.
  expect(stepFor(nothing, { day: 1, channel: 'call', template: 'first-call' })).toMatchObject({ channel: 'call', replaced: false });
  expect(cadenceSchema.safeParse({ ...latestCadence('default'), steps: [{ ...call!, instead: { channel: 'call', template: 'x' } }] }).success).toBe(false);
});
