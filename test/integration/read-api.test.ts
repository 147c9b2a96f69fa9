import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';

/** GET /api/leads: the read model for machines, paged by cursor in the order leads changed. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const get = (query: string) => stack.api.get(`/api/leads?${query}`).set('Authorization', `Bearer ${API_KEY}`);

test('paging by cursor returns every lead once, oldest change first, and filters apply', async () => {
  const marker = `Paging${Date.now()}`;
  const made: string[] = [];
  for (let i = 0; i < 5; i++) {
    const lead = aLead({ company: `${marker} ${i}`, country: i % 2 ? 'MX' : 'PE' });
    made.push((await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(lead).expect(201)).body.leadId as string);
  }
  await eventually(async () => expect((await get(`q=${marker}&limit=500`).expect(200)).body.leads).toHaveLength(5));

  const seen: { leadId: string; updatedAt: string }[] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const { body }: { body: { leads: typeof seen; nextCursor: string | null } } = await get(`q=${marker}&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
    expect(body.leads.length).toBeLessThanOrEqual(2);
    seen.push(...body.leads);
    cursor = body.nextCursor;
  }
  // Every lead, none skipped; one seen twice only if it changed while we paged (it comes again, newer).
  expect([...new Set(seen.map((l) => l.leadId))].sort()).toEqual([...made].sort());
  expect(new Set(seen.map((l) => `${l.leadId}@${l.updatedAt}`)).size).toBe(seen.length);
  const times = seen.map((l) => l.updatedAt);
  expect(times).toEqual([...times].sort());

  const mexico = (await get(`q=${marker}&country=MX`).expect(200)).body.leads;
  expect(mexico.map((l: { country: string }) => l.country)).toEqual(['MX', 'MX']);
  // Once the new leads are quiet (welcome mail sent, task created), nothing changes after the last
  // change: asking again from there gives nothing new...
  const lastChange = async () => ((await get(`q=${marker}&limit=500`).expect(200)).body.leads as { updatedAt: string }[]).at(-1)!.updatedAt;
  let last = await lastChange();
  for (let quiet = false; !quiet;) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await lastChange();
    quiet = now === last;
    last = now;
  }
  const later = new Date(Date.parse(last) + 1).toISOString();
  expect((await get(`q=${marker}&updatedSince=${later}`).expect(200)).body).toEqual({ leads: [], nextCursor: null });
  // ...until a lead changes: then that lead, and only it.
  await stack.api.post(`/api/leads/${made[0]}/commands`).set('Authorization', `Bearer ${API_KEY}`).send({ type: 'pause' }).expect(200);
  await eventually(async () => {
    const { body } = await get(`q=${marker}&updatedSince=${later}`).expect(200);
    expect(body.leads.map((l: { leadId: string; paused: boolean }) => [l.leadId, l.paused])).toEqual([[made[0], true]]);
  });
});

test('bad filters and forged cursors are a 400 naming the field', async () => {
  const bad = (await get('stage=flying&limit=501&cursor=not-ours&updatedSince=yesterday').expect(400)).body;
  expect(Object.keys(bad.fields).sort()).toEqual(['cursor', 'limit', 'stage', 'updatedSince']);
  expect(bad.fields.cursor).toEqual(['is not a cursor this API gave out']);
  await stack.api.get('/api/leads').expect(401);
});
