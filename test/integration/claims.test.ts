import { Ledger } from '../../integrations/ledger/ledger';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

/** The ledger's claims and suppressions on a real PostgreSQL: the state machine every effect goes through. */
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

let n = 0;
const fresh = () => `claim-test-${++n}`;

test('claimed → done: one attempt holds the claim, every later one finds its result', async () => {
  const key = fresh();
  expect(await ledger.claim({ key, leadId: 'L-1', kind: 'zoho_task' })).toEqual({ claimed: true, attempts: 1 });
  // A second attempt while the first acts: the claim without a result is "unknown", not "not done".
  const meanwhile = await ledger.claim({ key, leadId: 'L-1', kind: 'zoho_task' });
  expect(meanwhile).toMatchObject({ claimed: false, existing: { state: 'claimed', ref: null, error: null, attempts: 1 } });
  await ledger.complete({ key, ref: 'Z-1' });
  const later = await ledger.claim({ key, leadId: 'L-1', kind: 'zoho_task' });
  expect(later).toMatchObject({ claimed: false, existing: { state: 'done', ref: 'Z-1' } });
  expect((await ledger.effect({ key }))!.completedAt).toBeInstanceOf(Date);
});

test('failed (proven not done) may be claimed again, deliberately; released is as if never claimed', async () => {
  const key = fresh();
  await ledger.claim({ key, leadId: 'L-1', kind: 'email' });
  await ledger.fail({ key, error: 'PermanentDeliveryError: SMTP rejected the message (550)' });
  expect(await ledger.effect({ key })).toMatchObject({ state: 'failed', error: expect.stringContaining('550') });
  expect(await ledger.claim({ key, leadId: 'L-1', kind: 'email' })).toEqual({ claimed: true, attempts: 2 });

  const other = fresh();
  await ledger.claim({ key: other, leadId: 'L-1', kind: 'email' });
  await ledger.release({ key: other });
  expect(await ledger.effect({ key: other })).toBeNull();
  expect(await ledger.claim({ key: other, leadId: 'L-1', kind: 'email' })).toEqual({ claimed: true, attempts: 1 });
});

test('a finished claim is never released, failed or completed again', async () => {
  const key = fresh();
  await ledger.claim({ key, leadId: 'L-1', kind: 'email', ref: '<m@seguimiento>' });
  await ledger.complete({ key, ref: '<m@seguimiento>' });
  await ledger.release({ key });
  await ledger.fail({ key, error: 'late' });
  await ledger.markUnknown({ key, error: 'late' });
  expect(await ledger.effect({ key })).toMatchObject({ state: 'done', ref: '<m@seguimiento>', error: null });
});

test('an unknown claim is taken over by exactly one of two attempts that both proved it undone', async () => {
  const key = fresh();
  await ledger.claim({ key, leadId: 'L-1', kind: 'zoho_call' });
  await ledger.markUnknown({ key, error: 'ZohoOutcomeUnknownError: no answer' });
  const seen = (await ledger.effect({ key }))!;
  expect(seen).toMatchObject({ state: 'claimed', error: 'ZohoOutcomeUnknownError: no answer', attempts: 1 });
  expect(seen.ageMs).toBeGreaterThanOrEqual(0);
  const results = await Promise.all([ledger.takeOver({ key, attempts: 1 }), ledger.takeOver({ key, attempts: 1 })]);
  expect(results.sort()).toEqual([false, true]);
  expect(await ledger.effect({ key })).toMatchObject({ state: 'claimed', error: null, attempts: 2 });
});

test('many attempts racing for one claim: exactly one gets it', async () => {
  const key = fresh();
  const answers = await Promise.all(Array.from({ length: 8 }, () => ledger.claim({ key, leadId: 'L-1', kind: 'email' })));
  expect(answers.filter((a) => a.claimed)).toHaveLength(1);
});

