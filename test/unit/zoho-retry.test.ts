import pLimit from 'p-limit';
import { ZohoUnavailableError } from '../../integrations/zoho/errors';
import { parseRetryAfter, retryDelayMs, withRetries } from '../../integrations/zoho/retry';
import { CriteriaError, matchesCriteria, parseCriteria } from '../../dev/zoho-sandbox/criteria';

const policy = { baseDelayMs: 500, maxDelayMs: 8_000 };

describe('retryDelayMs', () => {
  it('doubles per attempt, keeps half of each step fixed and caps at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, undefined, policy, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, undefined, policy, () => 1))).toEqual([500, 1000, 2000]);
  });

  it('never waits less than Retry-After, but may wait longer when backoff is already longer', () => {
    expect(retryDelayMs(1, 3_000, policy, () => 0.5)).toBe(3_000);
    expect(retryDelayMs(6, 1_000, policy, () => 1)).toBe(8_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-04T10:00:00Z');
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Tue, 04 Mar 2025 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 04 Mar 2025 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('withRetries', () => {
  const rt = (sleeps: number[], maxAttempts = 3) => ({
    maxAttempts,
    maxRetryAfterMs: 10_000,
    policy,
    random: () => 0,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });

  it('returns as soon as an attempt is done', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const value = await withRetries(async () => (++calls < 3 ? { retry: { status: 503 } } : { done: 'ok' }), rt(sleeps));
    expect(value).toBe('ok');
    expect(sleeps).toEqual([250, 500]);
  });

  it('throws ZohoUnavailableError with the last status once attempts run out', async () => {
    const sleeps: number[] = [];
    const failure = withRetries(async () => ({ retry: { status: 502 } }), rt(sleeps, 3));
    await expect(failure).rejects.toBeInstanceOf(ZohoUnavailableError);
    await expect(failure).rejects.toMatchObject({ status: 502, attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  it('lets non-retryable errors through untouched', async () => {
    await expect(
      withRetries(async () => {
        throw new TypeError('boom');
      }, rt([])),
    ).rejects.toThrow(TypeError);
  });
});

// The Zoho client's concurrency limit is p-limit; these pin the behaviour it relies on across upgrades.
describe('concurrency limit (p-limit)', () => {
  it('runs at most `max` tasks at once, in arrival order', async () => {
    const limiter = pLimit(2);
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      limiter(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            releases[i] = () => resolve(i);
          }),
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    releases[1]?.();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.activeCount).toBe(2);
    releases[0]?.();
    await new Promise((r) => setImmediate(r));
    releases[2]?.();
    releases[3]?.();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(limiter.activeCount).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = pLimit(1);
    await expect(limiter(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await limiter(async () => 'next')).toBe('next');
  });
});

describe('sandbox search criteria', () => {
  const fields = ['Email', 'Last_Name', 'Owner'];
  const lead = { Email: 'Ana@Example.com', Last_Name: 'Pérez', Owner: { id: '42', name: 'x' } };

  it.each([
    ['(Email:equals:ana@example.com)', true],
    ['(Email:not_equal:ana@example.com)', false],
    ['(Last_Name:starts_with:pé)', true],
    ['(Owner:equals:42)', true],
    ['((Email:equals:x@y.z)or(Last_Name:equals:pérez))', true],
    ['((Email:equals:x@y.z)and(Last_Name:equals:pérez))', false],
    ['(Email:in:x@y.z,ana@example.com)', true],
  ])('%s → %s', (criteria, expected) => {
    expect(matchesCriteria(lead, parseCriteria(criteria, fields))).toBe(expected);
  });

  it('keeps escaped parentheses, commas and colons in values', () => {
    const parsed = parseCriteria('(Last_Name:equals:a\\(b\\)\\,c:d)', fields);
    expect(parsed).toEqual({ type: 'condition', field: 'Last_Name', operator: 'equals', values: ['a(b),c:d'] });
  });

  it.each(['Email:equals:x', '(Email:equals:x', '(Email:x)', '(Email:like:x)', '(Phone:equals:1)', '(Email:equals:x)xor(Email:equals:y)'])(
    'refuses %s',
    (criteria) => {
      expect(() => parseCriteria(criteria, fields)).toThrow(CriteriaError);
    },
  );
});
