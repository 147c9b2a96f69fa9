import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../ledger/ledger';
import { handleInboundEmail } from '../inbound-email';
import { requireWebhookSecret } from '../webhook-auth';
import type { LeadService } from '../lead-service';
import { handleZohoWebhook } from '../zoho-webhook';
import type { ZohoStatusMap } from '../../zoho/status-mapping';

export function webhookRoutes({ temporal, ledger, leads, zohoStatus, secret }: {
  temporal: Client; ledger: Ledger; leads: LeadService; zohoStatus: ZohoStatusMap; secret: string;
}): Router {
  const router = Router();
  router.use(requireWebhookSecret(secret));
  router.post('/inbound-email', async (req, res) => {
    res.json(await handleInboundEmail({ body: req.body, ledger, temporal }));
  });
  router.post('/zoho', async (req, res) => {
    res.json(await handleZohoWebhook({ body: req.body, leads, zohoStatus }));
  });
  return router;
}
