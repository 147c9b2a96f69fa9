/**
 * A browser's side of the web app, as far as the bench needs it: cookies kept between requests and
 * the sign-in form (pre-login CSRF token, then the session cookie).
 */
export class WebSession {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<Response> {
    return this.request(path, { method: 'GET' });
  }

  async request(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.baseUrl}${path}`, {
      ...init, redirect: 'manual', signal: AbortSignal.timeout(60_000), headers: { ...(init.headers as Record<string, string>), ...(cookie ? { Cookie: cookie } : {}) },
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = set.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
    return res;
  }

  async signIn(email: string, password: string): Promise<void> {
    const page = await (await this.get('/login')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error('the login page has no CSRF field');
    const res = await this.request('/login', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password, _csrf: csrf, next: '/mi-dia' }).toString(),
    });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`signing in as ${email} answered ${res.status}`);
  }
}
