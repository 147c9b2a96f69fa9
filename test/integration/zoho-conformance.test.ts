import { createActivities } from '../../activities';
import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { defaultOrg, type ZohoRecord } from '../../dev/zoho-sandbox/app';
import { ZohoClient } from '../../integrations/zoho/client';
import { ZohoOrgMetadata } from '../../integrations/zoho/org-metadata';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, TEAM_EXECUTIVE, type Stack } from '../support/stack';
import { requestProblems } from '../support/zoho-oas';

/**
 * Zoho as a real org has it: picklists with the org's own values, users who own records, converted
 * leads that take nothing more. A lead's whole life runs against the strict sandbox (real Temporal,
 * PostgreSQL, SMTP), and every request the client made is checked against Zoho's published v8
 * OpenAPI files: the operation exists, its required parameters are there, the body fits.
 */

const TEAM_ZOHO_USER = { id: '6310180000000412049', first_name: 'Equipo', last_name: 'Seguimiento', email: TEAM_EXECUTIVE, status: 'active' as const };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 180_000);
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.sandbox.reset();
  // The team's executive has a Zoho user, under another case of the same address.
  stack.sandbox.setOrg({ users: [...defaultOrg().users, { ...TEAM_ZOHO_USER, email: TEAM_EXECUTIVE.toUpperCase() }] });
});
afterEach(() => stack.stopWorker());

const api = (method: 'get' | 'post', path: string) => stack.api[method](path).set('Authorization', `Bearer ${API_KEY}`);
const lookupId = (value: unknown) => (value as { id?: string } | undefined)?.id;
const zohoLeadOf = (email: string) => stack.sandbox.records('Leads').find((r) => r.Email === email);
const under = (module: 'Notes' | 'Calls' | 'Tasks', id: string, field = module === 'Notes' ? 'Parent_Id' : 'What_Id') =>
  stack.sandbox.records(module).filter((r: ZohoRecord) => lookupId(r[field]) === id);
const aLeadRecord = (overrides = {}): Lead => {
  const input = leadInputSchema.parse(aLead(overrides));
  return { ...input, leadId: leadIdFor(input.email), createdAt: new Date().toISOString() };
};

test("a lead's life in Zoho: every request the client made conforms to Zoho's OpenAPI files, values fit the org, the executive owns, and after the hand-off the Contact gets the rest", async () => {
  await stack.startWorker();
  const input = aLead({ source: 'api', country: 'CO' });
  const { body } = await api('post', '/api/leads').send(input).expect(201);
  const leadId = body.leadId as string;
  const outcome = (payload: object) => api('post', `/api/leads/${leadId}/outcomes`).send(payload);
  await eventually(async () => {
    const { body: s } = await api('get', `/api/leads/${leadId}`).expect(200);
    if (!s.touches.some((t: { channel: string; status: string }) => t.channel === 'call' && t.status === 'due')) throw new Error('call not due yet');
  }, 60_000);
  const zohoLead = zohoLeadOf(input.email)!;
  await eventually(async () => {
    if (under('Tasks', zohoLead.id).length === 0) throw new Error('no task yet');
  });
  await outcome({ type: 'interested', note: 'Quiere el temario' }).expect(200);
  await outcome({ type: 'handed_to_closer' }).expect(200);
  await outcome({ type: 'enrolled' }).expect(200);
  const contact = await eventually(async () => {
    const c = stack.sandbox.records('Contacts').find((r) => r.Email === input.email);
    if (!c || !under('Notes', c.id, 'Parent_Id').some((n) => n.Note_Title === 'Resultado: enrolled')) throw new Error('no note on the Contact yet');
    return c;
  }, 60_000);

  // What people see in Zoho: the org's own values, the country's name, the executive as owner.
  const lead = zohoLeadOf(input.email)!;
  expect(lead).toMatchObject({
    Lead_Source: 'Integración API',
    Country: 'Colombia',
    Owner: { id: TEAM_ZOHO_USER.id },
    $converted: true,
  });
  expect(lead.Description).toMatch(/^--- Seguimiento ---\nCurso: .+\nEtapa: .+\n--- Seguimiento ---$/);
  const [task] = under('Tasks', lead.id);
  expect(task).toMatchObject({ Owner: { id: TEAM_ZOHO_USER.id }, Status: 'Not Started', Priority: expect.stringMatching(/^(High|Normal)$/) });
  const calls = under('Calls', lead.id);
  expect(calls.map((c) => [c.Call_Type, c.Call_Result, lookupId(c.Owner)])).toEqual([['Outbound', 'Interested', TEAM_ZOHO_USER.id]]);
  // Before the hand-off, notes under the lead; after it, under the Contact, never the retired lead.
  expect(under('Notes', lead.id).map((n) => n.Note_Title)).toEqual(expect.arrayContaining(['Correo enviado: welcome', 'Resultado: interested', 'Resultado: handed_to_closer']));
  expect(under('Notes', lead.id).map((n) => n.Note_Title)).not.toContain('Resultado: enrolled');
  expect(under('Notes', contact.id)).toHaveLength(1);
  const refused = stack.sandbox.requests().filter((r) => (r.status ?? 0) >= 400);
  expect(refused).toEqual([]);
  expect((await stack.ledger.eventsOf({ leadId })).map((e) => e.type)).not.toEqual(expect.arrayContaining(['crm_sync_failed']));

  // Every request the client made, against Zoho's files.
  const requests = stack.sandbox.requests().filter((r) => r.path.startsWith('/crm/'));
  const made = new Set(requests.map((r) => `${r.method} ${r.path.replace(/\d{19}/g, '{id}')}`));
  expect([...made]).toEqual(expect.arrayContaining([
    'GET /crm/v8/settings/fields', 'GET /crm/v8/users', 'GET /crm/v8/Leads/search', 'POST /crm/v8/Leads/upsert', 'POST /crm/v8/Tasks',
    'POST /crm/v8/Calls', 'POST /crm/v8/Notes', 'PUT /crm/v8/Leads/{id}', 'POST /crm/v8/Leads/{id}/actions/convert',
  ]));
  expect(requests.flatMap(requestProblems)).toEqual([]);
}, 180_000);

