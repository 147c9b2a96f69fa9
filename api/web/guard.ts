import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Role, User } from '../../domain/accounts';
import type { LeadScope } from '../../integrations/ledger/lead-views';
import type { Session, Sessions } from './sessions';

export const SESSION_COOKIE = 'seg_session';
const PRE_LOGIN_COOKIE = 'seg_login_csrf';
const FLASH_COOKIE = 'seg_flash';

export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      try {
        out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        // A mangled cookie is simply absent.
      }
    }
  }
  return out;
}

export interface CookieOptions { secure: boolean }
const cookieFlags = ({ secure }: CookieOptions, maxAgeSeconds?: number) =>
  ['Path=/', 'HttpOnly', 'SameSite=Lax', secure ? 'Secure' : '', maxAgeSeconds !== undefined ? `Max-Age=${maxAgeSeconds}` : ''].filter(Boolean).join('; ');

export function setCookie(res: Response, name: string, value: string, options: CookieOptions, maxAgeSeconds?: number): void {
  res.append('Set-Cookie', `${name}=${encodeURIComponent(value)}; ${cookieFlags(options, maxAgeSeconds)}`);
}

export const sessionOf = (res: Response): Session | undefined => res.locals.session as Session | undefined;
export const userOf = (res: Response): User => sessionOf(res)!.user;

/** Reads the session cookie; pages that need a person call `requireLogin` after this. */
export function loadSession(sessions: Sessions): RequestHandler {
  return async (req, res, next) => {
    const token = cookies(req)[SESSION_COOKIE];
    if (token) res.locals.session = await sessions.find(token);
    next();
  };
}

export const requireLogin: RequestHandler = (req, res, next) => {
  if (sessionOf(res)) return next();
  if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  // A form sent without a session (it expired, or it never was ours) is refused as such.
  next(new SessionRequiredError('Tu sesión terminó. Inicia sesión de nuevo y repite el cambio.'));
};

export class SessionRequiredError extends Error {
  override name = 'SessionRequiredError';
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    if (roles.includes(userOf(res).role)) return next();
    next(new ForbiddenError('Tu rol no tiene acceso a esta página.'));
  };
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Every form posts back the session's token; a cross-site form cannot know it. */
export const verifyCsrf: RequestHandler = (req, res, next) => {
  const given = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
  const session = sessionOf(res);
  if (session && same(given, session.csrf)) return next();
  next(new ForbiddenError('El formulario caducó o no vino de esta aplicación. Vuelve a intentarlo.'));
};

/** Before there is a session, the login form is protected by a cookie-bound token (double submit). */
export function preLoginToken(req: Request, res: Response, options: CookieOptions): string {
  const existing = cookies(req)[PRE_LOGIN_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  setCookie(res, PRE_LOGIN_COOKIE, token, options, 3600);
  return token;
}

export function preLoginTokenValid(req: Request): boolean {
  const cookie = cookies(req)[PRE_LOGIN_COOKIE] ?? '';
  const given = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
  return cookie.length > 0 && same(cookie, given);
}

export interface Flash { kind: 'ok' | 'error'; text: string }

/** A message for the next page (after a redirect): "Resultado guardado. Próximo paso: …". */
export function flash(res: Response, message: Flash, options: CookieOptions): void {
  setCookie(res, FLASH_COOKIE, JSON.stringify(message), options, 60);
}

export function takeFlash(req: Request, res: Response, options: CookieOptions): Flash | null {
  const raw = cookies(req)[FLASH_COOKIE];
  if (!raw) return null;
  setCookie(res, FLASH_COOKIE, '', options, 0);
  try {
    const parsed = JSON.parse(raw) as Flash;
    return typeof parsed.text === 'string' ? { kind: parsed.kind === 'error' ? 'error' : 'ok', text: parsed.text } : null;
  } catch {
    return null;
  }
}

/** Which leads a person sees: an executive their own, a closer those handed to them, the director all. */
export function scopeOf(user: User): LeadScope {
  if (user.role === 'director') return 'all';
  return user.role === 'closer' ? { closer: user.email } : { owner: user.email };
}

export function mayWork(user: User, lead: { owner: string | null; closer?: string | null }): boolean {
  if (user.role === 'director') return true;
  return user.role === 'closer' ? lead.closer === user.email : lead.owner === user.email;
}
