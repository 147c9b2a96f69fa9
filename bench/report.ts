/**
 * The bench's results: every row has its value, its goal (or says none was set) and its verdict,
 * or its ratio to a baseline measured in the same run. Printed as a table, written as JSON.
 */
import { performance } from 'node:perf_hooks';

export interface Row {
  /** What was measured, in a few words. */
  measure: string;
  /** The value as printed (with its unit). */
  value: string;
  /** The goal as printed, or "no goal set". */
  goal: string;
  /** "met", "NOT met", a ratio to the baseline, or "info". */
  verdict: string;
  /** The numbers behind the row, for the JSON report. */
  data?: Record<string, unknown>;
}

/** Latencies of one series of requests, in milliseconds. */
export interface Latencies {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Requests that failed (a non-2xx answer or no answer): not in the percentiles. */
  failed: number;
}

/** The nearest-rank percentile (p in 0–100) of values sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencies(samples: number[], failed = 0): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN, mean, failed };
}

export const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : '—');

/** "p50 12 ms · p99 48 ms (n 200)", with the failures when there were any. */
export const p50p99 = (l: Latencies) => `p50 ${ms(l.p50)} · p99 ${ms(l.p99)} (n ${l.n}${l.failed ? `, ${l.failed} failed` : ''})`;

/** A goal of the form "at most": met or not, and by how much. */
export function atMost(value: number, goal: number): string {
  if (!Number.isFinite(value)) return 'not measured';
  return value <= goal ? `met (${(value / goal).toFixed(2)}× goal)` : `NOT met (${(value / goal).toFixed(2)}× goal)`;
}

/** Times one call in milliseconds (monotonic clock). */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

/**
 * Runs `task(i)` for i in [0, n) with exactly `concurrency` in flight (a closed loop, as N clients
 * each waiting for their answer before the next request), and times each one and the whole series.
 */
export async function closedLoop(
  n: number, concurrency: number, task: (i: number) => Promise<boolean>,
): Promise<{ samples: number[]; failed: number; wallMs: number; errors: string[] }> {
  const samples: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await task(i);
      } catch (err) {
        if (errors.length < 5) errors.push((err as Error).message);
      }
      if (ok) samples.push(performance.now() - t0);
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, client));
  return { samples, failed, wallMs: performance.now() - started, errors };
}

export function printTable(rows: Row[], out: (line: string) => void): void {
  const headers = ['measure', 'value', 'goal', 'ratio / verdict'];
  const cells = rows.map((r) => [r.measure, r.value, r.goal, r.verdict]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  out(line(headers));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) out(line(c));
}

/** A command-line size (`--leads 800`): a whole number of at least 1, or the fallback when absent. */
export function wholeFlag(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1, not ${String(value)}`);
  return n;
}
