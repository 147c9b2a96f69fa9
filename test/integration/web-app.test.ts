import type { LeadState } from '../../domain/lead-state';
import type { User } from '../../domain/accounts';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';
import { anAccount, csrfOf, PASSWORD, signedIn } from '../support/web';
import request from 'supertest';
import { leadIdFor } from '../../domain/ids';

/**
 * The executives' web app on the real stack: sessions, CSRF, who may see and do what, and the
 * forms that change a lead through its workflow.
 */
let stack: Stack;
let director: User;
let ana: User;
let bruno: User;
let carla: User;

beforeAll(async () => {
  stack = await startStack();
  [director, ana, bruno, carla] = await Promise.all([
    anAccount(stack.ledger, 'director', 'Diana Directora'),
    anAccount(stack.ledger, 'executive', 'Ana Ejecutiva'),
    anAccount(stack.ledger, 'executive', 'Bruno Ejecutivo'),
    anAccount(stack.ledger, 'closer', 'Carla Cierre'),
  ]);
}, 180_000);

afterAll(() => stack?.stop());

const apiAs = () => ({
  post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
  get: (path: string) => stack.api.get(path).set('Authorization', `Bearer ${API_KEY}`),
});

/** A lead enrolled through the API and assigned to `owner`, once its workflow has written it to the lists. */
async function leadOwnedBy(owner: User, overrides: Parameters<typeof aLead>[0] = {}): Promise<{ leadId: string; email: string }> {
  const input = aLead(overrides);
  const { body } = await apiAs().post('/api/leads', input).expect(201);
  await apiAs().post(`/api/leads/${body.leadId}/commands`, { type: 'reassign', owner: owner.email }).expect(200);
  await eventually(async () => {
    const { rows } = await stack.ledger.pool.query('SELECT owner FROM lead_views WHERE lead_id = $1', [body.leadId]);
    if (rows[0]?.owner !== owner.email) throw new Error('not in the lists yet');
  });
  return { leadId: body.leadId, email: input.email };
}

const stateOf = async (leadId: string) => (await apiAs().get(`/api/leads/${leadId}`).expect(200)).body as LeadState;

describe('without a session', () => {
  test('every page sends the person to the login, and forms change nothing', async () => {
    const anonymous = request(stack.app);
    await anonymous.get('/mi-dia').expect(303).expect('Location', '/login?next=%2Fmi-dia');
    await anonymous.get('/leads?stage=new').expect(303).expect('Location', '/login?next=%2Fleads%3Fstage%3Dnew');
    const { leadId } = await leadOwnedBy(ana);
    await anonymous.post(`/leads/${leadId}/outcome`).type('form').send({ type: 'enrolled' }).expect(401);
    expect((await stateOf(leadId)).outcomes).toEqual([]);
  });

  test('a wrong password is refused in Spanish, and after five failures even the right one is', async () => {
    const person = await anAccount(stack.ledger, 'executive');
    const agent = request.agent(stack.app);
    const csrf = csrfOf((await agent.get('/login')).text);
    const wrong = await agent.post('/login').type('form').send({ email: person.email, password: 'not-the-password', _csrf: csrf }).expect(401);
    expect(wrong.text).toContain('Correo o contraseña incorrectos.');
    for (let i = 0; i < 4; i++) await agent.post('/login').type('form').send({ email: person.email, password: `guess-${i}-xxxxxxxx`, _csrf: csrf }).expect(401);
    const locked = await agent.post('/login').type('form').send({ email: person.email, password: PASSWORD, _csrf: csrf }).expect(429);
    expect(locked.text).toContain('Demasiados intentos fallidos');
    expect(String(locked.headers['set-cookie'] ?? '')).not.toContain('seg_session=');
  });

  test('a login form posted from another site (no matching token) opens no session', async () => {
    await request(stack.app).post('/login').type('form').send({ email: ana.email, password: PASSWORD, _csrf: 'forged' }).expect(403);
  });
});

