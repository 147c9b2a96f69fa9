import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../integrations/ledger/ledger';
import { CHECK_TIMEOUT_MS, LIVE, readiness, readyResponse } from '../../lib/health';

/**
 * For load balancers and orchestrators, without credentials, naming nothing internal:
 * - `GET /health/live`: the process answers HTTP (restart it when this fails);
 * - `GET /health/ready`: it can serve requests, i.e. Temporal answers for this API's namespace and the
 *   ledger's PostgreSQL answers a query; `503` with which of them does not (send it no traffic).
 * The worker answers the same two on its metrics port (workers/health.ts).
 */
export function healthRoutes({ temporal, ledger }: { temporal: Client; ledger: Ledger }): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json(LIVE);
  });
  router.get('/ready', async (_req, res) => {
    const { status, body } = readyResponse(await readiness({
      temporal: async () => {
        await temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }));
        return 'ok';
      },
      postgres: async () => {
        await ledger.pool.query('SELECT 1');
        return 'ok';
      },
    }));
    res.status(status).json(body);
  });
  return router;
}
