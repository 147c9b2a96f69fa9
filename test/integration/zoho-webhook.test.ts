import { getLeadState } from '../../domain/messages';
import { leadWorkflowId } from '../../domain/ids';
import { createActivities } from '../../activities';
import { ZohoClient } from '../../integrations/zoho/client';
import { ZohoOrgMetadata } from '../../integrations/zoho/org-metadata';
import { eventually, SECRETS, startStack, type Stack } from '../support/stack';

/** Zoho → Seguimiento: leads created and statuses changed by people in Zoho, without echo loops. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const hook = (body: object, secret: string = SECRETS.zohoWebhook) => stack.api.post('/webhooks/zoho').set('X-Webhook-Secret', secret).send(body);
const zohoLead = (email: string, extra: object = {}) => ({
  id: '6310180003000000999', First_Name: 'Camila', Last_Name: 'Torres', Email: email, Phone: '+56 9 1234 5678',
  Company: 'Cobre Analítica', Designation: 'Gerente de datos', Country: 'Chile', Lead_Status: 'Not Contacted', ...extra,
});
const course = { code: 'BI-300', name: 'Power BI para equipos' };

test('a lead created in Zoho is enrolled like any other, once', async () => {
  const email = `camila.${Date.now()}@example.cl`;
  const created = await hook({ event: 'lead.created', lead: zohoLead(email), course }).expect(200);
  expect(created.body).toMatchObject({ action: 'enrolled', stage: 'new' });
  const state = await eventually(async () => {
    const s = await stack.env.client.workflow.getHandle(leadWorkflowId({ leadId: created.body.leadId })).query(getLeadState);
    if (s.stage !== 'contacting') throw new Error(s.stage);
    return s;
  });
  expect(state.lead).toMatchObject({ country: 'CL', profile: 'b2b', source: 'zoho', externalId: 'zoho:6310180003000000999', company: 'Cobre Analítica' });
  expect(state.cadence.id).toBe('b2b');
  await stack.catcher.waitFor((m) => m.envelope.to.includes(email));
  expect((await hook({ event: 'lead.created', lead: zohoLead(email), course }).expect(200)).body.action).toBe('already_enrolled');
});

test('a status a person sets in Zoho becomes an outcome; our own status coming back is ignored', async () => {
  const email = `camila.status.${Date.now()}@example.cl`;
  const { body } = await hook({ event: 'lead.created', lead: zohoLead(email), course }).expect(200);
  const handle = stack.env.client.workflow.getHandle(leadWorkflowId({ leadId: body.leadId }));
  await eventually(async () => {
    if ((await handle.query(getLeadState)).touches.length < 2) throw new Error('not contacting yet');
  });
  // Our own writes ask Zoho not to run its workflow rules on them...
  const ours = stack.sandbox.requests().filter((r) => r.method !== 'GET' && r.path.startsWith('/crm/v8/Leads'));
  expect(ours.length).toBeGreaterThan(0);
  for (const r of ours) expect((r.body as { trigger?: unknown }).trigger).toEqual([]);
  // ...and should one come back anyway, it is recognised as ours.
  const echo = await hook({ event: 'lead.status_changed', lead: zohoLead(email, { Lead_Status: 'Attempted to Contact' }) }).expect(200);
  expect(echo.body).toMatchObject({ action: 'ignored', reason: 'echo of our own status' });
  expect((await handle.query(getLeadState)).stage).toBe('contacting');

  const byPerson = await hook({ event: 'lead.status_changed', lead: zohoLead(email, { Lead_Status: 'Contacted' }) }).expect(200);
  expect(byPerson.body).toMatchObject({ action: 'outcome', outcome: 'contacted' });
  const state = await eventually(async () => {
    const s = await handle.query(getLeadState);
    if (s.stage !== 'engaged') throw new Error(s.stage);
    return s;
  });
  expect(state.outcomes.map((o) => [o.type, o.by])).toEqual([['contacted', 'zoho']]);
  const odd = await hook({ event: 'lead.status_changed', lead: zohoLead(email, { Lead_Status: 'Something Custom' }) }).expect(200);
  expect(odd.body.action).toBe('ignored');
});

test("an org without our status gets its fallback, and that value coming back is still our echo, not a person's change", async () => {
  const email = `camila.fallback.${Date.now()}@example.cl`;
  const { body } = await hook({ event: 'lead.created', lead: zohoLead(email), course }).expect(200);
  const handle = stack.env.client.workflow.getHandle(leadWorkflowId({ leadId: body.leadId }));
  const { zohoLeadId } = await eventually(async () => {
    const s = await handle.query(getLeadState);
    if (!s.zohoLeadId || s.touches.length < 2) throw new Error('not in Zoho yet');
    return s;
  });
  // This org has no "Attempted to Contact"; its map sends "Contacted" for what it lacks.
  const before = stack.sandbox.org();
  const stock = before.picklists.Leads!.Lead_Status!;
  stack.sandbox.setOrg({ picklists: { Leads: { Lead_Status: stock.filter((v) => v.actual_value !== 'Attempted to Contact') } } });
  try {
    const strict = createActivities({ ...stack.activityDeps, zohoOrg: new ZohoOrgMetadata(stack.activityDeps.zoho as ZohoClient), zohoValues: { 'Leads.Lead_Status': { '*': 'Contacted' } } });
    await strict.updateZohoStage({ zohoLeadId: zohoLeadId!, stage: 'contacting' });
    expect(stack.sandbox.records('Leads').find((r) => r.id === zohoLeadId)?.Lead_Status).toBe('Contacted');
    const echo = await hook({ event: 'lead.status_changed', lead: zohoLead(email, { Lead_Status: 'Contacted' }) }).expect(200);
    expect(echo.body).toMatchObject({ action: 'ignored', reason: 'echo of our own status' });
    expect((await handle.query(getLeadState)).outcomes).toEqual([]);
  } finally {
    stack.sandbox.setOrg(before);
  }
});

test('the Zoho webhook needs its secret, a known event and a known lead', async () => {
  await hook({ event: 'lead.created', lead: zohoLead('x@example.cl'), course }, 'not-the-secret-not-the-secret').expect(401);
  const bad = await hook({ event: 'lead.exploded', lead: {} }).expect(400);
  expect(bad.body.error).toBe('validation_failed');
  const noCountry = await hook({ event: 'lead.created', lead: zohoLead('y@example.cl', { Country: 'Narnia' }), course }).expect(400);
  expect(Object.keys(noCountry.body.fields)).toEqual(['country']);
  await hook({ event: 'lead.status_changed', lead: zohoLead(`nobody.${Date.now()}@example.cl`, { Lead_Status: 'Contacted' }) }).expect(404);
});
