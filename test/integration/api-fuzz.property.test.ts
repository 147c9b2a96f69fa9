import fc from 'fast-check';
import { API_KEY, SECRETS, startStack, type Stack } from '../support/stack';

/**
 * Bad input never produces a 500 and never enrolls anyone: random and malformed payloads at every
 * endpoint get a 4xx JSON answer.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 180_000);
afterAll(() => stack?.stop());

const endpoints: { path: string; headers: Record<string, string>; contentType?: string }[] = [
  { path: '/api/leads', headers: { Authorization: `Bearer ${API_KEY}` } },
  { path: '/api/leads/L-0000000000000/outcomes', headers: { Authorization: `Bearer ${API_KEY}` } },
  { path: '/api/leads/not-a-lead/commands', headers: { Authorization: `Bearer ${API_KEY}` } },
  { path: '/api/leads/L-0000000000000/cadence', headers: { Authorization: `Bearer ${API_KEY}` } },
  { path: '/api/leads', headers: {} },
  { path: '/api/leads/import', headers: { Authorization: `Bearer ${API_KEY}` } },
  { path: '/api/leads/import', headers: { Authorization: `Bearer ${API_KEY}` }, contentType: 'text/csv' },
  { path: '/api/leads/import', headers: { Authorization: `Bearer ${API_KEY}` }, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  { path: '/webhooks/inbound-email', headers: { 'X-Webhook-Secret': SECRETS.inboundEmailWebhook } },
  { path: '/webhooks/zoho', headers: { 'X-Webhook-Secret': SECRETS.zohoWebhook } },
  { path: '/webhooks/web-form', headers: { 'X-Timestamp': '1', 'X-Signature': 'sha256=00' } },
];

// Arbitrary JSON, near-miss leads (right keys, wrong values) and raw text that is not JSON at all.
const nearMissLead = fc.record(
  { firstName: fc.anything(), lastName: fc.string(), email: fc.oneof(fc.string(), fc.emailAddress().map((e) => `${e} x`)), country: fc.string({ maxLength: 3 }), profile: fc.string(), course: fc.anything(), source: fc.anything() },
  { requiredKeys: [] },
);
const payload = fc.oneof(
  fc.jsonValue().map((v) => ({ json: v })),
  nearMissLead.map((v) => ({ json: v as unknown })),
  fc.string().map((raw) => ({ raw })),
);

test('random and malformed payloads at every endpoint: always 4xx JSON, never 5xx, nobody enrolled', async () => {
  const mailBefore = stack.catcher.list().length;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), payload, async ({ path, headers, contentType }, body) => {
      let req = stack.api.post(path).set(headers).set('Content-Type', contentType ?? 'application/json');
      req = 'raw' in body ? req.send(body.raw) : req.send(JSON.stringify(body.json));
      const res = await req;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(typeof res.body.message).toBe('string');
    }),
    { numRuns: 300 },
  );
  expect(stack.catcher.list()).toHaveLength(mailBefore);
  const running: string[] = [];
  for await (const wf of stack.env.client.workflow.list({ query: "WorkflowType = 'leadWorkflow'" })) running.push(wf.workflowId);
  expect(running).toEqual([]);
}, 180_000);
