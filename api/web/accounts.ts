import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import type { Pool, PoolClient } from 'pg';
import type { NewUser, Role, User } from '../../domain/accounts';
import { inTransaction } from '../../integrations/ledger/transaction';
import { hmacHex, sameText, valuesOf, type Secret } from '../../lib/secret';

/**
 * How logins are limited (OWASP's "device cookie" scheme). Every attempt is recorded before the
 * password is checked, in a transaction that counts the attempts already recorded and is serialised
 * per key with an advisory lock, so parallel guesses cannot all slip under a limit; a success deletes
 * the attempts it clears, a wrong password leaves its attempt counted. Within the window:
 * - A device that signed in to this account before (a signed device cookie for it) gets `perDevice`
 *   attempts, and nothing else counts against it: an attacker elsewhere cannot lock a known person out.
 * - Without one, an attempt is refused once the account has failed `perAccountAndAddress` times from
 *   this address, the address `perAddress` times (for any accounts), or the account `perAccount`
 *   times from anywhere (a distributed guess). Only the last can keep the real person out, and only
 *   on a device they have not used before.
 * Refused attempts are not recorded, so hammering a locked key does not extend its lock.
 */
export const LOGIN_LIMITS = { windowMinutes: 15, perAccountAndAddress: 5, perAddress: 20, perAccount: 50, perDevice: 5 } as const;

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane). @node-rs/argon2 2.2 defaults to the same,
 * but defaults are the library's to change: written out, a dependency update cannot weaken new
 * hashes unnoticed. Stored hashes below it are replaced at the person's next successful login.
 */
