import express from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { FollowUpPolicy } from '../domain/policy';
import type { Logger } from '../lib/logger';
import type { Secret, Secrets } from '../config';
import { LeadViews } from '../integrations/ledger/lead-views';
import { Routing } from '../integrations/ledger/routing';
import type { RoutingRule } from '../domain/routing';
import { defaultKpiSettings, type KpiSettings } from '../services/analytics/kpis';
import type { Ledger } from '../integrations/ledger/ledger';
import type { ZohoStatusMap } from '../integrations/zoho/status-mapping';
import { requireApiKey } from './auth';
import { requestMetrics } from './request-metrics';
import { requestSpans } from './request-spans';
import { errorHandler, notFoundRoute } from './errors';
import { LeadImports } from '../services/lead-import';
import { LeadService } from '../services/lead-service';
import { openApiDocument } from './openapi';
import { leadRoutes } from './routes/leads';
import { courseRoutes } from './routes/courses';
import { healthRoutes } from './routes/health';
import { Catalog } from '../integrations/ledger/catalog';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { webhookRoutes } from './routes/webhooks';
import { Accounts } from './web/accounts';
import { webApp, webNotFound, type SentMailbox } from './web';
import { Sessions } from './web/sessions';

export interface AppDeps {
  temporal: Client;
  ledger: Ledger;
  secrets: Secrets;
  zohoStatus: ZohoStatusMap;
  apiKey: Secret;
  publicUrl: string;
  /** How new leads are followed up (cadence day length, weekly cap…), fixed into each lead at enrolment. */
  policy: FollowUpPolicy;
  /** Where the lead page links to: the Temporal UI and Zoho CRM. */
  links: { temporalUiUrl: string; namespace: string; zohoWebUrl: string };
  /** KPI settings and the company's time zone, for the dashboard. */
  director?: { kpiSettings: Omit<KpiSettings, 'caps'>; timeZone: string };
  /** Which pool each kind of lead goes to, for moving leads through routing from the web app. */
  routingRules?: RoutingRule[];
  /** The local SMTP catcher, in development only: enables the "Correo enviado" page. */
  sentMail?: SentMailbox;
  /** Proxies in front of the app: their X-Forwarded-For names the client the login limit counts. */
  trustProxyHops?: number;
  log: Logger;
}

/** The HTTP app without listen(), so tests drive it in-process. */
export function createApp({ temporal, ledger, secrets, zohoStatus, apiKey, publicUrl, policy, links, routingRules = [], director = { kpiSettings: defaultKpiSettings, timeZone: 'America/El_Salvador' }, sentMail, trustProxyHops = 0, log }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // First, so every answer is timed and traced, refusals and 404s too (by route pattern, never the URL).
  app.use(requestSpans());
  app.use(requestMetrics());
  app.set('trust proxy', trustProxyHops);
  const https = publicUrl.startsWith('https:');
  app.use(helmet({
    // Plain http is only ever local development, where upgrading requests or pinning HTTPS would break the app.
    strictTransportSecurity: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
  }));
  // The raw bytes are kept for signature checks (the web-form webhook signs the body as sent).
  app.use(express.json({ limit: '100kb', verify: (req, _res, buf) => ((req as { rawBody?: Buffer }).rawBody = buf) }));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/health', healthRoutes({ temporal, ledger }));
  const leads = new LeadService({ temporal, ledger, publicUrl, policy });
  const imports = new LeadImports(ledger.pool, leads);
  const catalog = new Catalog(ledger.pool);
  const views = new LeadViews(ledger.pool);
  app.use('/unsubscribe', unsubscribeRoutes({ leads, views, ledger, secret: secrets.unsubscribe, log }));
  app.use('/webhooks', webhookRoutes({ temporal, ledger, leads, zohoStatus, secrets }));
  const docs = openApiDocument({ publicUrl });
  app.get('/api/docs', (_req, res) => {
    res.json(docs);
  });
  app.use('/api', requireApiKey(apiKey));
  app.use('/api/leads', leadRoutes({ leads, imports, views }));
  app.use('/api/courses', courseRoutes({ catalog }));
  app.use(webApp({
    accounts: new Accounts(ledger.pool), sessions: new Sessions(ledger.pool, secrets.session), sessionSecret: secrets.session, leads, views, ledger, imports, catalog,
    routing: new Routing(ledger.pool), routingRules, director, publicUrl, links, sentMail, log,
  }));
  app.use(webNotFound);
  app.use(notFoundRoute);
  app.use(errorHandler(log));
  return app;
}
