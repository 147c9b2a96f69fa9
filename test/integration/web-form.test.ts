import { webFormSignature } from '../../api/web-form';
import { aLead } from '../support/leads';
import { SECRETS, startStack, type Stack } from '../support/stack';

/** The company website's course form: signed, fresh, and accepted once. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

function signed(body: object, { secret = SECRETS.webhook, at = Math.floor(Date.now() / 1000) } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(at);
  return { raw, timestamp, signature: webFormSignature({ secret, timestamp, rawBody: raw }) };
}
const post = ({ raw, timestamp, signature }: ReturnType<typeof signed>) =>
  stack.api.post('/webhooks/web-form').set('Content-Type', 'application/json').set('X-Timestamp', timestamp).set('X-Signature', signature).send(raw);

test('a signed form enrolls the lead; the same delivery again is a replay and enrolls nobody', async () => {
  const lead = aLead({ source: 'anything' });
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