test('the conformance check finds what Zoho would refuse: a search without per_page, a trigger sent to Notes', () => {
  expect(requestProblems({ method: 'GET', path: '/crm/v8/Leads/search', query: { email: 'a@b.co' }, body: undefined }))
    .toEqual([expect.stringMatching(/module_search\.json .* requires the query parameter per_page/)]);
  expect(requestProblems({ method: 'POST', path: '/crm/v8/Notes', query: {}, body: { data: [{ Note_Content: 'x' }], trigger: [] } }))
    .toEqual([expect.stringMatching(/\$\.trigger: not taken by this operation/)]);
  expect(requestProblems({ method: 'POST', path: '/crm/v8/Leads/upsert', query: {}, body: { data: 'x' } }))
    .toEqual([expect.stringMatching(/\$\.data: expected array/)]);
  expect(requestProblems({ method: 'PATCH', path: '/crm/v8/Leads/1', query: {}, body: {} })).toEqual([expect.stringMatching(/no such operation/)]);
});

describe('the org decides what is sent', () => {
  const activitiesWith = (org: ZohoOrgMetadata, zohoValues = {}) => createActivities({ ...stack.activityDeps, zohoOrg: org, zohoValues });
  const freshOrg = () => new ZohoOrgMetadata(stack.activityDeps.zoho as ZohoClient);

  test('a source the org\'s picklist lacks is never sent: the configured fallback goes instead, and the lead\'s ledger says so', async () => {
    // This org has no "Integración API" nor "API" source, but has "Otro".
    stack.sandbox.setOrg({ picklists: { Leads: { Lead_Source: [{ display_value: 'Formulario web', actual_value: 'Formulario web' }, { display_value: 'Otro', actual_value: 'Otro' }] } } });
    const lead = aLeadRecord({ source: 'api' });
    const acts = activitiesWith(freshOrg(), { 'Leads.Lead_Source': { '*': 'Otro' } });
    const { zohoLeadId } = await acts.syncLeadToZoho({ lead, stage: 'contacting' });
    expect(stack.sandbox.records('Leads').find((r) => r.id === zohoLeadId)).toMatchObject({ Lead_Source: 'Otro' });
    const events = await stack.ledger.eventsOf({ leadId: lead.leadId });
    expect(events.filter((e) => e.type === 'zoho_value_fallback').map((e) => e.data)).toEqual([
      { field: 'Leads.Lead_Source', code: 'api', tried: ['Integración API', 'API'], sent: 'Otro' },
    ]);
  });

  test('without a fallback the org has, the field is left out (the record is still written), and the ledger says so', async () => {
    stack.sandbox.setOrg({ picklists: { Calls: { Call_Result: [{ display_value: 'Hablamos', actual_value: 'Hablamos' }] } } });
    const lead = aLeadRecord();
    const acts = activitiesWith(freshOrg());
    const { zohoLeadId } = await acts.syncLeadToZoho({ lead, stage: 'contacting' });
    await acts.logZohoCall({ leadId: lead.leadId, zohoLeadId, key: `${lead.leadId}:test-call`, subject: 'Llamada', result: 'no_answer', at: new Date().toISOString() });
    const [call] = under('Calls', zohoLeadId);
    expect(call).toBeDefined();
    expect(call!.Call_Result).toBeUndefined();
    const fallback = (await stack.ledger.eventsOf({ leadId: lead.leadId })).find((e) => e.type === 'zoho_value_fallback');
    expect(fallback?.data).toEqual({ field: 'Calls.Call_Result', code: 'no_answer', tried: ['No response/Busy'], sent: null });
  });

  test('an executive with no Zoho user: no Owner is sent (Zoho keeps its default), and the ledger names the executive', async () => {
    stack.sandbox.setOrg({ users: defaultOrg().users });
    const lead = aLeadRecord();
    await stack.ledger.pool.query(
      `INSERT INTO lead_views (lead_id, owner, stage, country, course_code, sla_status, stalled, search, revision, created_at, view)
       VALUES ($1, $2, 'contacting', 'CO', 'DS-101', 'pending', false, '', 1, now(), $3)`,
      [lead.leadId, TEAM_EXECUTIVE, JSON.stringify({ leadId: lead.leadId, owner: TEAM_EXECUTIVE })],
    );
    const acts = activitiesWith(freshOrg());
    const { zohoLeadId } = await acts.syncLeadToZoho({ lead, stage: 'contacting' });
    await acts.createTouchTask({ lead, zohoLeadId, touchKey: `${lead.leadId}:test-task`, channel: 'call', dueAt: new Date().toISOString(), subject: 'Llamar', script: 'Hola' });
    const upsert = stack.sandbox.requests().find((r) => r.path === '/crm/v8/Leads/upsert')!;
    expect((upsert.body as { data: Array<Record<string, unknown>> }).data[0]).not.toHaveProperty('Owner');
    expect(under('Tasks', zohoLeadId)[0]).toMatchObject({ Owner: { id: defaultOrg().users[0]!.id } });
    const missing = (await stack.ledger.eventsOf({ leadId: lead.leadId })).filter((e) => e.type === 'zoho_owner_missing');
    expect(missing.map((e) => e.data)).toEqual([{ owner: TEAM_EXECUTIVE }]);
  });

  test("a later sync leaves what people typed in Zoho and rewrites only Seguimiento's own part", async () => {
    const lead = aLeadRecord({ source: 'web-form' });
    const acts = activitiesWith(freshOrg());
    const { zohoLeadId } = await acts.syncLeadToZoho({ lead, stage: 'new' });
    expect(stack.sandbox.records('Leads')[0]).toMatchObject({ Lead_Source: 'Formulario web', Lead_Status: 'Not Contacted' });
    // A person in Zoho edits the lead: another source, the country as they write it, their own notes.
    const people = { Lead_Source: 'Referido', Country: 'Colombia (Medellín)', Description: `Lo conocí en la feria.\n\n${stack.sandbox.records('Leads')[0]!.Description as string}\n\nLlamar después de las 5.` };
    await fetch(`${stack.zohoUrl}/crm/v8/Leads/${zohoLeadId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${await tokenOf(stack.zohoUrl)}` },
      body: JSON.stringify({ data: [people] }),
    });
    await acts.syncLeadToZoho({ lead, stage: 'contacting' });
    const after = stack.sandbox.records('Leads').find((r) => r.id === zohoLeadId)!;
    expect(after).toMatchObject({ Lead_Source: 'Referido', Country: 'Colombia (Medellín)', Lead_Status: 'Attempted to Contact' });
    expect(after.Description).toBe(`Lo conocí en la feria.\n\n--- Seguimiento ---\nCurso: ${lead.course.name} (${lead.course.code})\nEtapa: En contacto\n--- Seguimiento ---\n\nLlamar después de las 5.`);
  });
});

async function tokenOf(zohoUrl: string): Promise<string> {
  const res = await fetch(`${zohoUrl}/oauth/v2/token?grant_type=refresh_token&client_id=it-client&client_secret=it-secret&refresh_token=it-refresh`, { method: 'POST' });
  return ((await res.json()) as { access_token: string }).access_token;
}
