import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { LeadState } from '../../domain/lead-state';
import type { User } from '../../domain/accounts';
import { getLeadState, recordOutcome } from '../../domain/messages';
import { updateIdFor } from '../../services/idempotency';
import { aLead, leadStateIn } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';
import { anAccount, signedIn } from '../support/web';
import { rollOver } from '../support/rolling-lead-workflow';

/**
 * Requests that record something, sent twice: by an API client retrying under one Idempotency-Key,
 * or by a person double-clicking a form. On the real stack: one outcome in the workflow and the ledger.
 */
let stack: Stack;
let ana: User;

beforeAll(async () => {
  stack = await startStack();
  ana = await anAccount(stack.ledger, 'executive', 'Ana Ejecutiva');
}, 180_000);

afterAll(() => stack?.stop());

const auth = { Authorization: `Bearer ${API_KEY}` };
const post = (path: string, body: object, key?: string) => {
  const req = stack.api.post(path).set(auth);
  return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
};
const stateOf = async (leadId: string) => (await stack.api.get(`/api/leads/${leadId}`).set(auth).expect(200)).body as LeadState;

async function aLeadOwnedBy(owner: User): Promise<string> {
  const { body } = await post('/api/leads', aLead()).expect(201);
  await post(`/api/leads/${body.leadId}/commands`, { type: 'reassign', owner: owner.email }).expect(200);
  await eventually(async () => {
    const { rows } = await stack.ledger.pool.query('SELECT owner FROM lead_views WHERE lead_id = $1', [body.leadId]);
    if (rows[0]?.owner !== owner.email) throw new Error('not in the lists yet');
  });
  return body.leadId;
}

/** Events of a type in the ledger, once the workflow has had time to write every one it was going to. */
async function ledgerEvents(leadId: string, expected: number, type = 'outcome_recorded'): Promise<number> {
  const count = async () => Number((await stack.ledger.pool.query(
    'SELECT count(*) AS n FROM lead_events WHERE lead_id = $1 AND type = $2', [leadId, type],
  )).rows[0].n);
  await eventually(async () => {
    if ((await count()) < expected) throw new Error('ledger not caught up');
  });
  await new Promise((r) => setTimeout(r, 1500));
  return count();
}

