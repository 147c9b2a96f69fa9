import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../integrations/ledger/ledger';
import { handleInboundEmail } from '../../services/inbound-email';
import { requireWebhookSecret } from '../webhook-auth';
import type { LeadService } from '../../services/lead-service';
import { handleZohoWebhook } from '../../services/zoho-webhook';
import { verifyWebForm } from '../web-form';
import type { ZohoStatusMap } from '../../integrations/zoho/status-mapping';

export function webhookRoutes({ temporal, ledger, leads, zohoStatus, secret }: {
  temporal: Client; ledger: Ledger; leads: LeadService; zohoStatus: ZohoStatusMap; secret: string;
}): Router {
  const router = Router();
  // Signed with HMAC instead of the shared header: the website's form cannot keep a secret header private.
  router.post('/web-form', async (req, res) => {
    await verifyWebForm({ secret, ledger, timestamp: req.get('x-timestamp'), signature: req.get('x-signature'), rawBody: (req as { rawBody?: Buffer }).rawBody });
    const { created, ...result } = await leads.enrol({ ...req.body, source: 'web-form' });
    await ledger.recordDelivery({ signature: String(req.get('x-signature')) });
    res.status(created ? 201 : 200).json(result);
  });
  router.use(requireWebhookSecret(secret));
  router.post('/inbound-email', async (req, res) => {
    res.json(await handleInboundEmail({ body: req.body, ledger, temporal }));
  });
  router.post('/zoho', async (req, res) => {
    res.json(await handleZohoWebhook({ body: req.body, leads, zohoStatus }));
  });
  return router;
}
