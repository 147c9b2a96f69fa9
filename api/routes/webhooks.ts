import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Secrets } from '../../config';
import type { Ledger } from '../../integrations/ledger/ledger';
import { handleInboundEmail } from '../../services/inbound-email';
import { requireWebhookSecret } from '../webhook-auth';
import type { LeadService } from '../../services/lead-service';
import { handleZohoWebhook } from '../../services/zoho-webhook';
import { ZohoLinks } from '../../integrations/ledger/zoho-links';
import { underWebFormClaim } from '../web-form';
import type { ZohoStatusMap } from '../../integrations/zoho/status-mapping';

/** Each source has its own secret: the website's form key cannot post as Zoho or as the mail provider. */
export function webhookRoutes({ temporal, ledger, leads, zohoStatus, secrets }: {
  temporal: Client; ledger: Ledger; leads: LeadService; zohoStatus: ZohoStatusMap; secrets: Pick<Secrets, 'webForm' | 'zohoWebhook' | 'inboundEmailWebhook'>;
}): Router {
  const router = Router();
  const links = new ZohoLinks(ledger.pool);
  // Signed with HMAC instead of a header secret: the website's form cannot keep a header private.
  router.post('/web-form', async (req, res) => {
    const delivery = { timestamp: req.get('x-timestamp'), signature: req.get('x-signature'), rawBody: (req as { rawBody?: Buffer }).rawBody };
    const { created, ...result } = await underWebFormClaim({ secret: secrets.webForm, ledger, ...delivery }, () => leads.enrolFromWebForm(req.body));
    res.status(created ? 201 : 200).json(result);
  });
  router.post('/inbound-email', requireWebhookSecret(secrets.inboundEmailWebhook), async (req, res) => {
    res.json(await handleInboundEmail({ body: req.body, ledger, temporal, leads }));
  });
  router.post('/zoho', requireWebhookSecret(secrets.zohoWebhook), async (req, res) => {
    res.json(await handleZohoWebhook({ body: req.body, leads, zohoStatus, links }));
  });
  return router;
}
