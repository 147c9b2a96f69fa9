import { parseMail } from '../../dev/smtp-catcher/catcher';
import { leadWorkflowId } from '../../domain/ids';
import { LEAD_COURSE } from '../../domain/search-attributes';
import { aLead } from '../support/leads';
import { defaultPolicy } from '../../domain/policy';
import { LeadService } from '../../services/lead-service';
import { API_KEY, eventually, PUBLIC_URL, startStack, type Stack } from '../support/stack';
import { anAccount, signedIn } from '../support/web';

/**
 * People come back: one person per email, many interests. On the real stack (Temporal, PostgreSQL,
 * SMTP, the Zoho sandbox), what each kind of return starts.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const api = {
  post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
  get: (path: string) => stack.api.get(path).set('Authorization', `Bearer ${API_KEY}`),
};
const mailsTo = (email: string) => stack.catcher.list().filter((m) => m.envelope.to.includes(email));
const closed = (leadId: string) =>
  eventually(async () => expect((await stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).describe()).status.name).toBe('COMPLETED'));

test('a lost lead asking about another course months later gets a new follow-up for it, with the earlier one kept', async () => {
  const first = aLead({ course: { code: 'DS-101', name: 'Ciencia de Datos con Python' } });
  const { body: enrolled } = await api.post('/api/leads', first).expect(201);
  await stack.catcher.waitFor((m) => m.envelope.to.includes(first.email));
  await api.post(`/api/leads/${enrolled.leadId}/outcomes`, { type: 'lost', reason: 'timing' }).expect(200);
  await closed(enrolled.leadId);

  // The director's count of people back in the active funnel, this week, before they come back.
  const director = await anAccount(stack.ledger, 'director');
  const { agent } = await signedIn(stack.app, director.email);
  const reactivated = async () => {
    const csv = (await agent.get('/panel.csv').expect(200)).text;
    return Number(/^[\d-]+,[\d-]+,overall,,leadsReactivated,(\d+)$/m.exec(csv)?.[1]);
  };
  const reactivatedBefore = await reactivated();
  expect(Number.isInteger(reactivatedBefore)).toBe(true);

  const again = { ...first, course: { code: 'PM-201', name: 'Gestión de Proyectos Ágiles' }, source: 'web-form' };
  const { body: back } = await api.post('/api/leads', again).expect(201);
  expect(back).toEqual({ leadId: enrolled.leadId, workflowId: enrolled.workflowId, stage: 'new', returning: 'lost' });

  // A welcome for the new course that knows them.
  const welcome = await eventually(async () => {
    const mail = mailsTo(first.email).at(1);
    if (!mail) throw new Error('no second mail yet');
    return parseMail(mail);
  });
  expect(welcome.subject).toBe('Tu interés en Gestión de Proyectos Ágiles');
  expect(welcome.text).toContain('Qué bueno saber de ti otra vez.');

  const { body: lead } = await api.get(`/api/leads/${enrolled.leadId}`).expect(200);
  expect(lead.stage).not.toBe('lost');
  expect(lead.lead.course.code).toBe('PM-201');
  expect(lead.lead.returning).toEqual({ previousStage: 'lost', previousCourse: { code: 'DS-101', name: 'Ciencia de Datos con Python' } });
  expect(lead.interests.map((i: { course: { code: string }; outcome: string }) => [i.course.code, i.outcome])).toEqual([['DS-101', 'new_lead'], ['PM-201', 'new_follow_up']]);
  expect(lead.followUps).toEqual([
    expect.objectContaining({ course: { code: 'DS-101', name: 'Ciencia de Datos con Python' }, returning: false, endedAs: 'lost' }),
    expect.objectContaining({ course: { code: 'PM-201', name: 'Gestión de Proyectos Ágiles' }, returning: true, endedAs: null }),
  ]);
  expect(lead.followUps[0].runId).not.toBe(lead.followUps[1].runId);

  // Zoho keeps one record for the person, back in the funnel.
  await eventually(async () => {
    const records = stack.sandbox.records('Leads').filter((r) => r.Email === first.email);
    expect(records).toHaveLength(1);
    expect(records[0]!.Lead_Status).not.toBe('Lost Lead');
    // …with a note that says who came back, for what, and how the follow-up before ended.
    const notes = stack.sandbox.records('Notes').filter((n) => (n.Parent_Id as { id?: string } | undefined)?.id === records[0]!.id);
    const back = notes.filter((n) => n.Note_Title === 'Vuelve: nuevo seguimiento por Gestión de Proyectos Ágiles');
    expect(back).toHaveLength(1);
    expect(back[0]!.Note_Content).toContain('Seguimiento anterior: Ciencia de Datos con Python (DS-101), terminó perdido.');
  });

  await eventually(async () => expect(await reactivated()).toBe(reactivatedBefore + 1));

  // The lead page shows both interests.
  const page = (await agent.get(`/leads/${enrolled.leadId}`).expect(200)).text;
  expect(page).toContain('Vuelve: antes siguió «Ciencia de Datos con Python»');
  expect(page).toMatch(/Ciencia de Datos con Python<\/strong> \(DS-101\)[^<]*primer seguimiento/);
  expect(page).toMatch(/Gestión de Proyectos Ágiles<\/strong> \(PM-201\)[^<]*nuevo seguimiento/);
});

test('an alumnus asking about a second course gets the alumni cadence and wording', async () => {
  const first = aLead({ course: { code: 'DS-101', name: 'Ciencia de Datos con Python' } });
  const { body: enrolled } = await api.post('/api/leads', first).expect(201);
  for (const type of ['interested', 'proposal_requested', 'enrolled']) await api.post(`/api/leads/${enrolled.leadId}/outcomes`, { type }).expect(200);
  await closed(enrolled.leadId);

  const { body: back } = await api.post('/api/leads', { ...first, course: { code: 'AI-200', name: 'IA Generativa' } }).expect(201);
  expect(back.returning).toBe('enrolled');
  const { body: lead } = await api.get(`/api/leads/${enrolled.leadId}`).expect(200);
  expect(lead.cadence.id).toBe('alumni');
  const welcome = await eventually(async () => {
    const mails = await Promise.all(mailsTo(first.email).map((m) => parseMail(m)));
    const found = mails.find((m) => m.subject === 'Tu interés en IA Generativa');
    if (!found) throw new Error('no welcome for the second course yet');
    return found;
  });
  expect(welcome.text).toContain('Como egresado de "Ciencia de Datos con Python", ya conoces cómo trabajamos');
  await eventually(async () => {
    const note = stack.sandbox.records('Notes').find((n) => n.Note_Title === 'Vuelve: nuevo seguimiento por IA Generativa');
    expect(note?.Note_Content).toContain('Seguimiento anterior: Ciencia de Datos con Python (DS-101), terminó matriculado (egresado).');
  });
});

test('a person being followed up who asks again joins that follow-up; an opted-out person is never followed up again', async () => {
  const person = aLead();
  const { body: enrolled } = await api.post('/api/leads', person).expect(201);
  await api.post('/api/leads', { ...person, course: { code: 'MK-110', name: 'Marketing Digital y Analítica' } }).expect(200);

  const optedOut = aLead();
  const { body: gone } = await api.post('/api/leads', optedOut).expect(201);
  await stack.catcher.waitFor((m) => m.envelope.to.includes(optedOut.email));
  await api.post(`/api/leads/${gone.leadId}/outcomes`, { type: 'opted_out' }).expect(200);
  await closed(gone.leadId);
  await eventually(async () => expect(await stack.ledger.isOptedOut({ leadId: gone.leadId })).toBe(true));
  const { body: refused } = await api.post('/api/leads', { ...optedOut, course: { code: 'UX-150', name: 'Diseño UX/UI' } }).expect(200);
  expect(refused).toMatchObject({ leadId: gone.leadId, stage: 'opted_out' });

  const { body: running } = await api.get(`/api/leads/${enrolled.leadId}`).expect(200);
  expect(running.interests.map((i: { outcome: string }) => i.outcome)).toEqual(['new_lead', 'existing_follow_up']);
  expect(running.followUps).toHaveLength(1);
  const { body: out } = await api.get(`/api/leads/${gone.leadId}`).expect(200);
  expect(out.interests.map((i: { outcome: string }) => i.outcome)).toEqual(['new_lead', 'opted_out']);
  await new Promise((r) => setTimeout(r, 1000));
  expect(mailsTo(optedOut.email)).toHaveLength(1);
});

test('a lead in nurturing asking about a second course is followed up for it; an active one takes it in without restarting', async () => {
  // A follow-up whose days last a second, so the cadence runs out into nurturing within the test.
  const quick = new LeadService({ temporal: stack.env.client, ledger: stack.ledger, publicUrl: PUBLIC_URL, policy: defaultPolicy({ dayMs: 1000 }) });
  const person = aLead({ phone: undefined, course: { code: 'DS-101', name: 'Ciencia de Datos con Python' } });
  const { leadId } = await quick.enrol(person);
  await eventually(async () => expect((await quick.state(leadId)).stage).toBe('nurturing'), 60_000);

  await api.post('/api/leads', { ...person, course: { code: 'PM-201', name: 'Gestión de Proyectos Ágiles' } }).expect(200);
  const state = await eventually(async () => {
    const s = await quick.state(leadId);
    expect(s.stage).toBe('contacting');
    return s;
  });
  expect(state.lead.course).toEqual({ code: 'PM-201', name: 'Gestión de Proyectos Ágiles' });
  expect(state.lead.otherCourses).toEqual([{ code: 'DS-101', name: 'Ciencia de Datos con Python' }]);
  expect(state.counts.reactivations).toBe(1);
  // Operators filtering the Temporal Web UI by course find the lead under the course it is followed for now.
  await eventually(async () => {
    const described = await stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).describe();
    expect(described.typedSearchAttributes.get(LEAD_COURSE)).toBe('PM-201');
  });
  // The fresh pass of the cadence is about the new course, and says it knows about the first.
  const mail = await eventually(async () => {
    const mails = await Promise.all(mailsTo(person.email).map((m) => parseMail(m)));
    const found = mails.find((m) => m.subject === `${person.firstName}, más sobre Gestión de Proyectos Ágiles`);
    if (!found) throw new Error('no first-email for the new course yet');
    return found;
  }, 60_000);
  expect(mail.text).toContain('También nos preguntaste por "Ciencia de Datos con Python": con gusto te contamos de ambos.');

  // An active follow-up: the course is added, the cadence goes on where it was.
  const active = aLead();
  const { body } = await api.post('/api/leads', active).expect(201);
  const before = (await api.get(`/api/leads/${body.leadId}`).expect(200)).body;
  await api.post('/api/leads', { ...active, course: { code: 'UX-150', name: 'Diseño UX/UI' } }).expect(200);
  const after = await eventually(async () => {
    const { body: s } = await api.get(`/api/leads/${body.leadId}`).expect(200);
    expect(s.lead.otherCourses).toEqual([{ code: 'UX-150', name: 'Diseño UX/UI' }]);
    return s;
  });
  expect(after.lead.course.code).toBe(before.lead.course.code);
  expect(after.cadenceRun).toBe(before.cadenceRun);
  expect(after.touches.map((t: { key: string }) => t.key)).toEqual(expect.arrayContaining(before.touches.map((t: { key: string }) => t.key)));
}, 120_000);

test('an import says which rows are people coming back', async () => {
  const person = aLead();
  const { body } = await api.post('/api/leads', person).expect(201);
  await api.post(`/api/leads/${body.leadId}/outcomes`, { type: 'lost', reason: 'price' }).expect(200);
  await closed(body.leadId);
  const header = 'firstName,lastName,email,country,profile,courseCode,courseName';
  const csv = `${header}\n${person.firstName},${person.lastName},${person.email},CO,b2c,FN-220,Finanzas para No Financieros\n`;
  const res = await stack.api.post('/api/leads/import').set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'text/csv').send(csv).expect(200);
  expect(res.body.rows).toEqual([{ row: 2, status: 'returned', leadId: body.leadId }]);
});