export const PASSWORD_HASHING = {
  // Algorithm.Argon2id: the package ships its enum as a type only, so the value is written here.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** Whether a stored hash was made with less than PASSWORD_HASHING (stronger ones are kept as they are). */
export function weakerThanPolicy(storedHash: string): boolean {
  const match = PHC_ARGON2ID.exec(storedHash);
  if (!match) return true;
  const [memory, passes, lanes] = match.slice(1).map(Number) as [number, number, number];
  return memory < PASSWORD_HASHING.memoryCost || passes < PASSWORD_HASHING.timeCost || lanes < PASSWORD_HASHING.parallelism;
}

/** Checked against for unknown emails, so they cost the same hashing time as known ones. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hash(randomBytes(16).toString('base64url'), PASSWORD_HASHING));

export class TooManyAttemptsError extends Error {
  override name = 'TooManyAttemptsError';
}

/** A browser that signed in to this account before: the account's id and a random name for the device. */
export interface Device { userId: number; nonce: string }

const DEVICE_FORMAT = /^(\d{1,15})\.([A-Za-z0-9_-]{22})\.([0-9a-f]{64})$/;
const deviceMac = (key: string, userId: number, nonce: string) => hmacHex(key, 'device:', `${userId}.${nonce}`);

/**
 * The device cookie's value: signed under SESSION_SECRET, so nobody can make one for an account
 * without having signed in to it. A known device keeps its nonce, so its count goes on.
 */
export function deviceCookie({ userId, nonce = randomBytes(16).toString('base64url'), secret }: { userId: number; nonce?: string; secret: Secret }): string {
  return `${userId}.${nonce}.${deviceMac(secret.current, userId, nonce)}`;
}

/** The device a cookie names, or null when it is missing, malformed or not signed by us. */
export function deviceOf({ cookie, secret }: { cookie: string | undefined; secret: Secret }): Device | null {
  const match = DEVICE_FORMAT.exec(cookie ?? '');
  if (!match) return null;
  const [userId, nonce, mac] = [Number(match[1]), match[2]!, match[3]!];
  // Every value is compared, so timing does not tell which secret matched.
  const signed = valuesOf(secret).map((key) => sameText(deviceMac(key, userId, nonce), mac)).includes(true);
  return signed ? { userId, nonce } : null;
}

// Advisory lock namespaces, one per kind of key, next to the ledger's (7272, 7273). An attempt takes
// its account's lock before its address's, so two attempts can wait for each other but never deadlock.
const ACCOUNT_LOCK = 7274;
const ADDRESS_LOCK = 7275;
const DEVICE_LOCK = 7276;

type UserRow = { id: string; email: string; name: string; role: Role; active: boolean; pools: string[]; cap: number; away: boolean };
const toUser = (r: UserRow): User => ({ id: Number(r.id), email: r.email, name: r.name, role: r.role, active: r.active, pools: r.pools, cap: r.cap, away: r.away });
const COLUMNS = 'id, email, name, role, active, pools, cap, away';

/** People who use the web app; passwords are kept as argon2id hashes only. */
export class Accounts {
  constructor(private readonly pool: Pool) {}

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(rows[0]!.n);
  }

  /** Creates the account, or returns null when the email is taken. */
  async create(user: NewUser): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [user.email, user.name, user.role, await hash(user.password, PASSWORD_HASHING)],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The first director, from the environment, only while there is nobody at all. */
  async ensureFirstAdmin(admin: NewUser): Promise<boolean> {
    if ((await this.count()) > 0) return false;
    return (await this.create(admin)) !== null;
  }

  async list(): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY role, name`);
    return rows.map(toUser);
  }

  async byId(id: number): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async update(id: number, changes: { role?: Role; active?: boolean; password?: string; pools?: string[]; cap?: number; away?: boolean }): Promise<void> {
    const passwordHash = changes.password ? await hash(changes.password, PASSWORD_HASHING) : null;
    await this.pool.query(
      `UPDATE users SET role = COALESCE($2, role), active = COALESCE($3, active), password_hash = COALESCE($4, password_hash),
         pools = COALESCE($5, pools), cap = COALESCE($6, cap), away = COALESCE($7, away) WHERE id = $1`,
      [id, changes.role ?? null, changes.active ?? null, passwordHash, changes.pools ?? null, changes.cap ?? null, changes.away ?? null],
    );
    // A deactivated account or a new password ends every open session of that person.
    if (changes.active === false || passwordHash) await this.pool.query('DELETE FROM sessions WHERE user_id = $1', [id]);
  }

  /**
   * The account for these credentials, or null. Refuses (TooManyAttemptsError) without checking the
   * password once a limit of LOGIN_LIMITS is reached, even for the right one, so guessing does not pay.
   * `device` is the device cookie the browser sent, already checked by `deviceOf`.
   */
  async authenticate({ email, password, ip, device }: { email: string; password: string; ip: string; device?: Device | null }): Promise<User | null> {
    const normalised = email.trim().toLowerCase();
    const { rows } = await this.pool.query<UserRow & { password_hash: string }>(
      `SELECT ${COLUMNS}, password_hash FROM users WHERE email = $1`,
      [normalised],
    );
    const row = rows[0];
    // A cookie counts only for the account it was issued for; any other is simply not a known device.
    const knownDevice = row && device?.userId === Number(row.id) ? device.nonce : null;
    const attempt = await this.reserveAttempt({ email: normalised, ip, device: knownDevice });
    // An unknown email costs the same hashing time as a known one, so timing reveals no accounts.
    const ok = await verify(row?.password_hash ?? (await dummy()), password);
    if (!ok || !row?.active) return null;
    await this.pool.query(
      knownDevice
        ? 'DELETE FROM login_attempts WHERE id = $1 OR (email = $2 AND device = $3)'
        : 'DELETE FROM login_attempts WHERE id = $1 OR (email = $2 AND ip = $3 AND device IS NULL)',
      [attempt, normalised, knownDevice ?? ip],
    );
    if (weakerThanPolicy(row.password_hash)) {
      // Only the hash that was checked is replaced: a password changed meanwhile stays changed.
      await this.pool.query('UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [row.id, row.password_hash, await hash(password, PASSWORD_HASHING)]);
    }
    return toUser(row);
  }

  /** Records an attempt if the limits allow one more, atomically with the count; returns its id. */
  private async reserveAttempt({ email, ip, device }: { email: string; ip: string; device: string | null }): Promise<string> {
    // Attempts older than the window count for nothing: swept on the way, so an attack cannot grow the table.
    await this.pool.query('DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(mins => $1)', [LOGIN_LIMITS.windowMinutes]);
    return inTransaction(this.pool, async (client) => {
      const allowed = device ? await this.deviceMayTry({ db: client, device }) : await this.anyoneMayTry({ db: client, email, ip });
      if (!allowed) throw new TooManyAttemptsError('too many failed logins');
      const { rows } = await client.query<{ id: string }>('INSERT INTO login_attempts (email, ip, device) VALUES ($1, $2, $3) RETURNING id', [email, ip, device]);
      return rows[0]!.id;
    });
  }

  private async deviceMayTry({ db, device }: { db: PoolClient; device: string }): Promise<boolean> {
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEVICE_LOCK, device]);
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM login_attempts WHERE device = $1 AND attempted_at > now() - make_interval(mins => $2)',
      [device, LOGIN_LIMITS.windowMinutes],
    );
    return Number(rows[0]!.n) < LOGIN_LIMITS.perDevice;
  }

  private async anyoneMayTry({ db, email, ip }: { db: PoolClient; email: string; ip: string }): Promise<boolean> {
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK, email]);
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADDRESS_LOCK, ip]);
    const { rows } = await db.query<{ account_address: string; address: string; account: string }>(
      `SELECT count(*) FILTER (WHERE email = $1 AND ip = $2) AS account_address, count(*) FILTER (WHERE ip = $2) AS address,
         count(*) FILTER (WHERE email = $1) AS account
       FROM login_attempts WHERE device IS NULL AND (email = $1 OR ip = $2) AND attempted_at > now() - make_interval(mins => $3)`,
      [email, ip, LOGIN_LIMITS.windowMinutes],
    );
    const n = rows[0]!;
    return Number(n.account_address) < LOGIN_LIMITS.perAccountAndAddress && Number(n.address) < LOGIN_LIMITS.perAddress
      && Number(n.account) < LOGIN_LIMITS.perAccount;
  }
}
