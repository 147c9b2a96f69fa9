import { Accounts } from '../../api/web/accounts';
import type { LeadState } from '../../domain/lead-state';
import { Ledger } from '../../integrations/ledger/ledger';
import { Routing } from '../../integrations/ledger/routing';
import { parseMail } from '../../dev/smtp-catcher/catcher';
import { aLead } from '../support/leads';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';
import { anAccount, PASSWORD, signedIn } from '../support/web';

async function executive(ledger: Ledger, email: string, { pools, cap, away = false }: { pools: string[]; cap: number; away?: boolean }) {
  await new Accounts(ledger.pool).create({ email, name: email.split('@')[0]!, role: 'executive', password: PASSWORD });
  await ledger.pool.query('UPDATE users SET pools = $2, cap = $3, away = $4 WHERE email = $1', [email, pools, cap, away]);
}

async function activeCounts(ledger: Ledger): Promise<Record<string, number>> {
  const { rows } = await ledger.pool.query<{ owner: string; n: string }>('SELECT owner, count(*) AS n FROM assignments WHERE active GROUP BY owner');
  return Object.fromEntries(rows.map((r) => [r.owner, Number(r.n)]));
}

describe('routing decisions on a real PostgreSQL', () => {
  let pg: TestPostgres;
  let ledger: Ledger;
  beforeAll(async () => {
    pg = await startTestPostgres();
    ledger = Ledger.connect(pg.databaseUrl);
    await ledger.migrate();
  }, 120_000);
  afterAll(async () => {
    await ledger?.close();
    await pg?.stop();
  });

  test('50 leads at the same instant never push anyone over their cap; the rest wait in the queue', async () => {
    for (const name of ['ana', 'beto', 'caro']) await executive(ledger, `${name}@mx.example`, { pools: ['mx'], cap: 10 });
    await executive(ledger, 'dora@mx.example', { pools: ['mx'], cap: 10, away: true });
    const routing = new Routing(ledger.pool);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => routing.assign({ leadId: `L-mx${String(i).padStart(11, '0')}`, pool: 'mx' })));
    expect(await activeCounts(ledger)).toEqual({ 'ana@mx.example': 10, 'beto@mx.example': 10, 'caro@mx.example': 10 });
    expect(results.filter((r) => r.owner === null)).toHaveLength(20);
    expect(results.filter((r) => r.owner === null && r.newlyQueued)).toHaveLength(20);
    expect(await routing.waiting()).toHaveLength(20);
    // Asking again for a queued lead keeps it queued without a second notice; an assigned one keeps its owner.
    expect(await routing.assign({ leadId: 'L-mx00000000049', pool: 'mx' })).toEqual(results[49]!.owner === null ? { owner: null, newlyQueued: false } : { owner: results[49]!.owner });
  });

  test('below the caps, simultaneous leads are spread evenly rather than landing on one person', async () => {
    for (const name of ['eva', 'fede', 'gabi']) await executive(ledger, `${name}@co.example`, { pools: ['co'], cap: 30 });
    const routing = new Routing(ledger.pool);
    await Promise.all(Array.from({ length: 50 }, (_, i) => routing.assign({ leadId: `L-co${String(i).padStart(11, '0')}`, pool: 'co' })));
    const counts = await activeCounts(ledger);
    const co = ['eva', 'fede', 'gabi'].map((n) => counts[`${n}@co.example`] ?? 0);
    expect(co.reduce((a, b) => a + b)).toBe(50);
    expect(Math.max(...co) - Math.min(...co)).toBeLessThanOrEqual(1);
  });
});

