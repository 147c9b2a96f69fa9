import { spawn } from 'node:child_process';

/**
 * `node --require dev/orphan-guard.cjs --import tsx dev/supervise.ts <command> [args…]`: runs a program
 * we cannot change (Temporal's CLI, a Go binary) under a small Node process, so that it too stops
 * when `npm start` is gone: the orphan guard turns that into SIGTERM here, which is passed on.
 * SIGTERM/SIGINT stop the program (SIGKILL after 15 s); the program's exit code is this process's.
 * Its output goes through here, so that a write after `npm start` is gone is an error this process
 * ignores rather than a SIGPIPE that kills the program halfway through its shutdown.
 */
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: supervise.ts <command> [args…]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
};
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, stop);

child.on('error', (err) => {
  process.stderr.write(`${command} could not start: ${err.message}\n`);
  process.exit(1);
});
// 'close', not 'exit': after its last output has been passed on.
child.on('close', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