describe('the JSON API with an Idempotency-Key', () => {
  test('the same outcome sent twice is recorded once and both answers are the same; the key is the update id', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    const key = randomUUID();
    const outcome = { type: 'interested', note: 'Pide el temario' };
    const first = await post(`/api/leads/${leadId}/outcomes`, outcome, key).expect(200);
    const second = await post(`/api/leads/${leadId}/outcomes`, outcome, key).expect(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.counts.outcomes).toBe(1);
    expect((await stateOf(leadId)).counts.outcomes).toBe(1);
    expect(await ledgerEvents(leadId, 1)).toBe(1);

    // What Temporal saw: one accepted update, under the namespaced hash of the key.
    const history = await stack.env.client.workflow.getHandle(`lead-${leadId}`).fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId)).toEqual([updateIdFor('outcome', key)]);
    expect(updateIdFor('outcome', key)).toMatch(/^outcome:[0-9a-f]{64}$/);

    // A different key is a different request: recorded again.
    const third = await post(`/api/leads/${leadId}/outcomes`, outcome, randomUUID()).expect(200);
    expect(third.body.counts.outcomes).toBe(2);
    expect(await ledgerEvents(leadId, 2)).toBe(2);
  });

  test('two requests with one key at the same moment record once and both get the same answer', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    const key = randomUUID();
    const [a, b] = await Promise.all([0, 1].map(() => post(`/api/leads/${leadId}/outcomes`, { type: 'contacted' }, key)));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(b!.body).toEqual(a!.body);
    expect((await stateOf(leadId)).counts.outcomes).toBe(1);
    expect(await ledgerEvents(leadId, 1)).toBe(1);
  });

  test('the same key with a different body is a 409 and records nothing', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    const key = randomUUID();
    await post(`/api/leads/${leadId}/outcomes`, { type: 'contacted', note: 'Llamó' }, key).expect(200);
    const conflict = await post(`/api/leads/${leadId}/outcomes`, { type: 'not_interested' }, key).expect(409);
    expect(conflict.body).toMatchObject({ error: 'conflict', message: expect.stringContaining('Idempotency-Key') });
    // Same body, keys in another order and with whitespace that the schema trims: the same request.
    await post(`/api/leads/${leadId}/outcomes`, { note: ' Llamó ', type: 'contacted' }, key).expect(200);
    expect((await stateOf(leadId)).counts.outcomes).toBe(1);
  });

  test('a malformed key is a 400 naming the header, on every endpoint, and records nothing', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    for (const bad of ['short', 'clave con espacios', 'x'.repeat(256), 'a,b,c,d,e,f,g', '']) {
      const res = await post(`/api/leads/${leadId}/outcomes`, { type: 'contacted' }, bad).expect(400);
      expect(res.body.error).toBe('validation_failed');
      expect(Object.keys(res.body.fields)).toEqual(['Idempotency-Key']);
    }
    await post(`/api/leads/${leadId}/commands`, { type: 'pause' }, 'no!').expect(400);
    await post(`/api/leads/${leadId}/cadence`, { cadenceId: 'x', version: 1 }, 'no!').expect(400);
    const state = await stateOf(leadId);
    expect(state.counts.outcomes).toBe(0);
    expect(state.paused).toBeNull();
  });

  test('a command retried under its key is answered as the first time, where without a key it would be refused', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    const key = randomUUID();
    const first = await post(`/api/leads/${leadId}/commands`, { type: 'pause' }, key).expect(200);
    const again = await post(`/api/leads/${leadId}/commands`, { type: 'pause' }, key).expect(200);
    expect(again.body).toEqual(first.body);
    // The same key on another endpoint is another request: recorded.
    expect((await post(`/api/leads/${leadId}/outcomes`, { type: 'contacted' }, key).expect(200)).body.counts.outcomes).toBe(1);
    // Without a key, the second pause is a new request: the lead is already paused.
    await post(`/api/leads/${leadId}/commands`, { type: 'pause' }).expect(400);
  });

  test('an outcome that closes the lead, retried, gets the first answer rather than "closed"', async () => {
    const { body: { leadId } } = await post('/api/leads', aLead()).expect(201);
    const key = randomUUID();
    const first = await post(`/api/leads/${leadId}/outcomes`, { type: 'lost', reason: 'price' }, key).expect(200);
    expect(first.body.stage).toBe('lost');
    await eventually(async () => {
      const { status } = await stack.env.client.workflow.getHandle(`lead-${leadId}`).describe();
      if (status.name === 'RUNNING') throw new Error('still running');
    });
    const again = await post(`/api/leads/${leadId}/outcomes`, { type: 'lost', reason: 'price' }, key).expect(200);
    expect(again.body).toEqual(first.body);
    await post(`/api/leads/${leadId}/outcomes`, { type: 'lost', reason: 'price' }, randomUUID()).expect(400);
  });

  test("a retry after the lead's workflow continued-as-new still gets the first answer (Temporal alone would record it again)", async () => {
    const taskQueue = 'idempotency-rolling-lead';
    const worker = await Worker.create({
      connection: stack.env.nativeConnection, namespace: stack.env.namespace ?? 'default', taskQueue, workflowsPath: require.resolve('../support/rolling-lead-workflow'),
    });
    await worker.runUntil(async () => {
      const initial = leadStateIn('contacting');
      const handle = await stack.env.client.workflow.start('leadWorkflow', { taskQueue, workflowId: initial.workflowId, args: [initial] });
      const path = `/api/leads/${initial.leadId}/outcomes`;
      const key = randomUUID();
      const first = await post(path, { type: 'contacted' }, key).expect(200);
      expect(first.body.counts.outcomes).toBe(1);

      const runBefore = (await handle.describe()).runId;
      await handle.signal(rollOver);
      await eventually(async () => {
        if ((await handle.describe()).runId === runBefore) throw new Error('not rolled over yet');
      });

      const retried = await post(path, { type: 'contacted' }, key).expect(200);
      expect(retried.body).toEqual(first.body);
      expect((await handle.query(getLeadState)).counts.outcomes).toBe(1);

      // The same update id sent to the new run without asking the ledger: Temporal records it again.
      const bare = await stack.env.client.workflow.getHandle(initial.workflowId).executeUpdate(recordOutcome, { args: [{ type: 'contacted' }], updateId: updateIdFor('outcome', key) });
      expect(bare.counts.outcomes).toBe(2);
      // The API still answers from the run the key went to, and records nothing more.
      expect((await post(path, { type: 'contacted' }, key).expect(200)).body).toEqual(first.body);
      // A new key on the new run is recorded there.
      expect((await post(path, { type: 'contacted' }, randomUUID()).expect(200)).body.counts.outcomes).toBe(3);
      await handle.terminate('test over');
    });
  });
});

