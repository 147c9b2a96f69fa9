import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { leadWorkflowId } from '../../domain/ids';
import { LEAD_COUNTRY, LEAD_COURSE, LEAD_ID, LEAD_OWNER, LEAD_STAGE } from '../../domain/search-attributes';
import type { Ledger } from '../../integrations/ledger/ledger';
import { parseMail, type MailCatcher } from '../../dev/smtp-catcher/catcher';
import type { ZohoSandbox } from '../../dev/zoho-sandbox/app';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, TEAM_EXECUTIVE, type Stack } from '../support/stack';

/**
 * The walking skeleton through the real stack: Temporal dev server (the `temporal` CLI), PostgreSQL,
 * SMTP, the Zoho sandbox over HTTP, the worker and the API. Nothing here is a mock.
 */
let stack: Stack;
let env: TestWorkflowEnvironment;
let ledger: Ledger;
let catcher: MailCatcher;
let sandbox: ZohoSandbox;
let api: Stack['api'];

beforeAll(async () => {
  stack = await startStack();
  ({ env, ledger, catcher, sandbox, api } = stack);
}, 180_000);

afterAll(() => stack?.stop());

const post = (body: unknown) => api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(body as object);

test('one lead through the real stack: Zoho task, welcome email over SMTP, ledger rows, live state, search attributes', async () => {
  // The catalog, not the lead's form, says when the next cohort starts.
  await api.put('/api/courses/DS-101').set('Authorization', `Bearer ${API_KEY}`)
    .send({ name: 'Ciencia de Datos con Python', cohorts: [{ startDate: '2030-02-01', modality: 'online', price: 1200, currency: 'USD' }] }).expect(201);
  const input = aLead({ country: 'CO', course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-03-15' } });
  const res = await post(input).expect(201);
  const { leadId, workflowId } = res.body as { leadId: string; workflowId: string };
  expect(res.body).toEqual({ leadId: expect.stringMatching(/^L-/), workflowId: leadWorkflowId({ leadId }), stage: 'new' });

  // The welcome email, as the SMTP server received it.
  const mail = await catcher.waitFor((m) => m.envelope.to.includes(input.email));
  const parsed = await parseMail(mail);
  expect(parsed.subject).toBe('Tu interés en Ciencia de Datos con Python');
  expect(parsed.text).toContain('¡Hola, Valentina!');
  expect(parsed.text).toContain('La próxima cohorte comienza el 1 de febrero de 2030');
  expect(parsed.messageId).toBe(`<${leadId}.step-0.attempt-1@example.com>`);
  expect(parsed.html).toContain('<p>');

  // The day-1 call, as a task on the lead's Zoho record.
  const zohoLead = await eventually(async () => {
    const found = sandbox.records('Leads').find((r) => r.Email === input.email);
    if (!found) throw new Error('lead not in Zoho yet');
    return found;
  });
  expect(zohoLead).toMatchObject({ First_Name: 'Valentina', Last_Name: 'Rojas' });
  const task = await eventually(async () => {
    const found = sandbox.records('Tasks').find((t) => (t.What_Id as { id?: string } | undefined)?.id === zohoLead.id);
    if (!found) throw new Error('task not in Zoho yet');
    return found;
  });
  expect(task.Subject).toBe('Llamar a Valentina Rojas · Ciencia de Datos con Python');
  expect(String(task.Description)).toContain('Pregunta qué espera del curso para su carrera');

  // Every step in the ledger.
  const events = await eventually(async () => {
    const rows = await ledger.eventsOf({ leadId });
    if (rows.length < 5) throw new Error(`only ${rows.length} events so far`);
    return rows;
  });
  expect(events.map((e) => e.type)).toEqual(['lead_enrolled', 'stage_changed', 'lead_assigned', 'email_sent', 'touch_due']);
  expect(events[2]!.data).toEqual({ owner: TEAM_EXECUTIVE, pool: 'general' });
  expect(events[4]!.data).toMatchObject({ channel: 'call', zohoTaskId: task.id });

  // Live state from the workflow query.
  const state = await eventually(async () => {
    const { body } = await api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200);
    if (body.stage !== 'contacting' || body.touches.length < 2 || !body.nextStep?.action.startsWith('Toque 2')) throw new Error(`not there yet`);
    return body;
  });
  expect(state).toMatchObject({ leadId, zohoLeadId: zohoLead.id, nextStep: { action: 'Toque 2/5 · correo' }, cadence: { id: 'default', version: 2 } });
  expect(state.touches.map((t: { kind: string; channel: string; status: string }) => [t.kind, t.channel, t.status])).toEqual([['welcome', 'email', 'done'], ['cadence', 'call', 'due']]);

  // What the Temporal UI shows and filters on, as the server reports it.
  const description = await env.client.workflow.getHandle(workflowId).describe();
  expect(description.typedSearchAttributes.get(LEAD_ID)).toBe(leadId);
  expect(description.typedSearchAttributes.get(LEAD_STAGE)).toBe('contacting');
  expect(description.typedSearchAttributes.get(LEAD_COUNTRY)).toBe('CO');
  expect(description.typedSearchAttributes.get(LEAD_COURSE)).toBe('DS-101');
  expect(description.typedSearchAttributes.get(LEAD_OWNER)).toBe(TEAM_EXECUTIVE);
  expect(await description.staticSummary()).toBe('Valentina Rojas · Ciencia de Datos con Python (CO)');
  const listed = await eventually(async () => {
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query: `LeadCountry = 'CO' AND LeadStage = 'contacting' AND LeadId = '${leadId}'` })) ids.push(wf.workflowId);
    if (!ids.length) throw new Error('not visible yet');
    return ids;
  });
  expect(listed).toEqual([workflowId]);
});

