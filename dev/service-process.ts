import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { groupMembers, procStat } from './processes';
import { SERVICE_VARIABLE, STACK_VARIABLE } from './stack-state';

const COLORS = [36, 35, 33, 32, 34, 31, 96];
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's JSON lines become `12:00:01 INFO message key=value`; anything else passes through. */
export function readableLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time, msg, pid: _pid, hostname: _host, name: _name, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    return [when, LEVELS[level as number] ?? String(level ?? ''), msg ?? '', extra].filter(Boolean).join(' ');
  } catch {
    return line;
  }
}

let colorIndex = 0;

/** Loaded first in every Node child: it stops the child when `npm start` is gone (see the file). */
export const ORPHAN_GUARD = resolve(__dirname, 'orphan-guard.cjs');

/** The command that runs a TypeScript entry point as a child of `npm start`, orphan guard first. */
export function nodeCommand(file: string, ...args: string[]): [string, string[]] {
  return [process.execPath, ['--require', ORPHAN_GUARD, '--import', 'tsx', file, ...args]];
}

export interface ServiceOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The stack's data folder: marks the process (and what it starts) as this stack's. */
  dataDir: string;
  /** The variables that choose its ports, and their values (for the state file). */
  ports?: Record<string, number>;
}

/**
 * A child process of `npm start`: the leader of its own process group and session (so Ctrl-C, or a
 * closed terminal, reaches only `npm start`, which stops the children in order), prefixed logs, and a
 * stdin pipe that closes when `npm start` dies, however it dies (see `dev/orphan-guard.cjs`).
 */
export class ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly pid: number;
  readonly startTime: number | undefined;
  readonly ports: Record<string, number>;

  constructor({ name, command, args, env, dataDir, ports = {} }: ServiceOptions) {
    this.name = name;
    this.ports = ports;
    const color = COLORS[colorIndex++ % COLORS.length];
    const prefix = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
    this.child = spawn(command, args, {
      env: { ...env, [STACK_VARIABLE]: dataDir, [SERVICE_VARIABLE]: name },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid!;
    this.startTime = procStat(this.pid)?.startTime;
    // Nothing is ever written: the pipe exists to close when this process dies.
    this.child.stdin!.on('error', () => undefined);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) process.stdout.write(`${prefix} ${readableLine(line)}\n`);
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Polls `probe` until it answers truthy: the service is ready. Fails when the service exits first,
   * or after `timeoutMs`, with the probe's last error.
   */
  async waitUntil(what: string, probe: () => Promise<unknown>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited (code ${this.child.exitCode ?? this.child.signalCode}) before ${what}`);
      try {
        if (await probe()) return;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: ${what} did not happen within ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * SIGTERM to the service (it stops its own children), SIGKILL to its whole group if it has not
   * stopped in time; then whatever is left in its group (a child it failed to stop) is ended too.
   */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    for (let i = 0; i < 20 && groupMembers(this.pid).length; i++) await new Promise((r) => setTimeout(r, 100));
    if (groupMembers(this.pid).length) this.kill();
  }

  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** A probe: the URL answers, with anything but a server error. */
export async function httpAnswers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.body?.cancel();
  return res.status < 500;
}
