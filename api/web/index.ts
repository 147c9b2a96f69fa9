import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';
import type { Ledger } from '../../integrations/ledger/ledger';
import type { LeadViews } from '../../integrations/ledger/lead-views';
import type { LeadState } from '../../domain/lead-state';
import { NotFoundError, UnavailableError } from '../errors';
import type { LeadImports } from '../../services/lead-import';
import type { LeadService } from '../../services/lead-service';
import type { Accounts } from './accounts';
import { STYLESHEET, SCRIPT } from './assets';
import { authRoutes } from './auth-routes';
import { teamRoutes } from './team-routes';
import { dashboardRoutes } from './dashboard-routes';
import type { KpiSettings } from '../../services/analytics/kpis';
import type { Routing } from '../../integrations/ledger/routing';
import type { RoutingRule } from '../../domain/routing';
import { webContext } from './context';
import { ForbiddenError, loadSession, requireLogin, SessionRequiredError } from './guard';
import { importRoutes } from './import-routes';
import { catalogRoutes } from './catalog-routes';
import type { Catalog } from '../../integrations/ledger/catalog';
import { leadRoutes } from './lead-routes';
import { errorPage } from './pages/layout';
import { sentMailPage, type SentMail } from './pages/sent-mail';
import type { Sessions } from './sessions';
import type { Secret } from '../../lib/secret';

/** The local SMTP catcher's mailbox, read by the dev-only "Correo enviado" page. */
export interface SentMailbox {
  list(): Promise<SentMail[]>;
  html(id: string): Promise<string | null>;
}

export interface WebDeps {
  accounts: Accounts;
  sessions: Sessions;
  /** SESSION_SECRET, which also signs the login's device cookies. */
  sessionSecret: Secret;
  leads: LeadService;
  views: LeadViews;
  ledger: Ledger;
  imports: LeadImports;
  catalog: Catalog;
  routing: Routing;
  routingRules: readonly RoutingRule[];
  /** The dashboard's KPI settings and the company's time zone. */
  director: { kpiSettings: Omit<KpiSettings, 'caps'>; timeZone: string };
  publicUrl: string;
  links: { temporalUiUrl: string; namespace: string; zohoWebUrl: string };
  sentMail?: SentMailbox;
  log: Logger;
}

/** The executives' and the director's web app: server-rendered Spanish pages, sessions and forms. */
export function webApp({ accounts, sessions, sessionSecret, leads, views, ledger, imports, catalog, routing, routingRules, director, publicUrl, links, sentMail, log }: WebDeps): Router {
  const cookie = { secure: publicUrl.startsWith('https:') };
  const ctx = webContext({ cookie, sentMail: Boolean(sentMail) });
  const router = Router();
  router.get('/static/app.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(STYLESHEET);
  });
  router.get('/static/app.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(SCRIPT);
  });
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 100 }));
  router.use(loadSession(sessions));
  const loads = async () => Object.fromEntries((await routing.loads()).map((l) => [l.email, l.active]));
  router.use(authRoutes({ accounts, sessions, sessionSecret, loads, cookie, ctx }));
  router.use(teamRoutes({ accounts, routing, leads, rules: routingRules, cookie, ctx }));
  router.use('/importar', importRoutes({ imports, ctx }));
  router.use(catalogRoutes({ catalog, cookie, ctx }));
  if (sentMail) {
    router.get('/correo-enviado', requireLogin, async (req, res) => {
      res.send(sentMailPage(ctx(req, res), { mails: await sentMail.list() }));
    });
    router.get('/correo-enviado/:id', requireLogin, async (req, res) => {
      const body = await sentMail.html(String(req.params.id));
      if (body === null) return res.status(404).send(ctx.notFound(req, res));
      // The mail's own markup, shown in a sandboxed frame: its styles may apply, nothing may run.
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:").type('html').send(body);
    });
  }
  const leadLinks = (state: LeadState) => ({
    temporal: `${links.temporalUiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(state.workflowId)}`,
    zoho: state.zohoLeadId ? `${links.zohoWebUrl}/crm/tab/Leads/${encodeURIComponent(state.zohoLeadId)}` : null,
  });
  router.use(dashboardRoutes({ ledger, views, accounts, settings: director.kpiSettings, timeZone: director.timeZone, ctx }));
  router.use(leadRoutes({ leads, views, ledger, accounts, cookie, ctx, links: leadLinks }));

  const failure: ErrorRequestHandler = (err, req, res, next) => {
    // API paths keep their JSON answers.
    if (req.path.startsWith('/api/') || req.path.startsWith('/webhooks/')) return next(err);
    const page = (status: number, title: string, message: string) => res.status(status).send(errorPage(ctx(req, res), title, message));
    if (err instanceof SessionRequiredError) return page(401, 'Sesión terminada', err.message);
    if (err instanceof ForbiddenError) return page(403, 'Sin acceso', err.message);
    if (err instanceof NotFoundError) return page(404, 'No encontrado', 'Ese lead no existe.');
    if (err instanceof UnavailableError) return page(503, 'Servicio no disponible', 'El motor de seguimiento no responde ahora mismo. Vuelve a intentarlo en unos segundos.');
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return page(status, 'Solicitud no válida', 'El formulario llegó incompleto o es demasiado grande.');
    log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'Unhandled web error');
    page(500, 'Algo salió mal', 'Algo falló de nuestro lado. El cambio no se guardó; vuelve a intentarlo.');
  };
  router.use(failure);
  return router;
}

/** Unknown pages answer in HTML to people and in JSON to machines. */
export const webNotFound: RequestHandler = (req, res, next) => {
  if (req.path.startsWith('/api/') || req.path.startsWith('/webhooks/') || !req.accepts('html')) return next();
  res.status(404).send(errorPage({}, 'No encontrado', 'Esa página no existe.'));
};