test('the same person again while followed up, from any source and in any letter case, never gets a second workflow', async () => {
  const input = aLead();
  const first = await post(input).expect(201);
  await catcher.waitFor((m) => m.envelope.to.includes(input.email));
  const again = await post({ ...input, email: `  ${input.email.toUpperCase()} `, source: 'zoho' }).expect(200);
  expect(again.body.leadId).toBe(first.body.leadId);
  expect(again.body.workflowId).toBe(first.body.workflowId);
  await new Promise((r) => setTimeout(r, 1500));
  expect(catcher.list().filter((m) => m.envelope.to.includes(input.email))).toHaveLength(1);
  // The new interaction reached the existing lead, with the course asked about.
  const returned = await eventually(async () => {
    const e = (await ledger.eventsOf({ leadId: first.body.leadId })).find((x) => x.type === 'lead_returned');
    if (!e) throw new Error('not recorded yet');
    return e;
  });
  expect(returned.data).toEqual({ source: 'zoho', course: input.course.code });
});

test('bad input is a 400 with field-level errors and starts nothing; no key is a 401; an unknown lead is a 404', async () => {
  const before = catcher.list().length;
  const bad = await post({ ...aLead(), email: 'not-an-email', country: 'XX', course: { code: '' } }).expect(400);
  expect(bad.body.error).toBe('validation_failed');
  expect(Object.keys(bad.body.fields)).toEqual(expect.arrayContaining(['email', 'country', 'course.code', 'course.name']));
  await api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'application/json').send('{"firstName":').expect(400);
  await api.post('/api/leads').send(aLead()).expect(401);
  await api.post('/api/leads').set('Authorization', 'Bearer wrong-key-wrong-key-wrong').send(aLead()).expect(401);
  await api.get('/api/leads/L-0000000000000').set('Authorization', `Bearer ${API_KEY}`).expect(404);
  await api.get('/api/leads/not-a-lead-id').set('Authorization', `Bearer ${API_KEY}`).expect(404);
  await new Promise((r) => setTimeout(r, 1000));
  expect(catcher.list()).toHaveLength(before);
});

