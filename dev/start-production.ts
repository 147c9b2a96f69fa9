import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AlreadyRunning, stopStaleStack } from './stack-state';
import { ADMIN_EMAIL, ProductionTopology } from './production-topology';
import { GoMissing } from './temporal-server';

/**
 * `npm run start:production`: production's topology on this machine, in the foreground — the real
 * Temporal server on PostgreSQL (built from source once, dev/temporal-server.ts), two workers and two
 * API processes with NODE_ENV=production, the SMTP catcher and the Zoho sandbox (dev/production-topology.ts).
 *
 *   npm run start:production                           # data in .data/production, real days
 *   npm run start:production -- --day 20s --dir /tmp/p  # a demo: one cadence day lasts 20 s
 *
 * Ctrl-C (or SIGTERM, or a closed terminal) stops everything in order; starting again from the same
 * folder resumes where it left off, and stops first whatever an abrupt end left running.
 */
const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '.data/production' },
    day: { type: 'string' },
    workers: { type: 'string', default: '2' },
    apis: { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const say = (m: string) => process.stdout.write(`[production] ${m}\n`);
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const dir = resolve(args.dir);
let topology: ProductionTopology | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (topology) {
    say('stopping…');
    await topology.stop().catch((err) => say(`stopping failed: ${(err as Error).message}`));
    say(`stopped (exit code ${code})`);
  }
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));

async function main(): Promise<void> {
  await stopStaleStack(dir, say);
  topology = new ProductionTopology({ dir, dayDuration: args.day, workers: Number(args.workers), apis: Number(args.apis), logLevel: args['log-level'], say });
  process.once('exit', () => topology?.killAll());
  await topology.start();
  const t = topology;
  say(`ready in ${t.timings.total} s (${Object.entries(t.timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v} s`).join(', ')})`);
  say(`  Temporal server ${t.build.version}  ${t.temporalAddress}  (PostgreSQL 127.0.0.1:${t.ports.postgres}, SQL visibility; metrics http://127.0.0.1:${t.ports.temporal.metrics}/metrics)`);
  t.ports.apis.forEach((port, i) => say(`  api-${i + 1}              http://127.0.0.1:${port}`));
  say(`  workers             ${t.workers.map((w) => `${w.name} (pid ${w.pid})`).join(', ')}`);
  say(`  API key             in ${dir}/secrets.json (API_KEY); first sign-in ${ADMIN_EMAIL} / ADMIN_PASSWORD there`);
  say(`  caught mail         ${t.mailApiUrl}/messages`);
  say(`  Zoho sandbox        ${t.zohoUrl}/__sandbox/records/Tasks`);
  say(`  ledger              psql ${t.databaseUrl.replace(/:[^:@/]+@/, ':<SEGUIMIENTO_DB_PASSWORD>@')}  (passwords in secrets.json)`);
  say(`  temporal CLI        temporal --address ${t.temporalAddress} workflow list`);
  say('Press Ctrl-C to stop.');
}

main().catch((err) => {
  const known = err instanceof GoMissing || err instanceof AlreadyRunning;
  process.stderr.write(`${known ? (err as Error).message : `Start-up failed: ${(err as Error).stack ?? (err as Error).message}`}\n`);
  void stop(1);
});
