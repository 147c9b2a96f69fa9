import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../ledger/ledger';
import { handleInboundEmail } from '../inbound-email';
import { requireWebhookSecret } from '../webhook-auth';

export function webhookRoutes({ temporal, ledger, secret }: { temporal: Client; ledger: Ledger; secret: string }): Router {
  const router = Router();
  router.use(requireWebhookSecret(secret));
  router.post('/inbound-email', async (req, res) => {
    res.json(await handleInboundEmail({ body: req.body, ledger, temporal }));
  });
  return router;
}
