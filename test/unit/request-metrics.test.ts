import express, { Router, type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { requestMetrics } from '../../api/request-metrics';
import { createMetrics } from '../../lib/metrics';

/** The request histogram's labels: the pattern that answered, whatever path the request took. */
async function countsOf(app: express.Express, send: (api: ReturnType<typeof request>) => PromiseLike<unknown>, metrics: ReturnType<typeof createMetrics>) {
  await send(request(app));
  const { values } = await metrics.httpRequestDuration.get();
  return values.filter((v) => v.metricName === 'seguimiento_http_request_duration_seconds_count').map((v) => ({ ...v.labels, n: v.value }));
}

function appWith(metrics: ReturnType<typeof createMetrics>) {
  const app = express();
  app.use(requestMetrics(metrics.httpRequestDuration));
  const leads = Router();
  leads.get('/', (_req, res) => {
    res.json([]);
  });
  leads.get('/:leadId', (req, res) => {
    res.json({ leadId: req.params.leadId });
  });
  leads.post('/:leadId/outcomes', async () => {
    throw new Error('boom');
  });
  app.use('/api/leads', leads);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const failure: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ error: 'internal' });
  };
  app.use(failure);
  return app;
}

test('requests are labelled by method, status and the route pattern, never the path', async () => {
  const metrics = createMetrics();
  const app = appWith(metrics);
  const counts = await countsOf(app, async (api) => {
    await api.get('/api/leads/L-1234567890123').expect(200);
    await api.get('/api/leads/L-9999999999999').expect(200);
    await api.get('/api/leads').expect(200);
    // An error leaves the router (and resets its baseUrl) before the answer: the pattern stays whole.
    await api.post('/api/leads/L-1234567890123/outcomes').expect(500);
    await api.get('/nothing/L-1234567890123').expect(404);
    await api.delete('/api/leads/L-1234567890123').expect(404);
  }, metrics);
  expect(counts).toEqual(expect.arrayContaining([
    { method: 'GET', route: '/api/leads/:leadId', status: '200', n: 2 },
    { method: 'GET', route: '/api/leads', status: '200', n: 1 },
    { method: 'POST', route: '/api/leads/:leadId/outcomes', status: '500', n: 1 },
    { method: 'GET', route: 'unmatched', status: '404', n: 1 },
    { method: 'DELETE', route: 'unmatched', status: '404', n: 1 },
  ]));
  expect(counts).toHaveLength(5);
  expect(JSON.stringify(await metrics.registry.metrics())).not.toContain('L-');
});

test('an unusual method is "other", so clients cannot add series at will', async () => {
  const metrics = createMetrics();
  const counts = await countsOf(appWith(metrics), (api) => (api as unknown as { search(url: string): PromiseLike<unknown> }).search('/api/leads').then(() => undefined, () => undefined), metrics);
  expect(counts).toEqual([{ method: 'other', route: 'unmatched', status: '404', n: 1 }]);
});
