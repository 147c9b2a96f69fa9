import { Router } from 'express';
import { routingSettingsSchema } from '../../domain/accounts';
import type { RoutingRule } from '../../domain/routing';
import type { Routing } from '../../integrations/ledger/routing';
import { reassignAll } from '../../services/bulk-reassign';
import type { LeadService } from '../../services/lead-service';
import type { Accounts } from './accounts';
import type { WebContext } from './context';
import { spanishFieldErrors } from '../../domain/texts';
import { flash, requireLogin, requireRole, verifyCsrf, type CookieOptions } from './guard';
import { accountsPage } from './pages/accounts';

/** The director's share-out of leads: pools, caps, away, and moving someone's leads in one action. */
export function teamRoutes({ accounts, routing, leads, rules, cookie, ctx }: {
  accounts: Accounts; routing: Routing; leads: LeadService; rules: readonly RoutingRule[]; cookie: CookieOptions; ctx: WebContext;
}): Router {
  const router = Router();
  const director = [requireLogin, requireRole('director'), verifyCsrf];

  const executive = async (id: string) => {
    const user = /^\d+$/.test(id) ? await accounts.byId(Number(id)) : null;
    return user?.role === 'executive' ? user : null;
  };

  router.post('/cuentas/:id/reparto', ...director, async (req, res) => {
    const user = await executive(String(req.params.id));
    if (!user) return res.status(404).send(ctx.notFound(req, res));
    const parsed = routingSettingsSchema.safeParse({ pools: req.body?.pools ?? '', cap: req.body?.cap, away: req.body?.away === 'true' }, { reportInput: true });
    if (!parsed.success) {
      const errors = Object.fromEntries(Object.entries(spanishFieldErrors(parsed.error)).map(([k, v]) => [`${user.id}.${k.split('.')[0]}`, v]));
      const loads = Object.fromEntries((await routing.loads()).map((l) => [l.email, l.active]));
      return res.status(400).send(accountsPage(ctx(req, res), { users: await accounts.list(), loads, errors }));
    }
    await accounts.update(user.id, parsed.data);
    flash(res, { kind: 'ok', text: `${user.name}: reparto guardado.` }, cookie);
    res.redirect(303, '/cuentas');
  });

  router.post('/cuentas/:id/reasignar', ...director, async (req, res) => {
    const user = await executive(String(req.params.id));
    if (!user) return res.status(404).send(ctx.notFound(req, res));
    const to = String(req.body?.to ?? 'rules');
    if (to !== 'rules' && !(await accounts.list()).some((u) => u.email === to && u.role === 'executive' && u.active && u.email !== user.email)) {
      flash(res, { kind: 'error', text: 'Elige una ejecutiva activa o «según las reglas».' }, cookie);
      return res.redirect(303, '/cuentas');
    }
    const { moved, kept } = await reassignAll({ leads, routing, rules, from: user.email, to });
    flash(res, {
      kind: kept.length ? 'error' : 'ok',
      text: `${user.name}: ${moved.length} leads reasignados.${kept.length ? ` ${kept.length} se quedan con ${user.name}: nadie más tiene capacidad.` : ''}`,
    }, cookie);
    res.redirect(303, '/cuentas');
  });
  return router;
}
