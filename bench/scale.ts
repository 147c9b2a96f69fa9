/**
 * `npm run bench:scale`: N leads asleep, then all their touches due at one instant, on production's
 * topology (the real Temporal server on PostgreSQL) and on the development stack (the Temporal CLI's
 * dev server on SQLite), each number beside its goal (issue 16) and the two as a ratio.
 *
 *   npm run bench:scale                                   # 20,000 leads, production then dev
 *   npm run bench:scale -- --leads 100000 --wave-after 14400   # the goals' size (hours on 2 cores)
 *   npm run bench:scale -- --leads 1000 --only dev --json scale.json
 *
 * Flags: --leads N (20000), --concurrency N (enrolment requests in flight, 16), --rate N (API requests
 * a second during the quiet baseline and the wave, half reads and half outcomes: an office's pace, 4), --wave-after S (seconds from the first
 * enrolment to the wave; by default from an assumed enrolment rate, see bench/scale-measures.ts),
 * --history-sample N (histories read for the timers' own lateness, 200), --only production|dev,
 * --json FILE, --keep (the stacks' temporary folders).
 *
 * What is measured and how: bench/scale-measures.ts. Nothing here runs inside `npm test`; on a shared
 * machine the numbers move with whatever else runs, so the load average is printed with them.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { atMost, ms, p50p99, printTable, wholeFlag, type Latencies, type Row } from './report';
import { measureScale, type ScaleResult } from './scale-measures';
import type { StackKind } from './scale-stacks';

/** Issue 16's goals, stated for 100,000 sleeping leads. */
export const SCALE_GOALS = { workerRssMiB: 1536, timerLatenessP99Ms: 2_000, apiP99Ms: 100 } as const;

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      leads: { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' }, 'wave-after': { type: 'string' },
      'history-sample': { type: 'string' }, only: { type: 'string' }, json: { type: 'string' }, keep: { type: 'boolean' },
    },
  });
  const int = (name: keyof typeof a, fallback: number) => wholeFlag(name, a[name], fallback);
  if (a.only !== undefined && a.only !== 'production' && a.only !== 'dev') throw new Error('--only is "production" or "dev"');
  const kinds: StackKind[] = a.only ? [a.only as StackKind] : ['production', 'dev'];
  const say = (m: string) => process.stderr.write(`[bench:scale] ${new Date().toISOString().slice(11, 19)} ${m}\n`);
  const options = {
    leads: int('leads', 20_000), concurrency: int('concurrency', 16), rate: int('rate', 4), historySample: int('history-sample', 200),
    ...(a['wave-after'] ? { waveAfterSeconds: int('wave-after', 0) } : {}), keep: Boolean(a.keep), say,
  };
  const startedAt = new Date();
  const machine = { cpus: cpus().length, loadAverage1mAtStart: loadavg()[0] };
  say(`${machine.cpus} CPUs, load average ${machine.loadAverage1mAtStart?.toFixed(2)} · ${JSON.stringify({ ...options, say: undefined })}`);

  // The stacks' services print their logs on our stdout: they go to stderr, so stdout carries the table alone.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const results: ScaleResult[] = [];
  try {
    for (const kind of kinds) results.push(await measureScale(kind, options));
  } finally {
    process.stdout.write = stdoutWrite;
  }
  const rows = results.flatMap(rowsOf);
  const [prod, dev] = [results.find((r) => r.kind === 'production'), results.find((r) => r.kind === 'dev')];
  if (prod && dev) rows.push(...ratios(prod, dev));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const loads = results.map((r) => `${r.kind} ${Object.entries(r.loadAverage1m).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`).join(' · ');
  out(`Seguimiento bench:scale · ${startedAt.toISOString()} → ${new Date().toISOString()} · ${options.leads} leads · ${machine.cpus} CPUs · load average (1 min): ${loads}`);
  printTable(rows, out);
  if (a.json) {
    writeFileSync(a.json, `${JSON.stringify({ startedAt, options: { ...options, say: undefined }, machine, results, rows }, null, 2)}\n`);
    say(`report written to ${a.json}`);
  }
}

const worst = (values: number[]) => Math.max(...values);