describe('an executive', () => {
  test('sees their lead in "Mi día" with the call script, records an outcome, and sees the new next step', async () => {
    const { leadId } = await leadOwnedBy(ana, { firstName: 'Marisol', lastName: 'Quintero', phone: '+57 301 555 0101' });
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const myDay = await eventually(async () => {
      const page = await agent.get('/mi-dia').expect(200);
      if (!page.text.includes('Llamar a Marisol Quintero')) throw new Error('call not due yet');
      return page.text;
    });
    expect(myDay).toContain('href="tel:+573015550101"');
    expect(myDay).toContain('Copiar guion');

    const saved = await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'interested', returnTo: '/mi-dia' }).expect(303);
    expect(saved.headers.location).toBe('/mi-dia');
    const after = await agent.get('/mi-dia').expect(200);
    expect(after.text).toContain('Guardado: Interesado. Próximo paso: Definir el siguiente paso con Marisol');
    // The workflow itself moved: its state says so through the API.
    const state = await stateOf(leadId);
    expect(state.stage).toBe('engaged');
    expect(state.outcomes.at(-1)).toMatchObject({ type: 'interested', by: ana.email });
    expect(state.nextStep?.action).toBe('Definir el siguiente paso con Marisol');
  });

  test("cannot read or act on another executive's lead, and does not see it in lists", async () => {
    const { leadId } = await leadOwnedBy(ana, { firstName: 'Privada', lastName: 'DeAna' });
    const { agent, csrf } = await signedIn(stack.app, bruno.email);
    const page = await agent.get(`/leads/${leadId}`).expect(403);
    expect(page.text).toContain('Este lead no es tuyo');
    expect(page.text).not.toContain('Privada');
    await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'not_interested' }).expect(403);
    await agent.post(`/leads/${leadId}/command`).type('form').send({ _csrf: csrf, type: 'reassign', owner: bruno.email }).expect(403);
    expect((await agent.get('/leads?q=privada').expect(200)).text).not.toContain('Privada');
    expect((await agent.get('/mi-dia').expect(200)).text).not.toContain('Privada');
    const state = await stateOf(leadId);
    expect(state.owner).toBe(ana.email);
    expect(state.outcomes).toEqual([]);
  });

  test('a form without its token is refused and changes nothing', async () => {
    const { leadId } = await leadOwnedBy(ana);
    const { agent } = await signedIn(stack.app, ana.email);
    const refused = await agent.post(`/leads/${leadId}/outcome`).type('form').send({ type: 'enrolled' }).expect(403);
    expect(refused.text).toContain('El formulario caducó');
    expect((await stateOf(leadId)).outcomes).toEqual([]);
  });

  test('bad input shows the form again with Spanish messages; an impossible outcome comes back as a message', async () => {
    const { leadId } = await leadOwnedBy(ana);
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const lost = await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'lost' }).expect(400);
    expect(lost.text).toContain('es obligatorio cuando el lead se pierde');
    const callBack = await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'call_back_later', callBackAt: '2026-13-45T99:99' }).expect(400);
    expect(callBack.text).toContain('debe ser una fecha y hora válidas');
    await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'enrolled', returnTo: `/leads/${leadId}` }).expect(303);
    expect((await agent.get(`/leads/${leadId}`).expect(200)).text).toContain('Ese resultado no corresponde a la etapa actual del lead.');
    await agent.get('/leads/L-doesnotexist0').expect(404);
    expect((await stateOf(leadId)).outcomes).toEqual([]);
  });

  test('schedules a call back in the lead\'s own time and can pause and resume', async () => {
    const { leadId } = await leadOwnedBy(ana, { country: 'MX' });
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'call_back_later', callBackAt: '2030-03-04T10:30', returnTo: `/leads/${leadId}` }).expect(303);
    // 10:30 in Mexico City is 16:30 UTC (no DST there since 2022).
    expect((await stateOf(leadId)).nextStep).toEqual({ action: expect.stringContaining('Devolver la llamada'), dueAt: '2030-03-04T16:30:00.000Z' });
    await agent.post(`/leads/${leadId}/command`).type('form').send({ _csrf: csrf, type: 'pause' }).expect(303);
    expect((await stateOf(leadId)).paused).not.toBeNull();
    await agent.post(`/leads/${leadId}/command`).type('form').send({ _csrf: csrf, type: 'resume' }).expect(303);
    expect((await stateOf(leadId)).paused).toBeNull();
  });
});

