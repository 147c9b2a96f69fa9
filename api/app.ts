import express from 'express';
import type { Client } from '@temporalio/client';
import type { FollowUpPolicy } from '../domain/policy';
import type { Logger } from '../lib/logger';
import { requireApiKey } from './auth';
import { errorHandler, notFoundRoute } from './errors';
import { LeadService } from './lead-service';
import { openApiDocument } from './openapi';
import { leadRoutes } from './routes/leads';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { webhookRoutes } from './routes/webhooks';
import type { Ledger } from '../ledger/ledger';
import type { ZohoStatusMap } from '../zoho/status-mapping';

export interface AppDeps {
  temporal: Client;
  ledger: Ledger;
  secrets: { unsubscribe: string; webhook: string };
  zohoStatus: ZohoStatusMap;
  apiKey: string;
  publicUrl: string;
  /** How new leads are followed up (cadence day length, weekly cap…), fixed into each lead at enrolment. */
  policy: FollowUpPolicy;
  log: Logger;
}

/** The HTTP app without listen(), so tests drive it in-process. */
export function createApp({ temporal, ledger, secrets, zohoStatus, apiKey, publicUrl, policy, log }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The raw bytes are kept for signature checks (the web-form webhook signs the body as sent).
  app.use(express.json({ limit: '100kb', verify: (req, _res, buf) => ((req as { rawBody?: Buffer }).rawBody = buf) }));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const leads = new LeadService({ temporal, ledger, publicUrl, policy });
  app.use('/unsubscribe', unsubscribeRoutes({ leads, secret: secrets.unsubscribe }));
  app.use('/webhooks', webhookRoutes({ temporal, ledger, leads, zohoStatus, secret: secrets.webhook }));
  const docs = openApiDocument({ publicUrl });
  app.get('/api/docs', (_req, res) => {
    res.json(docs);
  });
  app.use('/api', requireApiKey(apiKey));
  app.use('/api/leads', leadRoutes(leads));
  app.use(notFoundRoute);
  app.use(errorHandler(log));
  return app;
}