function rowsOf(r: ScaleResult): Row[] {
  const name = r.kind === 'production' ? 'production (Temporal server on PostgreSQL)' : 'dev (Temporal CLI dev server on SQLite)';
  const at = `${r.kind}, ${r.leads} leads`;
  const latenessRow = (what: string, l: Latencies, goal: boolean): Row => ({
    measure: `${at}: ${what}`, value: p50p99(l), goal: goal ? `p99 ≤ ${SCALE_GOALS.timerLatenessP99Ms / 1000} s` : 'no goal set',
    verdict: goal ? atMost(l.p99, SCALE_GOALS.timerLatenessP99Ms) : 'info', data: { ...l },
  });
  const apiRow = (what: string, l: Latencies, goal: boolean): Row => ({
    measure: `${at}: ${what}`, value: p50p99(l), goal: goal ? `p99 ≤ ${SCALE_GOALS.apiP99Ms} ms` : 'no goal set',
    verdict: goal ? atMost(l.p99, SCALE_GOALS.apiP99Ms) : 'info', data: { ...l },
  });
  return [
    { measure: `— ${name}`, value: `stack up in ${r.startSeconds.toFixed(0)} s`, goal: '', verdict: '' },
    {
      measure: `${at}: enrolment through POST /api/leads`, value: `${r.enrolment.ratePerSecond.toFixed(1)}/s (p99 ${ms(r.enrolment.latency.p99)}); all asleep after ${r.enrolment.settledSeconds.toFixed(0)} s`,
      goal: 'no goal set', verdict: r.enrolment.failed ? `${r.enrolment.failed} failed` : 'info', data: { ...r.enrolment },
    },
    {
      measure: `${at}: worker RSS, leads asleep (per worker; at start ${r.memory.workersAtStartMiB.join(', ')})`, value: `${r.memory.workersAsleepMiB.join(', ')} MiB`,
      goal: `≤ ${SCALE_GOALS.workerRssMiB} MiB`, verdict: atMost(worst(r.memory.workersAsleepMiB), SCALE_GOALS.workerRssMiB), data: { ...r.memory },
    },
    { measure: `${at}: worker RSS peak through the wave`, value: `${r.memory.workersPeakMiB.join(', ')} MiB`, goal: 'no goal set', verdict: 'info' },
    { measure: `${at}: Temporal server RSS, leads asleep`, value: `${r.memory.temporalAsleepMiB} MiB`, goal: 'no goal set', verdict: 'info' },
    {
      measure: `${at}: CPU per lead enrolled, workers / Temporal server`, value: `${Math.round(r.cpu.workerPerLeadMs)} ms / ${Math.round(r.cpu.temporalPerLeadMs)} ms`,
      goal: 'no goal set', verdict: 'info', data: { ...r.cpu },
    },
    { measure: `${at}: CPU per touch of the wave, workers / Temporal server`, value: `${Math.round(r.cpu.workerPerTouchMs)} ms / ${Math.round(r.cpu.temporalPerTouchMs)} ms`, goal: 'no goal set', verdict: 'info' },
    latenessRow(`touch lateness, send claimed − planned (n ${r.lateness.claimed.n})`, r.lateness.claimed, true),
    latenessRow('touch lateness, recorded sent − planned', r.lateness.sent, false),
    latenessRow(`timer lateness, TimerFired − due (history sample)`, r.lateness.timerFired, true),
    { measure: `${at}: the wave drained (every touch sent and recorded)`, value: `${r.wave.drainSeconds.toFixed(1)} s for ${r.wave.touches} touches (${(r.wave.touches / r.wave.drainSeconds).toFixed(0)}/s)`, goal: 'no goal set', verdict: 'info' },
    {
      measure: `${at}: effects claimed twice (an attempt timed out) / left unfinished`, value: `${r.wave.effectsRetried} / ${r.wave.effectsOpen}`,
      goal: '0 / 0', verdict: r.wave.effectsRetried || r.wave.effectsOpen ? 'NOT met' : 'met',
    },
    apiRow('API GET /api/leads/:id, quiet', r.api.quiet.read, false),
    apiRow('API POST outcome, quiet', r.api.quiet.outcome, false),
    apiRow('API GET /api/leads/:id during the wave', r.api.wave.read, true),
    apiRow('API POST outcome during the wave', r.api.wave.outcome, true),
  ];
}

function ratios(prod: ScaleResult, dev: ScaleResult): Row[] {
  const x = (p: number, d: number) => `${(p / d).toFixed(2)}×`;
  const row = (measure: string, p: number, d: number, unit: (v: number) => string): Row => ({
    measure: `production / dev: ${measure}`, value: `${unit(p)} / ${unit(d)}`, goal: 'ratio', verdict: x(p, d),
  });
  return [
    { measure: '— production / dev', value: '', goal: '', verdict: '' },
    row('worker RSS asleep (largest worker)', worst(prod.memory.workersAsleepMiB), worst(dev.memory.workersAsleepMiB), (v) => `${v} MiB`),
    row('touch lateness p99 (send claimed)', prod.lateness.claimed.p99, dev.lateness.claimed.p99, ms),
    row('timer lateness p99 (TimerFired)', prod.lateness.timerFired.p99, dev.lateness.timerFired.p99, ms),
    row('wave drain time', prod.wave.drainSeconds * 1000, dev.wave.drainSeconds * 1000, ms),
    row('API GET p99 during the wave', prod.api.wave.read.p99, dev.api.wave.read.p99, ms),
    row('API POST outcome p99 during the wave', prod.api.wave.outcome.p99, dev.api.wave.outcome.p99, ms),
    row('enrolment rate', prod.enrolment.ratePerSecond, dev.enrolment.ratePerSecond, (v) => `${v.toFixed(1)}/s`),
    row('Temporal server CPU per lead enrolled', prod.cpu.temporalPerLeadMs, dev.cpu.temporalPerLeadMs, ms),
  ];
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
