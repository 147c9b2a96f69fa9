import { hash, verify } from '@node-rs/argon2';
import type { Pool } from 'pg';
import type { NewUser, Role, User } from '../../domain/accounts';

/** Failed logins allowed in the window, per account and per address, before logins are refused. */
export const LOGIN_LIMITS = { perEmail: 5, perIp: 20, windowMinutes: 15 };

export class TooManyAttemptsError extends Error {
  override name = 'TooManyAttemptsError';
}

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
      [user.email, user.name, user.role, await hash(user.password)],
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
    const passwordHash = changes.password ? await hash(changes.password) : null;
    await this.pool.query(
      `UPDATE users SET role = COALESCE($2, role), active = COALESCE($3, active), password_hash = COALESCE($4, password_hash),
         pools = COALESCE($5, pools), cap = COALESCE($6, cap), away = COALESCE($7, away) WHERE id = $1`,
      [id, changes.role ?? null, changes.active ?? null, passwordHash, changes.pools ?? null, changes.cap ?? null, changes.away ?? null],
    );
    // A deactivated account or a new password ends every open session of that person.
    if (changes.active === false || passwordHash) await this.pool.query('DELETE FROM sessions WHERE user_id = $1', [id]);
  }

  /**
   * The account for these credentials, or null. Refuses (TooManyAttemptsError) once an account or an
   * address has failed too often recently, even with the right password, so guessing does not pay.
   */
  async authenticate({ email, password, ip }: { email: string; password: string; ip: string }): Promise<User | null> {
    const normalised = email.trim().toLowerCase();
    const { rows: [counts] } = await this.pool.query<{ by_email: string; by_ip: string }>(
      `SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip
       FROM login_failures WHERE failed_at > now() - make_interval(mins => $3)`,
      [normalised, ip, LOGIN_LIMITS.windowMinutes],
    );
    if (Number(counts!.by_email) >= LOGIN_LIMITS.perEmail || Number(counts!.by_ip) >= LOGIN_LIMITS.perIp) {
      throw new TooManyAttemptsError('too many failed logins');
    }
    const { rows } = await this.pool.query<UserRow & { password_hash: string }>(
      `SELECT ${COLUMNS}, password_hash FROM users WHERE email = $1`,
      [normalised],
    );
    const row = rows[0];
    // An unknown address costs the same hashing time as a known one, so timing reveals no accounts.
    const ok = row ? await verify(row.password_hash, password) : (await hash(password), false);
    if (!ok || !row?.active) {
      await this.pool.query('INSERT INTO login_failures (email, ip) VALUES ($1, $2)', [normalised, ip]);
      return null;
    }
    await this.pool.query('DELETE FROM login_failures WHERE email = $1', [normalised]);
    return toUser(row);
  }

  async verifyPassword({ id, password }: { id: number; password: string }): Promise<boolean> {
    const { rows } = await this.pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [id]);
    return rows[0] ? verify(rows[0].password_hash, password) : false;
  }
}
