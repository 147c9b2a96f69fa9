import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What `npm start` needs to know about processes, read from Linux's /proc: whether a recorded pid is
 * still the process we started (pid and start time together name one process for the life of the
 * machine), which processes share a process group, which carry our marker in their environment, and
 * who holds a listening port. Elsewhere than Linux every answer is "unknown" and callers fall back
 * to what they can check otherwise.
 */

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot: with the pid, it tells a process from a later one that reuses its pid. */
  startTime: number;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** A process that has exited but not yet been reaped (a zombie) counts as gone. */
export function isRunning(pid: number, startTime?: number): boolean {
  const stat = procStat(pid);
  if (stat) return stat.state !== 'Z' && (startTime === undefined || stat.startTime === startTime);
  try {
    process.kill(pid, 0);
    return startTime === undefined; // no /proc: alive, but we cannot tell whether it is the same process
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' && startTime === undefined;
  }
}

export function allPids(): number[] {
  try {
    return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
  } catch {
    return [];
  }
}

/** Running members of a process group. */
export function groupMembers(pgid: number): ProcStat[] {
  return allPids()
    .map(procStat)
    .filter((s): s is ProcStat => s !== undefined && s.pgid === pgid && s.state !== 'Z');
}

export function commandLine(pid: number): string | undefined {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    return cmd || undefined;
  } catch {
    return undefined;
  }
}

/** `NAME=value` as the process was started with it (only our own user's processes are readable). */
export function hasEnvironment(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    return false;
  }
}

export interface PortHolder {
  pid?: number;
  command?: string;
}

/** Inodes of the sockets listening on a TCP port, on any address, IPv4 or IPv6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/**
 * Who listens on a port: from /proc/net/tcp{,6} (the socket's inode) and /proc/<pid>/fd (which
 * process holds that inode). Empty when nothing listens; a holder without a pid when the socket is
 * there but its process is not ours to see (another user's).
 */
export function portHolders(port: number): PortHolder[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const holders: PortHolder[] = [];
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
    if (holds) holders.push({ pid, command: commandLine(pid) });
  }
  return holders.length ? holders : [{}];
}
