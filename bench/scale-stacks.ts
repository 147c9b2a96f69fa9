/**
 * The two stacks the scale bench compares, behind one small interface: production's topology (the
 * real Temporal server on PostgreSQL, two workers, two APIs: dev/production-topology.ts) and the
 * development stack (the Temporal CLI's dev server on SQLite, one worker, one API: dev/chaos/stack.ts).
 * Both get the same two changes for the bench, said where they are made.
 */
import type { Client } from '@temporalio/client';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { Accounts } from '../api/web/accounts';
import { CHAOS_API_KEY, CHAOS_EXECUTIVES, ChaosStack, SANDBOX_CREDENTIALS, Service } from '../dev/chaos/stack';
import { ProductionTopology } from '../dev/production-topology';
import { httpAnswers, nodeCommand, ServiceProcess } from '../dev/service-process';

const root = resolve(__dirname, '..');

/**
 * Every lead of the bench sends two mails (the welcome and the wave's touch) from one mailbox: the
 * default cap of 500 a day would move all but the first 250 leads' touches to the next day.
 */
const BENCH_ENVIRONMENT = { MAIL_DAILY_CAP: '1000000' };
const EXECUTIVE_CAP = 1_000_000;

export type StackKind = 'production' | 'dev';

export interface ScaleStack {
  kind: StackKind;
  dir: string;
  apiUrls: string[];
  apiKey: string;
  client: Client;
  /** The worker processes' pids (each runs the lead worker in one Node process). */
  workerPids(): number[];
  /** Process groups worth a memory figure beside the workers' (the Temporal server). */
  temporalPid(): number | undefined;
  sql<R extends object>(text: string, values?: unknown[]): Promise<R[]>;
  stop(keep: boolean): Promise<void>;
}

/** The development stack, with the bench's mail cap (ChaosStack passes no MAIL_* variable through). */
class DevScaleStack extends ChaosStack {
  override productEnv(): NodeJS.ProcessEnv {
    return { ...super.productEnv(), ...BENCH_ENVIRONMENT };
  }
}

export async function startStack(kind: StackKind, { dayDuration, say }: { dayDuration: string; say: (m: string) => void }): Promise<ScaleStack> {
  const dir = mkdtempSync(join(tmpdir(), `seguimiento-scale-${kind}-`));
  if (kind === 'dev') {
    const stack = new DevScaleStack({ dir, dayDuration, logLevel: 'error', say });
    process.once('exit', () => stack.killAll());
    await stack.start();
    await statelessZoho(stack, dir);
    return {
      kind, dir, apiUrls: [stack.apiUrl], apiKey: CHAOS_API_KEY, client: stack.client,
      workerPids: () => [stack.worker.pid!], temporalPid: () => stack.temporal.pid,
      sql: (text, values) => stack.sql(text, values),
      stop: async (keep) => {
        await stack.stop();
        if (!keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const topology = new ProductionTopology({
    dir, dayDuration, logLevel: 'error', temporalLogLevel: 'error', temporalLogToFile: true, environment: BENCH_ENVIRONMENT, say,
  });
  process.once('exit', () => topology.killAll());
  await topology.start();
  await statelessZoho(topology, dir);
  const pool = new Pool({ connectionString: topology.databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  // As ChaosStack does for the dev stack: executives with room for every lead, so routing assigns them all.
  const accounts = new Accounts(pool);
  for (const email of CHAOS_EXECUTIVES) await accounts.create({ email, name: email.split('@')[0]!, role: 'executive', password: 'scale-executive-password' });
  await pool.query('UPDATE users SET cap = $2 WHERE email = ANY($1)', [CHAOS_EXECUTIVES, EXECUTIVE_CAP]);
  return {
    kind, dir, apiUrls: topology.ports.apis.map((_, i) => topology.apiUrl(i)), apiKey: topology.secrets.API_KEY, client: topology.client,
    workerPids: () => topology.workers.map((w) => w.pid!), temporalPid: () => topology.temporal.pid,
    sql: async (text, values) => (await pool.query(text, values)).rows,
    stop: async (keep) => {
      await pool.end().catch(() => undefined);
      await topology.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The Zoho sandbox again, without its state file: it rewrites the whole file (every record, pretty
 * printed) on each write, which at thousands of leads costs more CPU than the product itself and
 * would be measured as the product's. Real Zoho has no such cost; its API limits are docs/scaling.md's.
 */
async function statelessZoho(stack: { zoho: Service; zohoUrl: string; ports: { zoho: number }; stopping: boolean; say: (m: string) => void }, dir: string): Promise<void> {
  await stack.zoho.stop('restarted without a state file for the scale bench');
  const [command, args] = nodeCommand(resolve(root, 'dev/zoho-sandbox/main.ts'), '--port', String(stack.ports.zoho),
    '--client-id', SANDBOX_CREDENTIALS.clientId, '--client-secret', SANDBOX_CREDENTIALS.clientSecret, '--refresh-token', SANDBOX_CREDENTIALS.refreshToken);
  stack.zoho = new Service('zoho', () => new ServiceProcess({ name: 'zoho', command, args, env: process.env, dataDir: dir }),
    (p) => p.waitUntil('it answered HTTP', () => httpAnswers(`${stack.zohoUrl}/__sandbox/faults`), 60_000), stack);
  await stack.zoho.start();
}

/** The processes of the group led by `pid` (a service and what it started). */
function groupMembers(pid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (statFields(Number(entry))[2] === pid) members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** /proc/<pid>/stat from field 3 on (state, ppid, pgrp, …): the command name before it may hold spaces. */
function statFields(pid: number): number[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
}

/** VmRSS of every process in the group led by `pid`, in bytes. */
export function groupRss(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  return groupMembers(pid).reduce((sum, p) => sum + (tryRead(() => processRss(p)) ?? 0), 0);
}

/** CPU time (user + system) the group led by `pid` has used so far, in seconds. */
export function groupCpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  // utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux).
  return groupMembers(pid).reduce((sum, p) => sum + (tryRead(() => statFields(p)) ?? []).slice(11, 13).reduce((a, b) => a + b, 0), 0) / 100;
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** VmRSS (resident now) and VmHWM (the peak) of one process, in bytes. */
export function processRss(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}
