import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allPids, groupMembers, hasEnvironment, isRunning, procStat, type ProcStat } from './processes';

/**
 * `npm start`'s record of the stack it runs, `<DATA_DIR>/npm-start.json`: its own pid and each
 * service's process group (every service is started as the leader of a group of its own) and ports,
 * in start order. The next `npm start` in the same folder reads it to stop whatever an abrupt end
 * left behind; a child whose parent is gone reads it to stop after the services started after it.
 *
 * Every process of the stack is also marked in its environment with `SEGUIMIENTO_STACK=<data
 * folder>`, inherited by its own children (PostgreSQL's server, Temporal's binary), so a recorded
 * pid is only ever acted on when the process really belongs to this folder's stack.
 */

export const STACK_VARIABLE = 'SEGUIMIENTO_STACK';
/** Set in a child's environment by `npm start`: which service it is (the orphan guard's cue). */
export const SERVICE_VARIABLE = 'SEGUIMIENTO_SERVICE';

export interface RecordedProcess {
  pid: number;
  startTime?: number;
}

export interface RecordedService extends RecordedProcess {
  name: string;
  /** The variables that choose its ports, and their values. */
  ports: Record<string, number>;
}

export interface StackState {
  dataDir: string;
  orchestrator: RecordedProcess;
  services: RecordedService[];
}

export const stateFile = (dataDir: string) => join(dataDir, 'npm-start.json');
export const stackMarker = (dataDir: string) => `${STACK_VARIABLE}=${dataDir}`;

export function readState(dataDir: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

export function writeState(state: StackState): void {
  const file = stateFile(state.dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

export const record = (pid: number): RecordedProcess => ({ pid, startTime: procStat(pid)?.startTime });

/** The still-running processes of a recorded service that carry this stack's marker. */
function leftoversOf(service: RecordedService, marker: string): ProcStat[] {
  return groupMembers(service.pid).filter((p) => hasEnvironment(p.pid, marker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AlreadyRunning extends Error {}

/**
 * Stops what an earlier `npm start` from this folder left running, last started first: SIGTERM to
 * the service's own process if it is still there (it stops its children), else to every process
 * left in its group; SIGKILL to the group after `graceMs`. Processes without this folder's marker
 * are never touched. Throws `AlreadyRunning` when the earlier `npm start` itself still runs.
 */
export async function stopStaleStack(dataDir: string, say: (msg: string) => void, graceMs = 10_000): Promise<void> {
  const state = readState(dataDir);
  const marker = stackMarker(dataDir);
  if (state && state.orchestrator.pid !== process.pid && isRunning(state.orchestrator.pid, state.orchestrator.startTime)) {
    throw new AlreadyRunning(
      `Seguimiento is already running from this folder (npm start, pid ${state.orchestrator.pid}). Stop it first (Ctrl-C in its terminal, or kill ${state.orchestrator.pid}), or give this one its own DATA_DIR and ports.`,
    );
  }
  const groups: { name: string; leader?: RecordedService; members: ProcStat[] }[] = (state?.services ?? [])
    .map((s) => ({ name: s.name, leader: s, members: leftoversOf(s, marker) }))
    .reverse();
  // Anything else marked as this folder's (say the record was lost): last, whatever group it is in.
  const known = new Set(groups.flatMap((g) => g.members.map((m) => m.pid)));
  const strays = allPids()
    .filter((pid) => pid !== process.pid && !known.has(pid) && hasEnvironment(pid, marker))
    .map(procStat)
    .filter((s): s is ProcStat => s !== undefined && s.state !== 'Z');
  if (strays.length) groups.push({ name: 'unrecorded', members: strays });

  const stale = groups.filter((g) => g.members.length);
  if (!stale.length) return;
  say(`found services left running by an earlier npm start in ${dataDir}: ${stale.map((g) => `${g.name} (pid ${g.members.map((m) => m.pid).join(', ')})`).join('; ')}; stopping them`);
  for (const group of stale) {
    const leader = group.leader && isRunning(group.leader.pid, group.leader.startTime) ? [group.leader.pid] : undefined;
    for (const pid of leader ?? group.members.map((m) => m.pid)) signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    const alive = () => group.members.filter((m) => isRunning(m.pid, m.startTime));
    while (alive().length && Date.now() < deadline) await sleep(100);
    const stubborn = alive();
    for (const m of stubborn) signal(m.pid, 'SIGKILL');
    if (stubborn.length) say(`${group.name} did not stop within ${graceMs / 1000} s: killed pid ${stubborn.map((m) => m.pid).join(', ')}`);
  }
  removeState(dataDir);
  say('the earlier stack is stopped');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}
