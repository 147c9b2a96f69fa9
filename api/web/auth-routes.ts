import { Router } from 'express';
import { ZodError } from 'zod';
import { newUserSchema, passwordChangeSchema } from '../../domain/accounts';
import { deviceCookie, deviceOf, LOGIN_LIMITS, TooManyAttemptsError, type Accounts } from './accounts';
import { spanishFieldErrors } from '../../domain/texts';
import {
  cookies, flash, preLoginToken, preLoginTokenValid, requireLogin, requireRole, SESSION_COOKIE, sessionOf, setCookie, userOf, verifyCsrf,
  type CookieOptions,
} from './guard';
import { accountsPage, myAccountPage } from './pages/accounts';
import { loginPage } from './pages/login';
import { SESSION_HOURS, type Sessions } from './sessions';
import type { WebContext } from './context';
import type { Secret } from '../../lib/secret';

/** Only a path on this site: `next=//evil.example` must not turn the login into an open redirect. */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/mi-dia');

/** Names a browser that signed in to an account before, so attacks from elsewhere cannot lock it out. */
export const DEVICE_COOKIE = 'seg_device';
const DEVICE_COOKIE_SECONDS = 365 * 24 * 3600;

/** `sessionSecret` signs the device cookies (SESSION_SECRET, as for sessions). */
export function authRoutes({ accounts, sessions, sessionSecret, loads, cookie, ctx }: {
  accounts: Accounts; sessions: Sessions; sessionSecret: Secret; loads: () => Promise<Record<string, number>>; cookie: CookieOptions; ctx: WebContext;
}): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (sessionOf(res)) return res.redirect(303, '/mi-dia');
    res.send(loginPage({ csrf: preLoginToken(req, res, cookie), next: safeNext(req.query.next) }));
  });

  router.post('/login', async (req, res) => {
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 200) : '';
    const next = safeNext(req.body?.next);
    const again = (status: number, error: string) =>
      res.status(status).send(loginPage({ csrf: preLoginToken(req, res, cookie), next, email, error }));
    if (!preLoginTokenValid(req)) return again(403, 'El formulario caducó. Vuelve a intentarlo.');
    const device = deviceOf({ cookie: cookies(req)[DEVICE_COOKIE], secret: sessionSecret });
    try {
      const user = await accounts.authenticate({ email, password, ip: req.ip ?? 'unknown', device });
      if (!user) return again(401, 'Correo o contraseña incorrectos.');
      setCookie(res, SESSION_COOKIE, await sessions.create({ userId: user.id }), cookie, SESSION_HOURS * 3600);
      // The browser is known to this account from now on; one already known keeps its nonce (and its
      // count) and is signed again, so it outlives a rotation of the secret.
      const nonce = device?.userId === user.id ? device.nonce : undefined;
      setCookie(res, DEVICE_COOKIE, deviceCookie({ userId: user.id, nonce, secret: sessionSecret }), cookie, DEVICE_COOKIE_SECONDS);
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof TooManyAttemptsError)) throw err;
      res.set('Retry-After', String(LOGIN_LIMITS.windowMinutes * 60));
      return again(429, `Demasiados intentos fallidos. Espera ${LOGIN_LIMITS.windowMinutes} minutos y vuelve a intentarlo.`);
    }
  });

  router.post('/logout', requireLogin, verifyCsrf, async (req, res) => {
    const token = cookies(req)[SESSION_COOKIE];
    if (token) await sessions.destroy(token);
    setCookie(res, SESSION_COOKIE, '', cookie, 0);
    // The device cookie stays: signing out does not make the browser a stranger to the account.
    res.redirect(303, '/login');
  });

  router.get('/cuenta', requireLogin, (req, res) => {
    res.send(myAccountPage(ctx(req, res)));
  });

  router.post('/cuenta', requireLogin, verifyCsrf, async (req, res) => {
    const parsed = passwordChangeSchema.safeParse(req.body, { reportInput: true });
    if (!parsed.success) return res.status(400).send(myAccountPage(ctx(req, res), { errors: spanishFieldErrors(parsed.error) }));
    const user = userOf(res);
    // The current password goes through the login's limits: a borrowed session cannot guess it either.
    const device = deviceOf({ cookie: cookies(req)[DEVICE_COOKIE], secret: sessionSecret });
    try {
      if (!(await accounts.authenticate({ email: user.email, password: parsed.data.current, ip: req.ip ?? 'unknown', device }))) {
        return res.status(400).send(myAccountPage(ctx(req, res), { errors: { current: ['no es correcta'] } }));
      }
    } catch (err) {
      if (!(err instanceof TooManyAttemptsError)) throw err;
      res.set('Retry-After', String(LOGIN_LIMITS.windowMinutes * 60));
      return res.status(429).send(myAccountPage(ctx(req, res), { errors: { current: [`demasiados intentos: espera ${LOGIN_LIMITS.windowMinutes} minutos`] } }));
    }
    // A new password ends every session, this one included: the person signs in again with it.
    await accounts.update(user.id, { password: parsed.data.password });
    res.redirect(303, '/login');
  });

  router.get('/cuentas', requireLogin, requireRole('director'), async (req, res) => {
    res.send(accountsPage(ctx(req, res), { users: await accounts.list(), loads: await loads() }));
  });

  router.post('/cuentas', requireLogin, requireRole('director'), verifyCsrf, async (req, res) => {
    const values = { name: String(req.body?.name ?? ''), email: String(req.body?.email ?? ''), role: String(req.body?.role ?? '') };
    try {
      const created = await accounts.create(newUserSchema.parse(req.body, { reportInput: true }));
      if (!created) {
        return res.status(409).send(accountsPage(ctx(req, res), { users: await accounts.list(), loads: await loads(), values, errors: { email: ['ya tiene una cuenta'] } }));
      }
      flash(res, { kind: 'ok', text: `Cuenta creada para ${created.name}.` }, cookie);
      res.redirect(303, '/cuentas');
    } catch (err) {
      if (!(err instanceof ZodError)) throw err;
      res.status(400).send(accountsPage(ctx(req, res), { users: await accounts.list(), loads: await loads(), values, errors: spanishFieldErrors(err) }));
    }
  });

  router.post('/cuentas/:id', requireLogin, requireRole('director'), verifyCsrf, async (req, res) => {
    const id = Number(req.params.id);
    const target = Number.isSafeInteger(id) ? await accounts.byId(id) : null;
    if (!target) return res.status(404).send(ctx.notFound(req, res));
    if (target.id === userOf(res).id) return res.redirect(303, '/cuentas');
    await accounts.update(target.id, { active: req.body?.active === 'true' });
    flash(res, { kind: 'ok', text: `${target.name}: cuenta ${req.body?.active === 'true' ? 'activada' : 'desactivada'}.` }, cookie);
    res.redirect(303, '/cuentas');
  });

  return router;
}
