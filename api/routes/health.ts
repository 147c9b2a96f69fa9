import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../integrations/ledger/ledger';

/** A probe that takes longer than this counts as a failure: an orchestrator's own timeout is a few seconds. */
const CHECK_TIMEOUT_MS = 2_000;

type Check = 'ok' | 'unreachable';

async function check(probe: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('timed out')), CHECK_TIMEOUT_MS)));
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For load balancers and orchestrators, without credentials, naming nothing internal:
 * - `GET /health/live`: the process answers HTTP (restart it when this fails);
 * - `GET /health/ready`: it can serve requests, i.e. Temporal answers for this API's namespace and the
 *   ledger's PostgreSQL answers a query; `503` with which of them does not (send it no traffic).
 */
export function healthRoutes({ temporal, ledger }: { temporal: Client; ledger: Ledger }): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  router.get('/ready', async (_req, res) => {
    const [temporalCheck, postgres] = await Promise.all([
      check(() => temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }))),
      check(() => ledger.pool.query('SELECT 1')),
    ]);
    const ready = temporalCheck === 'ok' && postgres === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { temporal: temporalCheck, postgres } });
  });
  return router;
}
