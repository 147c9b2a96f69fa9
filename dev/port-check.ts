import { createServer } from 'node:net';
import { portHolders } from './processes';

export interface WantedPort {
  /** The variable that moves it, e.g. DEV_ZOHO_PORT. */
  variable: string;
  port: number;
  /** The address the service binds; undefined for every interface. */
  host?: string;
}

function canListen(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * One line per port `npm start` cannot have: taken by another program (named by pid and command
 * when this user may see it), or wanted by two of our services at once. Empty when all are free.
 */
export async function portProblems(wanted: WantedPort[]): Promise<string[]> {
  const problems: string[] = [];
  const byPort = new Map<number, string[]>();
  for (const w of wanted) byPort.set(w.port, [...(byPort.get(w.port) ?? []), w.variable]);
  for (const [port, variables] of byPort) {
    if (variables.length > 1) problems.push(`port ${port} is set for ${variables.join(' and ')}: give each its own port`);
  }
  for (const { variable, port, host } of wanted) {
    if (await canListen(port, host)) continue;
    const holders = portHolders(port);
    const who = holders.some((h) => h.pid)
      ? holders.filter((h) => h.pid).map((h) => `pid ${h.pid} (${h.command ?? 'command unknown'})`).join(', ')
      : holders.length
        ? "a process this user cannot see (another user's; `sudo ss -ltnp` names it)"
        : 'another program';
    problems.push(`port ${port} (${variable}) is taken by ${who}: stop it, or set ${variable} to a free port`);
  }
  return problems;
}