describe('routing in the lead workflow, on the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ routingRules: [{ pool: 'pe', countries: ['PE'] }] });
    await executive(stack.ledger, 'hugo@pe.example', { pools: ['pe'], cap: 2 });
    await executive(stack.ledger, 'ines@pe.example', { pools: ['pe'], cap: 2 });
  }, 180_000);
  afterAll(() => stack?.stop());

  const api = {
    post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
    state: async (leadId: string) => (await stack.api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200)).body as LeadState,
  };

  test('when the pool is full the director is told once per lead, and freed capacity goes to the longest-waiting lead at once', async () => {
    const leads = Array.from({ length: 6 }, (_, i) => aLead({ country: 'PE', firstName: `Persona${i}` }));
    const ids: string[] = [];
    for (const lead of leads) ids.push((await api.post('/api/leads', lead).expect(201)).body.leadId);
    const owners = await eventually(async () => {
      const states = await Promise.all(ids.map(api.state));
      const queued = (await new Routing(stack.ledger.pool).waiting()).length;
      if (states.filter((s) => s.owner).length + queued < 6) throw new Error('routing still deciding');
      return states.map((s) => s.owner);
    });
    expect(owners.filter((o) => o === 'hugo@pe.example')).toHaveLength(2);
    expect(owners.filter((o) => o === 'ines@pe.example')).toHaveLength(2);
    // Longest waiting first, as the queue shows it.
    const waiting = (await new Routing(stack.ledger.pool).waiting()).map((w) => w.leadId);
    expect([...waiting].sort()).toEqual(ids.filter((_, i) => owners[i] === null).sort());
    const alerts = await eventually(async () => {
      const mails = await Promise.all(stack.catcher.list().map(parseMail));
      const found = mails.filter((m) => m.subject?.startsWith('Sin capacidad:'));
      if (found.length < 2) throw new Error('alerts not sent yet');
      return found;
    });
    expect(alerts.map((m) => m.subject).sort()).toEqual(waiting.map((id) => `Sin capacidad: ${leads[ids.indexOf(id)]!.firstName} Rojas espera una ejecutiva`).sort());

    // Hugo loses one lead: his slot goes to the lead that has waited longest, without waiting for its retry.
    const hugos = ids.filter((_, i) => owners[i] === 'hugo@pe.example');
    await api.post(`/api/leads/${hugos[0]}/outcomes`, { type: 'lost', reason: 'price' }).expect(200);
    const first = waiting[0]!;
    await eventually(async () => {
      if ((await api.state(first)).owner !== 'hugo@pe.example') throw new Error('not assigned yet');
    }, 20_000);
    expect((await api.state(waiting[1]!)).owner).toBeNull();
    await eventually(async () => {
      expect((await stack.ledger.eventsOf({ leadId: first })).map((e) => e.type)).toContain('lead_assigned');
    });
  });
});

describe('the director shares out leads from the web app', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ routingRules: [{ pool: 'cl', countries: ['CL'] }] });
    await executive(stack.ledger, 'jose@cl.example', { pools: ['cl'], cap: 5 });
    await executive(stack.ledger, 'karla@cl.example', { pools: ['cl'], cap: 5, away: true });
  }, 180_000);
  afterAll(() => stack?.stop());

  test('an away executive gets nothing; one action moves all of someone\'s active leads through routing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(aLead({ country: 'CL' })).expect(201)).body.leadId);
    await eventually(async () => {
      if ((await activeCounts(stack.ledger))['jose@cl.example'] !== 3) throw new Error('not routed yet');
    });
    expect((await activeCounts(stack.ledger))['karla@cl.example']).toBeUndefined();

    const director = await anAccount(stack.ledger, 'director');
    const { agent, csrf } = await signedIn(stack.app, director.email);
    const idOf = async (email: string) => (await stack.ledger.pool.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email])).rows[0]!.id;
    const [jose, karla] = [await idOf('jose@cl.example'), await idOf('karla@cl.example')];
    const bad = await agent.post(`/cuentas/${karla}/reparto`).type('form').send({ _csrf: csrf, pools: 'cl', cap: '-3' }).expect(400);
    expect(bad.text).toContain('debe ser al menos 0');

    // Karla is away: nobody else in the pool has room, so José keeps his leads and the director is told.
    await agent.post(`/cuentas/${jose}/reasignar`).type('form').send({ _csrf: csrf, to: 'rules' }).expect(303);
    expect((await agent.get('/cuentas').expect(200)).text).toContain('3 se quedan con');
    // Back from vacation, with room: the same action moves all three.
    await agent.post(`/cuentas/${karla}/reparto`).type('form').send({ _csrf: csrf, pools: 'cl', cap: '10' }).expect(303);
    await agent.post(`/cuentas/${jose}/reasignar`).type('form').send({ _csrf: csrf, to: 'rules' }).expect(303);
    expect((await agent.get('/cuentas').expect(200)).text).toContain('3 leads reasignados');
    const owners = await Promise.all(ids.map(async (id) => (await stack.api.get(`/api/leads/${id}`).set('Authorization', `Bearer ${API_KEY}`)).body.owner));
    expect(owners).toEqual(['karla@cl.example', 'karla@cl.example', 'karla@cl.example']);
    await eventually(async () => {
      expect(await activeCounts(stack.ledger)).toMatchObject({ 'karla@cl.example': 3 });
      expect((await activeCounts(stack.ledger))['jose@cl.example']).toBeUndefined();
    });
  });
});
