// Loaded before every Node process `npm start` runs (`node --require dev/orphan-guard.cjs --import tsx
// …`): the worker, the API, the stand-ins, and the supervisor that wraps Temporal's binary. It makes
// the process stop itself, gracefully, when `npm start` is gone however it went (SIGKILL included):
//
// - `npm start` gives each child a stdin pipe it never writes to. Only `npm start` holds the other
//   end, so the kernel closes it when `npm start` dies, and the child reads end-of-file at once.
// - The child then waits for the services started after it to stop (they are listed in start order
//   in the state file, dev/stack-state.ts), so the order is the one Ctrl-C uses (the worker drains
//   before Temporal and PostgreSQL go), and sends itself SIGTERM, which every entry point already
//   handles as a graceful stop.
// - Nobody reads its output any more: write errors (EPIPE) are ignored rather than fatal.
//
// Inert unless `npm start` set SEGUIMIENTO_SERVICE, and in worker threads (the Temporal SDK runs
// workflows in some; they load this file too, and their stdin is not the pipe). Plain JavaScript on
// purpose: worker threads load it before any TypeScript loader is in place there.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setInterval, clearInterval, setTimeout } = require('node:timers');
const { isMainThread } = require('node:worker_threads');

const service = process.env.SEGUIMIENTO_SERVICE;
const dataDir = process.env.SEGUIMIENTO_STACK;

/** Still the process that was recorded (same pid and start time), and not a zombie. */
function isRunning(pid, startTime) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && (startTime === undefined || Number(fields[19]) === startTime);
  } catch {
    return false;
  }
}

function servicesStartedAfterMe() {
  try {
    const { services } = JSON.parse(readFileSync(join(dataDir, 'npm-start.json'), 'utf8'));
    const mine = services.findIndex((s) => s.pid === process.pid);
    return mine >= 0 ? services.slice(mine + 1) : [];
  } catch {
    return [];
  }
}

function stopGracefully() {
  const later = servicesStartedAfterMe();
  const deadline = Date.now() + 30_000;
  const poll = setInterval(() => {
    if (later.some((s) => isRunning(s.pid, s.startTime)) && Date.now() < deadline) return;
    clearInterval(poll);
    process.kill(process.pid, 'SIGTERM');
    // Should the graceful stop hang, end the whole group (this process and what it started).
    setTimeout(() => {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        process.exit(1);
      }
    }, 20_000).unref();
  }, 100);
}

if (isMainThread && service && dataDir && !process.stdin.isTTY) {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.stdin.once('end', stopGracefully);
  process.stdin.on('error', () => undefined);
  process.stdin.resume();
  // Watching must not keep alive a process that would otherwise end.
  process.stdin.unref();
}