test('outcomes through the API: the new state comes back, nonsense is a 400 with the reason, unknown leads are 404', async () => {
  const input = aLead();
  const { body } = await post(input).expect(201);
  const leadId = body.leadId as string;
  const outcome = (payload: object) => api.post(`/api/leads/${leadId}/outcomes`).set('Authorization', `Bearer ${API_KEY}`).send(payload);
  await eventually(async () => {
    const { body: s } = await api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200);
    // The day-1 call is in the executive's hands: the outcome will close it (and log the call in Zoho).
    if (!s.touches.some((t: { channel: string; status: string }) => t.channel === 'call' && t.status === 'due')) throw new Error('call not due yet');
  });

  const early = await outcome({ type: 'enrolled' }).expect(400);
  expect(early.body).toEqual({ error: 'rejected', message: expect.stringMatching(/"enrolled" makes no sense while the lead is en contacto/) });
  const invalid = await outcome({ type: 'lost' }).expect(400);
  expect(invalid.body.fields).toEqual({ reason: ['is required when the lead is lost'] });
  expect((await outcome({ type: 'teleported' }).expect(400)).body.fields.type[0]).toMatch(/must be one of/);

  const engaged = await outcome({ type: 'interested', note: 'Quiere el temario' }).expect(200);
  expect(engaged.body).toMatchObject({ stage: 'engaged', nextStep: { action: 'Definir el siguiente paso con Valentina' }, sla: { status: 'met' } });
  const paused = await api.post(`/api/leads/${leadId}/commands`).set('Authorization', `Bearer ${API_KEY}`).send({ type: 'pause' }).expect(200);
  expect(paused.body.paused).toMatchObject({ since: expect.any(String) });
  await api.post(`/api/leads/${leadId}/commands`).set('Authorization', `Bearer ${API_KEY}`).send({ type: 'fly' }).expect(400);

  await api.post(`/api/leads/${leadId}/commands`).set('Authorization', `Bearer ${API_KEY}`).send({ type: 'resume' }).expect(200);
  expect((await outcome({ type: 'handed_to_closer' }).expect(200)).body.stage).toBe('closing');
  expect((await outcome({ type: 'enrolled' }).expect(200)).body.stage).toBe('enrolled');
  await eventually(async () => {
    const { status } = await env.client.workflow.getHandle(body.workflowId).describe();
    if (status.name !== 'COMPLETED') throw new Error(status.name);
  });
  expect((await outcome({ type: 'replied' }).expect(400)).body.message).toMatch(/closed \(enrolled\)/);
  await api.post('/api/leads/L-0000000000000/outcomes').set('Authorization', `Bearer ${API_KEY}`).send({ type: 'replied' }).expect(404);
  // Zoho has the story too: the call logged with its result, notes for the email and every outcome,
  // and the lead converted to a Contact when it went to the closer.
  const zohoLead = sandbox.records('Leads').find((r) => r.Email === input.email)!;
  const parentOf = (n: Record<string, unknown>) => (n.Parent_Id as { id?: string } | undefined)?.id;
  const notes = sandbox.records('Notes').filter((n) => parentOf(n) === zohoLead.id).map((n) => n.Note_Title);
  expect(notes).toEqual(expect.arrayContaining(['Correo enviado: welcome', 'Resultado: interested', 'Resultado: handed_to_closer']));
  const calls = sandbox.records('Calls').filter((c) => (c.What_Id as { id?: string } | undefined)?.id === zohoLead.id);
  // The org's own Call_Result value, never our outcome code.
  expect(calls.map((c) => [c.Call_Type, c.Call_Result])).toEqual([['Outbound', 'Interested']]);
  const contacts = sandbox.records('Contacts').filter((c) => c.Email === input.email);
  expect(contacts).toHaveLength(1);
  // After the hand-off the lead is retired in Zoho: what follows goes to the Contact it became.
  await eventually(async () => {
    const onContact = sandbox.records('Notes').filter((n) => parentOf(n) === contacts[0]!.id).map((n) => n.Note_Title);
    if (!onContact.includes('Resultado: enrolled')) throw new Error('no note on the Contact yet');
  });
  expect(notes).not.toContain('Resultado: enrolled');
  // The ledger has the whole story.
  const types = (await ledger.eventsOf({ leadId })).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['outcome_recorded', 'first_contact', 'lead_paused', 'stage_changed']));
  expect(types.filter((t) => t === 'outcome_recorded')).toHaveLength(3);
  expect(types).not.toContain('crm_sync_failed');
});

test('the API describes itself at /api/docs, generated from the schemas that validate requests', async () => {
  const { body } = await api.get('/api/docs').expect(200);
  expect(body.openapi).toBe('3.1.0');
  const enrol = body.paths['/api/leads'].post.requestBody.content['application/json'].schema;
  expect(enrol.required).toEqual(expect.arrayContaining(['firstName', 'lastName', 'email', 'country', 'profile', 'course', 'source']));
  expect(enrol.properties.country.enum).toContain('CO');
  const outcome = body.paths['/api/leads/{leadId}/outcomes'].post.requestBody.content['application/json'].schema;
  expect(outcome.properties.type.enum).toEqual(expect.arrayContaining(['replied', 'opted_out', 'handed_to_closer']));
  expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/webhooks/inbound-email', '/webhooks/zoho', '/webhooks/web-form']));
});