describe('the director', () => {
  test('sees every lead, filters and searches them, and hands one to a closer who then sees it', async () => {
    const { leadId } = await leadOwnedBy(ana, { firstName: 'Rodrigo', lastName: 'Paz', company: 'Altiplano Minería', country: 'BO' });
    const { agent, csrf } = await signedIn(stack.app, director.email);
    expect((await agent.get('/leads?q=altiplano').expect(200)).text).toContain('Rodrigo Paz');
    expect((await agent.get(`/leads?country=BO&owner=${encodeURIComponent(ana.email)}`).expect(200)).text).toContain('Rodrigo Paz');
    expect((await agent.get('/leads?country=PE&q=altiplano').expect(200)).text).toContain('Ningún lead coincide');

    await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'proposal_requested' }).expect(303);
    const closerBefore = await signedIn(stack.app, carla.email);
    await closerBefore.agent.get(`/leads/${leadId}`).expect(403);
    await agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, type: 'handed_to_closer', closer: carla.email }).expect(303);
    expect((await stateOf(leadId)).closer).toBe(carla.email);
    const page = await closerBefore.agent.get(`/leads/${leadId}`).expect(200);
    expect(page.text).toContain('Rodrigo Paz');
    expect(page.text).toContain('Vendedor: Carla Cierre');
  });

  test('manages accounts; an executive cannot; a deactivated account loses its session', async () => {
    const { agent, csrf } = await signedIn(stack.app, director.email);
    const email = `nueva.${Date.now()}@empresa.example`;
    const bad = await agent.post('/cuentas').type('form').send({ _csrf: csrf, name: 'Nueva', email, role: 'executive', password: 'corta' }).expect(400);
    expect(bad.text).toContain('debe tener al menos 12 caracteres');
    await agent.post('/cuentas').type('form').send({ _csrf: csrf, name: 'Nueva Ejecutiva', email, role: 'executive', password: 'una-clave-bien-larga' }).expect(303);
    const created = await signedIn(stack.app, email, 'una-clave-bien-larga');
    await created.agent.get('/cuentas').expect(403);
    const { rows } = await stack.ledger.pool.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    await agent.post(`/cuentas/${rows[0]!.id}`).type('form').send({ _csrf: csrf, active: 'false' }).expect(303);
    await created.agent.get('/mi-dia').expect(303).expect('Location', '/login?next=%2Fmi-dia');
    expect((await agent.get('/cuentas').expect(200)).text).toMatch(/Nueva Ejecutiva[^]*desactivada/);
  });
});

test('pages carry security headers and the session cookie is HttpOnly and SameSite', async () => {
  const agent = request.agent(stack.app);
  const login = await agent.get('/login').expect(200);
  expect(login.headers['content-security-policy']).toContain("script-src 'self'");
  expect(login.headers['x-content-type-options']).toBe('nosniff');
  expect(login.headers['x-frame-options']).toBe('SAMEORIGIN');
  const signedInRes = await agent.post('/login').type('form').send({ email: ana.email, password: PASSWORD, _csrf: csrfOf(login.text) }).expect(303);
  const cookie = (signedInRes.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('seg_session='))!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
});

test('"Correo enviado" shows the mail the local SMTP server caught', async () => {
  const input = aLead({ firstName: 'Lucía' });
  await apiAs().post('/api/leads', input).expect(201);
  await stack.catcher.waitFor((m) => m.envelope.to.includes(input.email));
  const { agent } = await signedIn(stack.app, ana.email);
  const page = await agent.get('/correo-enviado').expect(200);
  expect(page.text).toContain(input.email);
  expect(page.text).toContain('Tu interés en Ciencia de Datos con Python');
});