describe('a message claim checks opt-outs and suppressions in its own transaction', () => {
  test('an opted-out lead: nothing is claimed', async () => {
    const key = fresh();
    await ledger.recordOptOut({ leadId: 'L-out', at: new Date().toISOString(), source: 'unsubscribe-link' });
    expect(await ledger.claimMessage({ key, leadId: 'L-out', kind: 'email', address: 'out@example.com' })).toEqual({ claimed: false, blocked: 'opted_out' });
    expect(await ledger.effect({ key })).toBeNull();
  });

  test('a suppressed address, whatever its case, for any lead; the first reason stays', async () => {
    await ledger.addSuppression({ address: ' Rebota@Example.COM ', reason: 'bounced', at: '2027-03-01T10:00:00.000Z', detail: '550 5.1.1' });
    await ledger.addSuppression({ address: 'rebota@example.com', reason: 'complained', at: '2027-03-02T10:00:00.000Z' });
    expect(await ledger.suppressionOf({ address: 'REBOTA@example.com' })).toEqual({ reason: 'bounced', at: '2027-03-01T10:00:00.000Z' });
    expect(await ledger.suppressionOf({ address: 'otra@example.com' })).toBeNull();
    const key = fresh();
    expect(await ledger.claimMessage({ key, leadId: 'L-any', kind: 'email', address: 'rebota@EXAMPLE.com' })).toEqual({ claimed: false, blocked: 'bounced' });
    expect(await ledger.effect({ key })).toBeNull();
  });

  test('a message already sent (or maybe sent) stays so after an opt-out: the existing claim answers first', async () => {
    const key = fresh();
    expect(await ledger.claimMessage({ key, leadId: 'L-late', kind: 'email', address: 'late@example.com', ref: '<late@seguimiento>' })).toEqual({ claimed: true, attempts: 1 });
    await ledger.recordOptOut({ leadId: 'L-late', at: new Date().toISOString(), source: 'unsubscribe-link' });
    expect(await ledger.claimMessage({ key, leadId: 'L-late', kind: 'email', address: 'late@example.com' })).toMatchObject({
      claimed: false, existing: { state: 'claimed', ref: '<late@seguimiento>' },
    });
    // A reply to it still finds the lead: the claim carries its Message-ID from the start.
    expect(await ledger.leadOfMessage({ messageId: '<late@seguimiento>' })).toBe('L-late');
  });

  test('an opt-out racing a claim: both take the lead\'s lock, so the claim either went first or saw the opt-out', async () => {
    for (let i = 0; i < 10; i++) {
      const leadId = `L-race-${i}`;
      const key = fresh();
      const [answer] = await Promise.all([
        ledger.claimMessage({ key, leadId, kind: 'email', address: `${leadId}@example.com` }),
        ledger.recordOptOut({ leadId, at: new Date().toISOString(), source: 'unsubscribe-link' }),
      ]);
      if (answer.claimed) expect(await ledger.effect({ key })).toMatchObject({ state: 'claimed' });
      else expect(answer).toEqual({ claimed: false, blocked: 'opted_out' });
      // Whatever the order, nothing is claimed for this lead from now on.
      expect(await ledger.claimMessage({ key: fresh(), leadId, kind: 'email', address: `${leadId}@example.com` })).toEqual({ claimed: false, blocked: 'opted_out' });
    }
  });
});

test('effects recorded before claims existed read as done, with their ref, after the migration', async () => {
  const { MIGRATIONS } = await import('../../integrations/ledger/migrations');
  await ledger.pool.query('CREATE DATABASE before_claims');
  const url = new URL(pg.databaseUrl);
  url.pathname = '/before_claims';
  const old = Ledger.connect(url.toString());
  try {
    await old.pool.query('CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of MIGRATIONS.filter((m) => m.name !== 'claims before effects; suppressions')) {
      await old.pool.query(m.sql);
      await old.pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await old.pool.query("INSERT INTO effects (key, lead_id, kind, ref) VALUES ('L-old:step-0:attempt-1', 'L-old', 'email', '<L-old:step-0:attempt-1@seguimiento>')");
    await old.migrate();
    expect(await old.effect({ key: 'L-old:step-0:attempt-1' })).toMatchObject({ state: 'done', ref: '<L-old:step-0:attempt-1@seguimiento>', attempts: 1 });
    expect(await old.claim({ key: 'L-old:step-0:attempt-1', leadId: 'L-old', kind: 'email' })).toMatchObject({ claimed: false, existing: { state: 'done' } });
  } finally {
    await old.close();
  }
});
