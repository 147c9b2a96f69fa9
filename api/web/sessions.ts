import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Role, User } from '../../domain/accounts';
import { hmacHex, valuesOf, type Secret } from '../../lib/secret';

export const SESSION_HOURS = 12;

export interface Session {
  user: User;
  /** The synchronizer token every form of this session must send back. */
  csrf: string;
}

/**
 * Server-side sessions: the cookie holds a random token, the database only its HMAC under
 * SESSION_SECRET, so rows read from a backup cannot be turned back into cookies, and rows written by
 * someone without the secret match no cookie.
 */
export class Sessions {
  constructor(private readonly pool: Pool, private readonly secret: Secret) {}

  /** The stored form of a token; during a rotation, sessions opened under the previous secret still count. */
  private hashes(token: string): string[] {
    return valuesOf(this.secret).map((key) => hmacHex(key, 'session:', token));
  }

  async create({ userId }: { userId: number }): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
      [this.hashes(token)[0], userId, randomBytes(24).toString('base64url'), SESSION_HOURS],
    );
    // Expired sessions are swept on the way, so the table stays small without a job of its own.
    await this.pool.query('DELETE FROM sessions WHERE expires_at < now()');
    return token;
  }

  async find(token: string): Promise<Session | null> {
    const { rows } = await this.pool.query<{ id: string; email: string; name: string; role: Role; active: boolean; pools: string[]; cap: number; away: boolean; csrf_token: string }>(
      `SELECT u.id, u.email, u.name, u.role, u.active, u.pools, u.cap, u.away, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ANY($1) AND s.expires_at > now() AND u.active`,
      [this.hashes(token)],
    );
    const r = rows[0];
    return r ? { user: { id: Number(r.id), email: r.email, name: r.name, role: r.role, active: r.active, pools: r.pools, cap: r.cap, away: r.away }, csrf: r.csrf_token } : null;
  }

  async destroy(token: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE token_hash = ANY($1)', [this.hashes(token)]);
  }
}
