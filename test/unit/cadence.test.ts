import { CADENCE_CATALOGUE, cadenceSchema, latestCadence, selectCadence, type Cadence } from '../../domain/cadence';

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
  const v1 = latestCadence('default');
  const v2: Cadence = { ...v1, version: 2, steps: v1.steps.slice(0, 4), maxTouches: 4 };
  const catalogue = [...CADENCE_CATALOGUE, v2];
  expect(selectCadence({ profile: 'b2c', country: 'CO', courseCode: 'X' }, { catalogue }).version).toBe(2);
  // A lead in flight carries its own copy of v1 in its workflow input: the catalogue is not consulted again.
  expect(v1.version).toBe(1);
  expect(v1.steps).toHaveLength(5);
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
