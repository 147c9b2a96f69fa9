import { ZohoAuthError, ZohoRequestError } from './errors';
import { parseRetryAfter, withRetries, type RetryRuntime } from './retry';
import { tokenErrorSchema, tokenSuccessSchema } from './schemas';

export interface AccessToken {
  value: string;
  apiDomain: string;
  /** When to stop using it: a little before Zoho's expiry, so a call never leaves with a dying token. */
  refreshAt: number;
}

export interface TokenSourceOptions {
  accountsUrl: string;
  apiDomain?: string | undefined;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  requestTimeoutMs: number;
  /** A refresh with its retries, like a CRM call's budget: it runs inside some activity's timeout. */
  budgetMs?: number;
}

export interface TokenSourceRuntime extends RetryRuntime {
  fetch: typeof fetch;
  now: () => number;
}

/** Zoho Accounts' throttling answer; it means "later", not "your credentials are wrong". */
const THROTTLED = 'Access Denied';

/**
 * Access tokens from the refresh-token grant. Only one refresh is ever in flight: Zoho Accounts
 * throttles refreshes hard (a handful per minute), so a burst of calls must share one.
 */
export class ZohoTokenSource {
  private current: AccessToken | undefined;
  private inflight: Promise<AccessToken> | undefined;

  constructor(
    private readonly opts: TokenSourceOptions,
    private readonly rt: TokenSourceRuntime,
  ) {}

  async get(): Promise<AccessToken> {
    if (this.current && this.rt.now() < this.current.refreshAt) return this.current;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drops the token Zoho refused, unless another call already replaced it. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  private async refresh(): Promise<AccessToken> {
    const url = `${this.opts.accountsUrl.replace(/\/+$/, '')}/oauth/v2/token`;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
      refresh_token: this.opts.refreshToken,
    });
    this.current = undefined;
    const deadline = this.opts.budgetMs === undefined ? undefined : this.rt.now() + this.opts.budgetMs;
    const token = await withRetries<AccessToken>(async () => {
      let res: Response;
      let text: string;
      try {
        res = await this.rt.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
        });
        text = await res.text();
      } catch (cause) {
        return { retry: { cause } };
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.rt.now());
      if (res.status === 429 || res.status >= 500) return { retry: { status: res.status, retryAfterMs } };
      const json = safeJson(text);
      const refused = tokenErrorSchema.safeParse(json);
      if (refused.success) {
        if (refused.data.error === THROTTLED) return { retry: { status: res.status, retryAfterMs } };
        throw new ZohoAuthError(refused.data.error, refused.data.error_description ?? 'the refresh-token grant was refused');
      }
      const parsed = tokenSuccessSchema.safeParse(json);
      if (!parsed.success) {
        if (res.status >= 400) throw new ZohoAuthError(`HTTP_${res.status}`, 'Zoho Accounts refused the refresh-token grant');
        throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho Accounts answered the token request with an unknown shape');
      }
      const body = parsed.data;
      const apiDomain = body.api_domain ?? this.opts.apiDomain;
      if (!apiDomain) throw new ZohoAuthError('NO_API_DOMAIN', 'the token answer named no api_domain and none is configured');
      const ttlMs = body.expires_in * 1000;
      return {
        done: {
          value: body.access_token,
          apiDomain: apiDomain.replace(/\/+$/, ''),
          refreshAt: this.rt.now() + ttlMs - Math.min(60_000, ttlMs / 10),
        },
      };
    }, this.rt, deadline);
    this.current = token;
    return token;
  }
}

export function safeJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