describe('the web app', () => {
  const formKeys = (page: string) => [...page.matchAll(/name="idempotencyKey" value="([^"]+)"/g)].map((m) => m[1]!);

  test('every form on the lead page that records something carries its own key', async () => {
    const leadId = await aLeadOwnedBy(ana);
    const { agent } = await signedIn(stack.app, ana.email);
    const page = (await agent.get(`/leads/${leadId}`).expect(200)).text;
    const forms = [...page.matchAll(/<form[^>]*action="\/leads\/[^"]+\/(outcome|command)"[\s\S]*?<\/form>/g)];
    expect(forms.length).toBeGreaterThanOrEqual(5);
    for (const [form] of forms) expect(formKeys(form)).toHaveLength(1);
    const keys = formKeys(page);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => /^[A-Za-z0-9_-]{22}$/.test(k))).toBe(true);
    // A page drawn again has new keys.
    const again = formKeys((await agent.get(`/leads/${leadId}`).expect(200)).text);
    expect(again.some((k) => keys.includes(k))).toBe(false);
  });

  test('a form sent twice (one after the other, and two at once) records once and says "Guardado" both times', async () => {
    const leadId = await aLeadOwnedBy(ana);
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const quickForm = (page: string) => {
      const form = new RegExp(`<form method="post" action="/leads/${leadId}/outcome" class="buttons">[\\s\\S]*?</form>`).exec(page)?.[0];
      if (!form) throw new Error('no quick outcomes on the page');
      return formKeys(form)[0]!;
    };
    const key = quickForm((await agent.get(`/leads/${leadId}`).expect(200)).text);
    const send = (type: string) => agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, idempotencyKey: key, type, returnTo: `/leads/${leadId}` });
    await send('interested').expect(303);
    const firstAnswer = (await agent.get(`/leads/${leadId}`).expect(200)).text;
    expect(firstAnswer).toContain('Guardado: Interesado.');
    await send('interested').expect(303);
    const secondAnswer = (await agent.get(`/leads/${leadId}`).expect(200)).text;
    const flash = (page: string) => /<div class="flash[^"]*" role="status">([^<]*)<\/div>/.exec(page)?.[1];
    expect(flash(secondAnswer)).toBe(flash(firstAnswer));
    expect((await stateOf(leadId)).counts.outcomes).toBe(1);

    // A double click: both submissions at once, from the next page's form.
    const next = quickForm(secondAnswer);
    const both = await Promise.all([0, 1].map(() => agent.post(`/leads/${leadId}/outcome`).type('form').send({ _csrf: csrf, idempotencyKey: next, type: 'contacted', returnTo: `/leads/${leadId}` })));
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    expect((await stateOf(leadId)).counts.outcomes).toBe(2);
    expect(await ledgerEvents(leadId, 2)).toBe(2);

    // Another button of a form already used: refused in words, nothing recorded.
    await send('not_interested').expect(303);
    expect((await agent.get(`/leads/${leadId}`).expect(200)).text).toContain('Este formulario ya guardó otro cambio');
    expect((await stateOf(leadId)).counts.outcomes).toBe(2);
  });

  test('a command form sent twice is one change', async () => {
    const leadId = await aLeadOwnedBy(ana);
    const { agent, csrf } = await signedIn(stack.app, ana.email);
    const send = () => agent.post(`/leads/${leadId}/command`).type('form').send({ _csrf: csrf, idempotencyKey: 'pause-form-key-0001', type: 'pause', returnTo: `/leads/${leadId}` });
    await send().expect(303);
    await send().expect(303);
    const page = (await agent.get(`/leads/${leadId}`).expect(200)).text;
    expect(page).toContain('Cambio guardado.');
    expect(page).not.toContain('El lead ya está en pausa.');
    expect((await stateOf(leadId)).paused).not.toBeNull();
    expect(await ledgerEvents(leadId, 1, 'lead_paused')).toBe(1);
  });
});
