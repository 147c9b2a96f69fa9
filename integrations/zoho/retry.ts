import { ZohoUnavailableError } from './errors';

/** Backoff helpers for the Zoho client, kept free of I/O so they test in isolation. */

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so clients that were
 * throttled together do not come back together. A server's Retry-After is a floor, never shortened.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export type AttemptOutcome<T> =
  | { done: T }
  | { retry: { status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown } };

export interface RetryRuntime {
  maxAttempts: number;
  /** A Retry-After longer than this is not slept through: the caller (Temporal) retries later instead. */
  maxRetryAfterMs: number;
  policy: BackoffPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry?: (info: { attempt: number; status: number | undefined; delayMs: number }) => void;
  /** Milliseconds since the epoch, for deadlines. */
  now?: () => number;
}

/**
 * The least time worth starting a request with: a retry that could not get this much before the
 * call's deadline is left to Temporal instead.
 */
export const MIN_REQUEST_MS = 1_000;

/**
 * Runs `attempt` until it is done, sleeping between retryable failures; gives up with
 * ZohoUnavailableError when attempts run out, when Zoho asks for a longer pause than we sleep
 * through, or when the next try would not fit before `deadlineMs` (the call's share of its activity's
 * start-to-close timeout: Temporal must never start a second attempt while this one still retries).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<AttemptOutcome<T>>, rt: RetryRuntime, deadlineMs?: number): Promise<T> {
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if ('done' in outcome) return outcome.done;
    const { status, retryAfterMs, cause } = outcome.retry;
    if (n >= rt.maxAttempts || (retryAfterMs !== undefined && retryAfterMs > rt.maxRetryAfterMs)) {
      throw new ZohoUnavailableError({ status, attempts: n, retryAfterMs, cause });
    }
    const delayMs = retryDelayMs(n, retryAfterMs, rt.policy, rt.random);
    if (deadlineMs !== undefined && (rt.now ?? Date.now)() + delayMs + MIN_REQUEST_MS > deadlineMs) {
      throw new ZohoUnavailableError({ status, attempts: n, retryAfterMs, cause });
    }
    rt.onRetry?.({ attempt: n, status, delayMs });
    await rt.sleep(delayMs);
  }
}
