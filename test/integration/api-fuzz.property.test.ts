import fc from 'fast-check';
import { bombs, LEAD_HEADER } from '../support/lead-file-bombs';
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

// Lead files past the limits of services/lead-file-limits.ts, of random shape: wide headers, long cells
// and too many rows, in either separator, at any row. The arbitraries give the shape (so that a
// counterexample reads short); the file is built from it inside the property.
const leadLine = (sep: string) => ['Ana', 'Pérez', 'ana@example.com', '', 'CO', 'b2b', 'DA-101', 'Analítica'].join(sep);
const csvShape = fc.oneof(
  fc.record({ kind: fc.constant('wide' as const), extra: fc.integer({ min: 43, max: 5000 }), sep: fc.constantFrom(',', ';'), rows: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('long' as const), length: fc.integer({ min: 1001, max: 200_000 }), before: fc.integer({ min: 0, max: 30 }), sep: fc.constantFrom(',', ';'), quoted: fc.boolean() }),
  fc.record({ kind: fc.constant('tall' as const), rows: fc.integer({ min: 5001, max: 30_000 }), blankEvery: fc.integer({ min: 0, max: 5 }) }),
);
type CsvShape = typeof csvShape extends fc.Arbitrary<infer T> ? T : never;
function csvOf(shape: CsvShape): Buffer {
  const header = (sep: string) => LEAD_HEADER.join(sep);
  if (shape.kind === 'wide') {
    const extra = Array.from({ length: shape.extra }, (_, i) => `c${String(i)}`).join(shape.sep);
    return Buffer.from([`${header(shape.sep)}${shape.sep}${extra}`, ...Array<string>(shape.rows).fill(leadLine(shape.sep))].join('\n'));
  }
  if (shape.kind === 'long') {
    const long = shape.quoted ? `"${'P'.repeat(shape.length)}"` : 'P'.repeat(shape.length);
    return Buffer.from([header(shape.sep), ...Array<string>(shape.before).fill(leadLine(shape.sep)), leadLine(shape.sep).replace('Pérez', long)].join('\n'));
  }
  const rows = Array.from({ length: shape.rows }, (_, i) => (shape.blankEvery && i % shape.blankEvery === 0 ? 'x\n' : 'x'));
  return Buffer.from([header(','), ...rows].join('\n'));
}
const EXCEL_BOMBS = ['xlsxWide', 'xlsxFarCell', 'xlsxRepeatedText', 'xlsxSheetBomb'] as const;
const LIMIT_NAMED = /\(máximo [\d.]+( MB)?\)|supera los [\d.]+ caracteres \(fila \d+\)/;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

test('oversized lead files at the import endpoints: always 4xx JSON, naming the limit when read', async () => {
  const excel = new Map(await Promise.all(EXCEL_BOMBS.map(async (name) => [name, await bombs[name].file()] as const)));
  const file = fc.oneof(csvShape, fc.constantFrom(...EXCEL_BOMBS));
  const way = fc.constantFrom('raw' as const, 'multipart' as const, 'mislabelled' as const);
  await fc.assert(
    fc.asyncProperty(file, way, async (shape, how) => {
      const type = typeof shape === 'string' ? 'xlsx' : 'csv';
      const content = typeof shape === 'string' ? excel.get(shape)! : csvOf(shape);
      let req = stack.api.post('/api/leads/import').set('Authorization', `Bearer ${API_KEY}`);
      if (how === 'multipart') req = req.attach('file', content, `leads.${type}`);
      // Sent as the other kind: a CSV labelled Excel is read by its bytes, and so is an Excel labelled CSV.
      else if (how === 'mislabelled') req = req.set('Content-Type', type === 'csv' ? XLSX : 'text/csv').send(content);
      else req = req.set('Content-Type', type === 'csv' ? 'text/csv' : XLSX).send(content);
      const res = await req;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(typeof res.body.message).toBe('string');
      // A CSV labelled Excel is named upload.xlsx and is no zip: refused as not a lead file, before any limit.
      if (!(how === 'mislabelled' && type === 'csv')) expect(res.body.message).toMatch(LIMIT_NAMED);
    }),
    { numRuns: 60 },
  );
  await stack.api.get('/healthz').expect(200);
}, 180_000);
