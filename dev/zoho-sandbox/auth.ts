import { randomBytes } from 'node:crypto';

export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type TokenGrant =
  | { ok: true; accessToken: string; expiresIn: number }
  // Zoho Accounts answers a refused grant with HTTP 200 and an `error` field, not with a 4xx.
  | { ok: false; error: 'invalid_client' | 'invalid_code' | 'unsupported_grant_type' | 'invalid_request' };

export type TokenCheck = 'ok' | 'missing' | 'invalid';

/** Zoho Accounts in miniature: refresh-token grants and the access tokens they issue. */
export class SandboxAuth {
  private tokens = new Map<string, number>();
  private revoked = false;

  constructor(
    private readonly credentials: SandboxCredentials,
    private readonly now: () => number,
    private readonly ttlSeconds: number,
  ) {}

  grant(params: Record<string, unknown>): TokenGrant {
    const { grant_type, client_id, client_secret, refresh_token } = params;
    if (grant_type !== 'refresh_token') {
      return { ok: false, error: grant_type === undefined ? 'invalid_request' : 'unsupported_grant_type' };
    }
    if (client_id !== this.credentials.clientId || client_secret !== this.credentials.clientSecret) {
      return { ok: false, error: 'invalid_client' };
    }
    // A revoked refresh token is refused exactly like an unknown one: Zoho answers invalid_code.
    if (refresh_token !== this.credentials.refreshToken || this.revoked) return { ok: false, error: 'invalid_code' };
    // Zoho access tokens look like "1000.<hex>.<hex>"; the shape helps spot one leaking into a log.
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    this.tokens.set(accessToken, this.now() + this.ttlSeconds * 1000);
    return { ok: true, accessToken, expiresIn: this.ttlSeconds };
  }

  check(authorization: string | undefined): TokenCheck {
    const match = /^Zoho-oauthtoken (\S+)$/.exec(authorization ?? '');
    if (!match?.[1]) return 'missing';
    const expiresAt = this.tokens.get(match[1]);
    if (expiresAt === undefined) return 'invalid';
    if (this.now() >= expiresAt) {
      this.tokens.delete(match[1]);
      return 'invalid';
    }
    return 'ok';
  }

  expireAll(): void {
    this.tokens.clear();
  }

  /**
   * The refresh token revoked (in Zoho's API console, or by Zoho): no new access token is granted,
   * and the ones it granted stop working too, so the next call finds out.
   */
  revokeRefreshToken(): void {
    this.revoked = true;
    this.tokens.clear();
  }

  /** A person configured a valid refresh token again. */
  restoreRefreshToken(): void {
    this.revoked = false;
  }
}
