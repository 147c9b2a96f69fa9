/**
 * Readiness checks, one shape for every process that answers `/health/ready` (the API on its public
 * port, the worker on its metrics port): each check answers `ok` or what is wrong in a word or two; a
 * check that throws or takes longer than an orchestrator would wait counts as `unreachable`.
 */

/** A probe that takes longer than this counts as a failure: an orchestrator's own timeout is a few seconds. */
export const CHECK_TIMEOUT_MS = 2_000;

export type Probe = () => Promise<string>;

export interface Readiness<K extends string> {
  ready: boolean;
  checks: Record<K, string>;
}

async function check(probe: Probe, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('timed out')), timeoutMs)));
  try {
    return await Promise.race([probe(), timeout]);
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the probes together; ready when every one says `ok`. */
export async function readiness<K extends string>(probes: Record<K, Probe>, timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness<K>> {
  const names = Object.keys(probes) as K[];
  const results = await Promise.all(names.map((name) => check(probes[name], timeoutMs)));
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!])) as Record<K, string>;
  return { ready: results.every((r) => r === 'ok'), checks };
}

/** The bodies both processes answer with: `{ status: 'live' }`, and `{ status, checks }` with 200 or 503. */
export const LIVE = { status: 'live' } as const;
export function readyResponse<K extends string>({ ready, checks }: Readiness<K>): { status: 200 | 503; body: { status: 'ready' | 'not ready'; checks: Record<K, string> } } {
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not ready', checks } };
}
