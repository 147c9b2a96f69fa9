import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatTable, type ChaosReport } from '../../dev/chaos';

/**
 * The short chaos run (`dev/chaos.ts`, the same program as `npm run chaos`): the real stack, 50 leads
 * on a two-second cadence day, the worker killed with SIGKILL five times (at least once while a mail
 * is on the wire), Temporal and PostgreSQL restarted, the SMTP server stopped, a 451 and an
 * accept-then-drop, Zoho failing 10 % of calls and its token revoked, leads opting out through the
 * one-click link. It runs as a process of its own, as it would from a terminal; its report is JSON.
 * The suite's longest test: a few minutes on two cores.
 */
const root = resolve(__dirname, '../..');
const SEED = Number(process.env.CHAOS_SEED ?? 20261203);
let dir: string;
let report: ChaosReport;
let log = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seguimiento-chaos-test-'));
  const json = join(dir, 'report.json');
  const args = [
    '--import', 'tsx', resolve(root, 'dev/chaos.ts'),
    '--seed', String(SEED), '--leads', '50', '--kills', '5', '--day', '2s', '--enrol-over', '40s',
    '--smtp-outage', '20s', '--temporal-restarts', '1', '--postgres-restarts', '1', '--opt-outs', '5',
    '--smtp-rejects', '1', '--smtp-drops', '1', '--zoho-faults', '10', '--token-revoked', '15s',
    '--time-limit', '5m', '--json', json,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c) => (log += String(c)));
  child.stderr.on('data', (c) => (log += String(c)));
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  writeFileSync(join(dir, 'chaos.log'), log);
  if (!existsSync(json)) throw new Error(`the chaos run ended (code ${code}) without a report:\n${tail(log)}`);
  report = JSON.parse(readFileSync(json, 'utf8')) as ChaosReport;
  // The table in the suite's output, pass or fail: the numbers are the point of this test.
  console.log(`chaos run, seed ${SEED}, ${report.durationSeconds} s:\n${formatTable(report.table)}`);
}, 9 * 60_000);

afterAll(() => {
  if (report?.passed) rmSync(dir, { recursive: true, force: true });
});

/** The chaos run's own lines (the services' logs are in the file), last ones first to matter. */
function tail(text: string, lines = 120): string {
  return text.split('\n').filter((l) => l.startsWith('[chaos]') || l.includes('failed')).slice(-lines).join('\n');
}

test('nothing doubled, nobody contacted after opting out, no workflow failed or stuck', () => {
  const { table, tally } = report;
  const why = `seed ${SEED}; the whole log is in ${dir}/chaos.log\n${tail(log)}`;
  expect({ duplicates: tally.duplicates, why }).toEqual({ duplicates: [], why });
  expect({ afterOptOut: tally.afterOptOut.filter((a) => a.what === 'mail'), why }).toEqual({ afterOptOut: [], why });
  expect({ mailsWithoutClaim: tally.mailsWithoutClaim, why }).toEqual({ mailsWithoutClaim: [], why });
  expect({ failed: tally.failed, stuck: tally.stuck, why }).toEqual({ failed: [], stuck: [], why });
  expect(table.duplicated + table.otherDuplicates + table.mailsAfterOptOut + table.workflowsFailed + table.workflowsStuck).toBe(0);
  // Every lead ran its course, and most touches were done exactly once.
  expect(table.expected).toBeGreaterThanOrEqual(45 * 6);
  expect(table.notAtRest).toBe(0);
  expect(report.passed).toBe(true);
});

test('every uncertain touch is explained by a fault that hit it', () => {
  for (const u of report.tally.uncertain) expect({ key: u.key, cause: u.cause }).toEqual({ key: u.key, cause: expect.not.stringContaining('unexplained') });
});

test('the faults really happened', () => {
  const f = report.faults;
  expect(f.problems).toEqual([]);
  expect(f.kills).toBe(5);
  expect(f.killsInsideSends).toBeGreaterThanOrEqual(1);
  expect(f.temporalRestarts).toBe(1);
  expect(f.postgresRestarts).toBe(1);
  // The SMTP port refused our own probes while it was stopped.
  expect(f.smtpOutage?.refused).toBeGreaterThan(0);
  expect(f.smtp.filter((x) => x.fired).map((x) => x.kind).sort()).toEqual(expect.arrayContaining(['SMTP 451', 'SMTP drop']));
  // The sandbox answered 429 and 500, and lost answers to calls it had carried out.
  expect(f.zoho['429']).toBeGreaterThan(0);
  expect(f.zoho['500']).toBeGreaterThan(0);
  expect(f.zoho['answer lost']).toBeGreaterThan(0);
  expect(f.tokenRevoked).not.toBeNull();
  // Every one-click unsubscribe took effect in the ledger (its first answer is in the report).
  expect(f.optOuts).toHaveLength(5);
  for (const o of f.optOuts) expect({ leadId: o.leadId, inLedger: Boolean(o.inLedgerAt) }).toEqual({ leadId: o.leadId, inLedger: true });
});
