import { webFormSignature } from '../../api/web-form';
import { aLead } from '../support/leads';
import { API_KEY, SECRETS, startStack, type Stack } from '../support/stack';

/** The company website's course form: signed, fresh, and accepted once. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

function signed(body: object, { secret = SECRETS.webForm as string, at = Math.floor(Date.now() / 1000) } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(at);
  return { raw, timestamp, signature: webFormSignature({ secret, timestamp, rawBody: raw }) };
}
const post = ({ raw, timestamp, signature }: ReturnType<typeof signed>) =>
  stack.api.post('/webhooks/web-form').set('Content-Type', 'application/json').set('X-Timestamp', timestamp).set('X-Signature', signature).send(raw);

test('a signed form enrolls the lead; the same delivery again is a replay and enrolls nobody', async () => {
  const { source: _set, ...lead } = aLead();
  const delivery = signed(lead);
  const res = await post(delivery).expect(201);
  expect(res.body).toMatchObject({ leadId: expect.stringMatching(/^L-/), stage: 'new' });
  await stack.catcher.waitFor((m) => m.envelope.to.includes(lead.email));
  expect((await post(delivery).expect(409)).body.message).toMatch(/replay/);
});

test('a wrong signature, a tampered body or a stale timestamp is refused and enrolls nobody', async () => {
  const lead = aLead();
  const before = stack.catcher.list().length;
  await post(signed(lead, { secret: 'someone-elses-secret-000' })).expect(401);
  const good = signed(lead);
  await post({ ...good, raw: JSON.stringify({ ...lead, email: 'attacker@example.com' }) }).expect(401);
  const stale = await post(signed(lead, { at: Math.floor(Date.now() / 1000) - 3600 })).expect(401);
  expect(stale.body.message).toMatch(/X-Timestamp must be within 300 s/);
  await stack.api.post('/webhooks/web-form').send(lead).expect(401);
  // Signed but invalid: field-level errors, like every other door.
  const invalid = await post(signed({ ...lead, email: 'nope' })).expect(400);
  expect(invalid.body.fields.email).toBeDefined();
  await new Promise((r) => setTimeout(r, 1000));
  expect(stack.catcher.list()).toHaveLength(before);
});

test('two copies of one delivery sent at once: exactly one is enrolled, the other is a replay', async () => {
  const { source: _set, ...lead } = aLead();
  const delivery = signed(lead);
  const answers = await Promise.all(Array.from({ length: 6 }, () => post(delivery)));
  expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
});

test('a delivery whose enrolment failed is accepted again when the sender retries', async () => {
  const { source: _set, ...lead } = aLead();
  const delivery = signed(lead);
  await stack.ledger.pool.query("INSERT INTO webhook_deliveries (signature, state, received_at) VALUES ($1, 'claimed', now() - interval '10 minutes')", [delivery.signature]);
  // A claim left behind by a crash mid-enrolment is taken over, not answered as a replay.
  await post(delivery).expect(201);
  await post(delivery).expect(409);
});

test('the public form can neither backdate a lead nor speak for another source', async () => {
  const { source: _set, ...lead } = aLead();
  const backdated = await post(signed({ ...lead, createdAt: '2020-01-01T00:00:00Z' })).expect(400);
  expect(backdated.body.fields.createdAt).toEqual([expect.stringMatching(/may not be set by the website form/)]);
  const asZoho = await post(signed({ ...lead, source: 'zoho' })).expect(400);
  expect(asZoho.body.fields.source).toEqual([expect.stringMatching(/may not be set by the website form/)]);
  // Nothing was enrolled: the API, which may set both, still creates the lead the first time.
  await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send({ ...lead, source: 'api' }).expect(201);
});

test("each source has its own secret: the form's key opens neither webhook, nor does one webhook's secret open the other", async () => {
  const asHeader = (path: string, secret: string) => stack.api.post(path).set('X-Webhook-Secret', secret).send({});
  await asHeader('/webhooks/zoho', SECRETS.webForm).expect(401);
  await asHeader('/webhooks/inbound-email', SECRETS.webForm).expect(401);
  await asHeader('/webhooks/zoho', SECRETS.inboundEmailWebhook).expect(401);
  await asHeader('/webhooks/inbound-email', SECRETS.zohoWebhook).expect(401);
  // Each with its own secret gets past the door (and then fails validation on the empty body).
  await asHeader('/webhooks/zoho', SECRETS.zohoWebhook).expect(400);
  await asHeader('/webhooks/inbound-email', SECRETS.inboundEmailWebhook).expect(400);
  // And a webhook secret cannot sign a form delivery.
  const { source: _set, ...lead } = aLead();
  await post(signed(lead, { secret: SECRETS.zohoWebhook })).expect(401);
});
