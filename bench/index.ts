/**
 * `npm run bench`: how fast Seguimiento answers and what a lead costs in Temporal, each number with
 * its goal (issue 16) and, where there is one, as a ratio to a baseline measured in the same run.
 *
 *   npm run bench                                  # the full run: 200 leads a side, concurrency 10
 *   npm run bench -- --quick                       # a smoke run with small sizes
 *   npm run bench -- --leads 200 --concurrency 10 --wave 200 --json bench.json
 *   npm run bench -- --only histories              # only the history counts (no stack)
 *
 * Flags: --leads N (enrolments through each path, 200), --concurrency N (10), --wave N (new leads
 * enrolled while outcomes are timed, 200), --executive-leads N (the executive of the page measures,
 * 40), --outcomes N (outcomes through the API on a quiet system, as many raw updates between them,
 * 200; up to twice as many of each during the wave),
 * --page-loads N (each page, 200), --only stack|histories, --json FILE, --keep (the stack's
 * temporary folder, kept anyway when the run fails).
 *
 * The stack part starts the whole product on free ports in a temporary folder (dev/chaos/stack.ts)
 * and needs `npm run setup` done (the Temporal CLI). The history part plays three lives on the
 * time-skipping test server. Nothing here runs inside `npm test`: these are measurements, not checks,
 * and on a shared 2-core machine they move with whatever else runs.
 */
// First: worker chatter (the history part runs a worker in this process) would drown the table.
import '../test/support/quiet-runtime';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureHistories } from './histories';
import { printTable, wholeFlag, type Row } from './report';
import { measureStack, type StackBenchOptions } from './stack-measures';

const FULL = { leads: 200, concurrency: 10, wave: 200, executiveLeads: 40, outcomes: 200, pageLoads: 200 };
const QUICK = { leads: 20, concurrency: 10, wave: 20, executiveLeads: 40, outcomes: 20, pageLoads: 20 };

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      quick: { type: 'boolean' }, leads: { type: 'string' }, concurrency: { type: 'string' }, wave: { type: 'string' }, 'executive-leads': { type: 'string' },
      outcomes: { type: 'string' }, 'page-loads': { type: 'string' }, only: { type: 'string' }, json: { type: 'string' }, keep: { type: 'boolean' },
    },
  });
  const sizes = a.quick ? QUICK : FULL;
  const int = (name: keyof typeof a, fallback: number) => wholeFlag(name, a[name], fallback);
  const only = a.only;
  if (only !== undefined && only !== 'stack' && only !== 'histories') throw new Error('--only is "stack" or "histories"');
  const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const options: StackBenchOptions = {
    leads: int('leads', sizes.leads), concurrency: int('concurrency', sizes.concurrency), wave: int('wave', sizes.wave),
    executiveLeads: int('executive-leads', sizes.executiveLeads), outcomes: int('outcomes', sizes.outcomes), pageLoads: int('page-loads', sizes.pageLoads),
    keep: Boolean(a.keep), say,
  };
  const startedAt = new Date();
  const machine = { cpus: cpus().length, loadAverage1mAtStart: loadavg()[0] };
  say(`${startedAt.toISOString()} · ${machine.cpus} CPUs, load average ${machine.loadAverage1mAtStart?.toFixed(2)} · ${JSON.stringify({ ...options, say: undefined })}`);

  const rows: Row[] = [];
  const report: Record<string, unknown> = { startedAt: startedAt.toISOString(), quick: Boolean(a.quick), options: { ...options, say: undefined }, machine };
  if (only !== 'histories') {
    // The stack's services print their logs on our stdout (dev/service-process.ts): they go to stderr
    // meanwhile, so that stdout carries the table alone.
    const stdoutWrite = process.stdout.write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
      const stack = await measureStack(options);
      rows.push(...stack.rows);
      report.stack = stack.details;
    } finally {
      process.stdout.write = stdoutWrite;
    }
  }
  if (only !== 'stack') {
    const histories = await measureHistories(say);
    rows.push(...histories.rows);
    report.lives = histories.lives;
  }
  const finishedAt = new Date();
  report.finishedAt = finishedAt.toISOString();
  report.rows = rows;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Seguimiento bench · ${startedAt.toISOString()} → ${finishedAt.toISOString()} · ${machine.cpus} CPUs, load ${machine.loadAverage1mAtStart?.toFixed(2)} → ${loadavg()[0]?.toFixed(2)}${a.quick ? ' · QUICK (smoke sizes)' : ''}`);
  printTable(rows, out);
  if (a.json) {
    writeFileSync(a.json, `${JSON.stringify(report, null, 2)}\n`);
    say(`report written to ${a.json}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