describe('importing a file of leads', () => {
  const csv = (rows: string[]) => Buffer.from(['nombre;apellido;correo;país;perfil;código del curso;curso;origen', ...rows].join('\n'));
  const stamp = Date.now();
  const file = csv([
    `Elena;Suárez;elena.${stamp}@example.pe;Perú;b2c;UX-200;Diseño UX;feria`,
    `Tomás;Mejía;no-es-un-correo;Colombia;b2c;UX-200;Diseño UX;feria`,
    `Inés;Valdés;ines.${stamp}@example.cl;CL;b2b;UX-200;Diseño UX;feria`,
  ]);

  test('a preview with Spanish row errors, then the valid rows enrolled; the same file again enrols nobody', async () => {
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const preview = await agent.post('/importar').field('_csrf', csrf).attach('file', file, 'ferias.csv').expect(200);
    expect(preview.text).toContain('2 filas válidas');
    expect(preview.text).toContain('Correo: no es un correo válido');
    // Nothing is enrolled by a preview.
    await apiAs().get(`/api/leads/${leadIdFor(`elena.${stamp}@example.pe`)}`).expect(404);

    const importId = /action="\/importar\/([0-9a-f-]{36})"/.exec(preview.text)![1];
    const done = await agent.post(`/importar/${importId}`).type('form').send({ _csrf: csrf }).expect(200);
    expect(done.text).toMatch(/data-status="created"><strong>2</);
    expect(done.text).toMatch(/data-status="invalid"><strong>1</);
    // Confirming the same upload twice (a double click, a reload) answers the same result.
    expect((await agent.post(`/importar/${importId}`).type('form').send({ _csrf: csrf }).expect(200)).text).toMatch(/data-status="created"><strong>2</);

    const again = await agent.post('/importar').field('_csrf', csrf).attach('file', file, 'ferias-copia.csv').expect(200);
    const secondId = /action="\/importar\/([0-9a-f-]{36})"/.exec(again.text)![1];
    const second = await agent.post(`/importar/${secondId}`).type('form').send({ _csrf: csrf }).expect(200);
    expect(second.text).toMatch(/data-status="created"><strong>0</);
    expect(second.text).toMatch(/data-status="already_imported"><strong>2</);
    const elena = await eventually(async () => {
      const state = await stateOf(leadIdFor(`elena.${stamp}@example.pe`));
      if (state.stage === 'new') throw new Error('still enrolling');
      return state;
    });
    expect(elena.lead).toMatchObject({ country: 'PE', source: 'feria' });
  });

  test('a file that is not a lead file gets a Spanish explanation, and uploads need the form token', async () => {
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const png = await agent.post('/importar').field('_csrf', csrf).attach('file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), 'foto.png').expect(400);
    expect(png.text).toContain('El archivo debe ser CSV o Excel (.xlsx)');
    await agent.post('/importar').attach('file', file, 'ferias.csv').expect(403);
  });

  test('POST /api/leads/import takes a CSV body, previews with dryRun, and reports per row', async () => {
    const body = csv([`Raúl;Ortiz;raul.${stamp}@example.mx;MX;b2c;DS-101;Ciencia de Datos;api`, ';;;;;;;']);
    const dry = await stack.api.post('/api/leads/import?dryRun=true').set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'text/csv').send(body).expect(200);
    expect(dry.body.summary).toMatchObject({ created: 1, invalid: 0 });
    const real = await stack.api.post('/api/leads/import').set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'text/csv').send(body).expect(200);
    expect(real.body.rows).toEqual([{ row: 2, status: 'created', leadId: expect.stringMatching(/^L-/) }]);
    const twice = await stack.api.post('/api/leads/import').set('Authorization', `Bearer ${API_KEY}`).attach('file', body, 'again.csv').expect(200);
    expect(twice.body.summary).toMatchObject({ created: 0, already_imported: 1 });
    const bad = await stack.api.post('/api/leads/import').set('Authorization', `Bearer ${API_KEY}`).set('Content-Type', 'text/csv').send('a,b\n1,2').expect(400);
    expect(bad.body).toMatchObject({ error: 'rejected', message: expect.stringMatching(/faltan las columnas obligatorias: .*Correo/) });
  });
});
