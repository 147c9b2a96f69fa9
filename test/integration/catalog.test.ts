import { createActivities } from '../../activities';
import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { parseMail } from '../../dev/smtp-catcher/catcher';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';
import { anAccount, signedIn } from '../support/web';

/**
 * The course catalog on the real stack: kept by API, CSV and the director's page, and read by every
 * mail at the moment it leaves, so a change in the catalog changes the very next mail.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const api = {
  get: (path: string) => stack.api.get(path).set('Authorization', `Bearer ${API_KEY}`),
  put: (path: string, body: object) => stack.api.put(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
  csv: (path: string, text: string) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'text/csv').send(text),
};
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const leadFor = (code: string): Lead => {
  const input = leadInputSchema.parse(aLead({ course: { code, name: 'Analítica para Finanzas', seatsLeft: 12, startDate: inDays(5) } }));
  return { ...input, leadId: leadIdFor(input.email), createdAt: new Date().toISOString() };
};
let sends = 0;
/** One touch email sent now through the real activity, SMTP and catcher; its text as the lead reads it. */
async function nextMailText(lead: Lead): Promise<string> {
  sends += 1;
  const key = `${lead.leadId}:catalog-test:${sends}`;
  await createActivities(stack.activityDeps).sendTouchEmail({ lead, owner: null, touchKey: key, template: 'first-email' });
  const mails = await eventually(async () => {
    const found = stack.catcher.list().filter((m) => m.envelope.to.includes(lead.email));
    if (found.length < sends) throw new Error('not yet');
    return found;
  });
  return (await parseMail(mails.at(-1)!)).text ?? '';
}

test('a catalog change — few seats, then sold out and the early bird over — changes the very next mail', async () => {
  const cohort = { startDate: inDays(60), modality: 'online', price: 1500, currency: 'USD', earlyBirdDeadline: inDays(10), earlyBirdPrice: 1200, seats: 20, seatsTaken: 17 };
  await api.put('/api/courses/FIN-7', { name: 'Analítica para Finanzas', cohorts: [cohort] }).expect(201);
  const lead = leadFor('FIN-7');

  const first = await nextMailText(lead);
  expect(first).toContain('Con inscripción anticipada pagas USD 1200 hasta el');
  expect(first).toContain('Quedan 3 cupos.');
  expect(first).toContain('La próxima cohorte comienza el');
  expect(first).not.toContain('12 cupos'); // the lead's own snapshot from its form is never used

  await api.put('/api/courses/FIN-7', { name: 'Analítica para Finanzas', cohorts: [{ ...cohort, seatsTaken: 20, earlyBirdDeadline: inDays(-1) }] }).expect(200);
  const second = await nextMailText(lead);
  expect(second).not.toMatch(/cupo|anticipada|próxima cohorte comienza/);
  expect(second).toContain('Por ahora no hay una cohorte abierta: te escribiremos apenas abramos la próxima.');

  // A new cohort scheduled: the next mail offers it, with no seats claimed (the catalog does not know them).
  await api.put('/api/courses/FIN-7', { name: 'Analítica para Finanzas', cohorts: [{ ...cohort, seatsTaken: 20 }, { startDate: inDays(120), modality: 'hibrido', price: 1600, currency: 'USD' }] }).expect(200);
  const third = await nextMailText(lead);
  expect(third).not.toMatch(/cupo|anticipada/);
  expect(third).toMatch(/La próxima cohorte comienza el \d+ de \w+ de \d{4}\./);
});

test('a course code the catalog lacks is accepted, gets no urgency at all, and is flagged for the director', async () => {
  const { body } = await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`)
    .send(aLead({ course: { code: 'NUEVO-404', name: 'Curso Sin Ficha', seatsLeft: 2, startDate: inDays(3) } })).expect(201);
  await eventually(async () => {
    const { body: catalog } = await api.get('/api/courses').expect(200);
    expect(catalog.unknownCourses).toEqual(expect.arrayContaining([{ code: 'NUEVO-404', name: 'Curso Sin Ficha', leads: 1 }]));
  });
  const mail = await parseMail(await stack.catcher.waitFor((m) => m.raw.includes(body.leadId), 60_000));
  expect(mail.text).not.toMatch(/cupo|anticipada|cohorte/);

  const director = await anAccount(stack.ledger, 'director');
  const { agent } = await signedIn(stack.app, director.email);
  const page = await agent.get('/cursos').expect(200);
  expect(page.text).toContain('Cursos sin ficha');
  expect(page.text).toContain('NUEVO-404');
});

test('the catalog as CSV: a file with a bad row saves nothing and names the line; the download uploads back unchanged', async () => {
  const header = 'code,name,countries,startDate,modality,price,currency,earlyBirdDeadline,earlyBirdPrice,seats,seatsTaken';
  const good = `${header}\nCSV-1,Gestión de Proyectos,MX CO,${inDays(30)},presencial,900,USD,,,25,5\nCSV-1,Gestión de Proyectos,MX CO,${inDays(90)},online,800,USD,${inDays(20)},700,,0\nCSV-2,Excel Avanzado,,,,,,,,,\n`;
  const bad = good.replace('presencial,900,USD', 'presencial,900,XXX').replace(`online,800,USD,${inDays(20)},700`, `online,800,USD,${inDays(20)},850`);
  const refused = await api.csv('/api/courses/import', bad).expect(400);
  expect(refused.body.message).toMatch(/line 2: cohorts\.0\.currency must be one of/);
  expect(refused.body.message).toMatch(/line 3: cohorts\.1\.earlyBirdPrice must be below the price/);
  await api.get('/api/courses/CSV-1').expect(404);

  expect((await api.csv('/api/courses/import', good).expect(200)).body).toEqual({ created: 2, updated: 0 });
  const course = (await api.get('/api/courses/CSV-1').expect(200)).body;
  expect(course).toMatchObject({ code: 'CSV-1', countries: ['MX', 'CO'], cohorts: [{ modality: 'presencial', seats: 25, seatsTaken: 5 }, { earlyBirdPrice: 700 }] });

  const director = await anAccount(stack.ledger, 'director');
  const { agent, csrf } = await signedIn(stack.app, director.email);
  const download = (await agent.get('/cursos.csv').expect(200)).text;
  expect(download).toContain(`CSV-1,Gestión de Proyectos,MX CO,${inDays(30)},presencial,900,USD,,,25,5`);
  // The same file uploaded back through the director's form: everything is an update, nothing changes.
  const before = (await api.get('/api/courses').expect(200)).body.courses.map(({ updatedAt: _u, updatedBy: _b, ...c }: Record<string, unknown>) => c);
  await agent.post('/cursos').field('_csrf', csrf).attach('file', Buffer.from(download), 'catalogo.csv').expect(303).expect('Location', '/cursos');
  const after = (await api.get('/api/courses').expect(200)).body.courses.map(({ updatedAt: _u, updatedBy: _b, ...c }: Record<string, unknown>) => c);
  expect(after).toEqual(before);
  // And a bad file through the form: the page lists the problems in Spanish, line by line.
  const page = await agent.post('/cursos').field('_csrf', csrf).attach('file', Buffer.from(bad), 'catalogo.csv').expect(400);
  expect(page.text).toContain('No se guardó nada');
  expect(page.text).toContain('Línea 3: Precio de preventa: debe ser menor que el precio');
});
