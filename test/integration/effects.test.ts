import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, EffectInProgressError } from '../../activities';
import { leadIdFor, leadWorkflowId, messageIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { getLeadState } from '../../domain/messages';
import { ZohoClient, ZohoOutcomeUnknownError } from '../../integrations/zoho/client';
import { aLead } from '../support/leads';
import { API_KEY, eventually, MAIL_DOMAIN, PUBLIC_URL, startStack, type Stack } from '../support/stack';

/**
 * Nothing doubled, nobody contacted against their will, under the faults that used to double
 * things (issue 11): real Temporal, PostgreSQL, SMTP server and Zoho sandbox, misbehaving on purpose.
 * Where a test calls an activity twice itself, the second call stands for Temporal's retry of the
 * first attempt (same input, same key), so the retry's path is exercised without waiting for
 * Temporal's timeouts; the tests that need Temporal's own retry run a real worker.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 180_000);
afterAll(() => stack?.stop());
afterEach(() => stack.stopWorker());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enrol = async (overrides = {}) => {
  const lead = aLead(overrides);
  const { body } = await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(lead).expect(201);
  return { lead, leadId: body.leadId as string, workflowId: body.workflowId as string };
};
const stateOf = (leadId: string) => stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).query(getLeadState);
const mailsTo = (email: string) => stack.catcher.list().filter((m) => m.envelope.to.includes(email));
const welcomeOf = async (leadId: string, status: string) =>
  eventually(async () => {
    const touch = (await stateOf(leadId)).touches.find((t) => t.kind === 'welcome');
    if (touch?.status !== status) throw new Error(`welcome is ${touch?.status}`);
    return touch;
  }, 90_000);
/** A lead as the workflow carries it, for calling activities directly. */
const aLeadRecord = (overrides = {}): Lead => {
  const input = leadInputSchema.parse(aLead(overrides));
  return { ...input, leadId: leadIdFor(input.email), createdAt: new Date().toISOString() };
};

describe('email: at most once, whatever happens after the message left', () => {
  test('the issue\'s repro: an SMTP server that waits 45 s before accepting a lead\'s first mail — received once, the touch uncertain', async () => {
    await stack.startWorker();
    const lead = aLead();
    stack.catcher.addFault({ kind: 'delay', ms: 45_000, to: lead.email });
    const { leadId } = await enrol(lead);
    // The mailer gives up on the silent server at its 20 s socket timeout, inside the activity's
    // 30 s: the send's outcome is unknown, so the touch is `uncertain` and nothing is sent again.
    const touch = await welcomeOf(leadId, 'uncertain');
    // The server kept the message when its 45 s were up: the lead has it, once.
    await stack.catcher.waitFor((m) => m.envelope.to.includes(lead.email), 60_000);
    await sleep(3000);
    expect(mailsTo(lead.email)).toHaveLength(1);
    expect(await stack.ledger.effect({ key: touch.key })).toMatchObject({ state: 'claimed', error: expect.stringMatching(/DeliveryOutcomeUnknownError.*SOCKET_TIMEOUT/) });
    // The cadence goes on past the uncertain touch.
    expect((await stateOf(leadId)).stage).toBe('contacting');
  }, 150_000);

  test('a worker killed after SMTP accepted the mail but before the claim was completed: no second mail, the touch uncertain', async () => {
    const crashing = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(__dirname, '../support/crash-after-send-worker.ts'),
        '--temporal', stack.env.address, '--namespace', stack.env.namespace ?? 'default', '--database', stack.databaseUrl,
        '--smtp', String(stack.smtpPort), '--zoho', stack.zohoUrl, '--kill-at', 'before-complete'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    crashing.stdout!.on('data', (c) => (out += String(c)));
    await eventually(async () => {
      if (!out.includes('READY')) throw new Error('crashing worker not ready');
    }, 60_000);
    const { lead, leadId } = await enrol();
    const exit = await new Promise<NodeJS.Signals | null>((ok) => crashing.once('exit', (_code, signal) => ok(signal)));
    expect(exit).toBe('SIGKILL');
    expect(out).toContain(`KILLED after sending <${leadId}.step-0.attempt-1@example.com>`);
    expect(mailsTo(lead.email)).toHaveLength(1);
    expect(await stack.ledger.effect({ key: `${leadId}:step-0:attempt-1` })).toMatchObject({ state: 'claimed', error: null });

    // Temporal retries the send once the dead attempt's 30 s are up; the retry finds the claim without a result.
    await stack.startWorker();
    const touch = await welcomeOf(leadId, 'uncertain');
    expect(touch.ref).toBeUndefined();
    await sleep(1000);
    expect(mailsTo(lead.email)).toHaveLength(1);
  }, 150_000);

  describe('PostgreSQL failing a write of the claim (a trigger refuses it for a while, as a database starting up would)', () => {
    beforeAll(async () => {
      await stack.ledger.pool.query(`
        CREATE TABLE test_refuse (key text NOT NULL, write text NOT NULL, until timestamptz NOT NULL);
        CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM test_refuse WHERE key = NEW.key AND until > clock_timestamp()
                     AND write = CASE WHEN TG_OP = 'INSERT' THEN 'claim' WHEN NEW.state = 'done' THEN 'completion' END) THEN
            RAISE EXCEPTION 'the database system is starting up' USING ERRCODE = '57P03';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_refuse BEFORE INSERT OR UPDATE ON effects FOR EACH ROW EXECUTE FUNCTION test_refuse();
      `);
    });
    afterAll(async () => {
      await stack.ledger.pool.query('DROP TRIGGER test_refuse ON effects; DROP FUNCTION test_refuse(); DROP TABLE test_refuse');
    });
    const refuse = (write: 'claim' | 'completion', key: string, ms: number) =>
      stack.ledger.pool.query("INSERT INTO test_refuse (key, write, until) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')", [key, write, ms]);
    const refuseCompletion = (key: string, ms: number) => refuse('completion', key, ms);

    test('briefly: the attempt keeps trying, the send is recorded done, one mail', async () => {
      const activities = createActivities({ ...stack.activityDeps, claimTiming: { completeRetryMs: 3000 } });
      const lead = aLeadRecord();
      const touchKey = `${lead.leadId}:step-0:attempt-1`;
      await refuseCompletion(touchKey, 800);
      const sent = await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' });
      expect(sent).toEqual({ messageId: messageIdFor(touchKey, MAIL_DOMAIN), outcome: 'sent' });
      expect(await stack.ledger.effect({ key: touchKey })).toMatchObject({ state: 'done' });
      await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' }); // a retry
      await sleep(300);
      expect(mailsTo(lead.email)).toHaveLength(1);
    });

    test('for longer than the attempt waits: the send is reported, its claim stays unknown, and a retry does not send again', async () => {
      const activities = createActivities({ ...stack.activityDeps, claimTiming: { completeRetryMs: 1000 } });
      const lead = aLeadRecord();
      const touchKey = `${lead.leadId}:step-0:attempt-1`;
      await refuseCompletion(touchKey, 60_000);
      // SMTP accepted it: the attempt says so (Temporal's history keeps it) though the ledger could not.
      expect(await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' })).toMatchObject({ outcome: 'sent' });
      expect(await stack.ledger.effect({ key: touchKey })).toMatchObject({ state: 'claimed' });
      // Had that report been lost too, Temporal's retry finds the claim without a result.
      expect(await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' })).toEqual({ messageId: messageIdFor(touchKey, MAIL_DOMAIN), outcome: 'uncertain' });
      await sleep(300);
      expect(mailsTo(lead.email)).toHaveLength(1);
    });

    test('at the claim itself: nothing is sent, and the retry sends', async () => {
      const activities = createActivities(stack.activityDeps);
      const lead = aLeadRecord();
      const touchKey = `${lead.leadId}:step-0:attempt-1`;
      await refuse('claim', touchKey, 1000);
      await expect(activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' })).rejects.toThrow(/starting up/);
      expect(mailsTo(lead.email)).toHaveLength(0);
      await sleep(1100);
      expect(await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' })).toMatchObject({ outcome: 'sent' });
      expect(mailsTo(lead.email)).toHaveLength(1);
    });
  });
});

describe('opt-outs and suppressions, checked where the message leaves', () => {
  test('a lead opted out only in the ledger (its update never reached the workflow: the 503 path) gets no mail', async () => {
    const { lead, leadId, workflowId } = await enrol();
    // The workflow exists but no worker runs yet; the unsubscribe reached only the ledger.
    await stack.ledger.recordOptOut({ leadId, at: new Date().toISOString(), source: 'unsubscribe-link' });
    await stack.startWorker();
    const touch = await welcomeOf(leadId, 'skipped');
    expect(touch.ref).toBeUndefined();
    expect(await stack.ledger.effect({ key: touch.key })).toBeNull();
    // The ledger's answer also closes the lead for good.
    expect(await stack.env.client.workflow.getHandle(workflowId).result()).toMatchObject({ stage: 'opted_out' });
    await sleep(500);
    expect(mailsTo(lead.email)).toHaveLength(0);
  });

  test('a suppressed address (a hard bounce) gets no mail, whichever lead carries it', async () => {
    const activities = createActivities(stack.activityDeps);
    const lead = aLeadRecord();
    await stack.ledger.addSuppression({ address: lead.email.toUpperCase(), reason: 'bounced', at: new Date().toISOString(), detail: '550 5.1.1' });
    const touchKey = `${lead.leadId}:step-0:attempt-1`;
    expect(await activities.sendTouchEmail({ lead, owner: null, touchKey, template: 'welcome' })).toEqual({ messageId: null, outcome: 'suppressed', reason: 'bounced' });
    expect(await stack.ledger.effect({ key: touchKey })).toBeNull();
    await sleep(300);
    expect(mailsTo(lead.email)).toHaveLength(0);
  });
});

describe('Zoho: a create whose answer was lost is found by its key, not made twice', () => {
  const withLead = async (activities: ReturnType<typeof createActivities>) => {
    const lead = aLeadRecord();
    const { zohoLeadId } = await activities.syncLeadToZoho({ lead, stage: 'contacting' });
    const input = {
      lead, zohoLeadId, touchKey: `${lead.leadId}:step-1:attempt-1`, channel: 'call' as const, dueAt: new Date().toISOString(),
      subject: `Llamar a ${lead.firstName}`, script: 'Pregunta qué espera del curso',
    };
    const tasksOf = () => stack.sandbox.records('Tasks').filter((t) => (t.What_Id as { id?: string } | undefined)?.id === zohoLeadId);
    return { lead, zohoLeadId, input, tasksOf };
  };

  test.each([
    { mode: 'destroy' as const, what: 'the connection closed without an answer' },
    { mode: 'delay' as const, what: 'the answer held past the client\'s timeout' },
  ])('saved, then $what: exactly one task after the retry', async ({ mode }) => {
    // A client that waits 1 s instead of 10, so the held answer costs a second of the test.
    const zoho = new ZohoClient({ accountsUrl: stack.zohoUrl, clientId: 'it-client', clientSecret: 'it-secret', refreshToken: 'it-refresh', requestTimeoutMs: 1000 });
    const activities = createActivities({ ...stack.activityDeps, zoho });
    const { input, tasksOf } = await withLead(activities);
    stack.sandbox.injectFault({ kind: 'lost-answer', mode, delayMs: 3000, path: '/crm/v8/Tasks', method: 'POST' });

    await expect(activities.createTouchTask(input)).rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
    expect(tasksOf()).toHaveLength(1);
    expect(await stack.ledger.effect({ key: input.touchKey })).toMatchObject({ state: 'claimed', error: expect.stringContaining('ZohoOutcomeUnknownError') });

    // Temporal's retry: the claim has no result, the task carries the key, the look-up finds it.
    const { taskId } = await activities.createTouchTask(input);
    expect(taskId).toBe(tasksOf()[0]!.id);
    expect(tasksOf()).toHaveLength(1);
    expect(String(tasksOf()[0]!.Description)).toContain(`[seguimiento:${input.touchKey}]`);
    expect(await stack.ledger.effect({ key: input.touchKey })).toMatchObject({ state: 'done', ref: taskId });
    expect(await activities.createTouchTask(input)).toEqual({ taskId });
  });

  test('no new task for a person who opted out, even when the workflow has not heard of it yet', async () => {
    const activities = createActivities(stack.activityDeps);
    const { lead, input, tasksOf } = await withLead(activities);
    await stack.ledger.recordOptOut({ leadId: lead.leadId, source: 'unsubscribe-link' });
    expect(await activities.createTouchTask(input)).toEqual({ taskId: null });
    expect(tasksOf()).toEqual([]);
    expect(await stack.ledger.effect({ key: input.touchKey })).toBeNull();
  });

  test('a claim left by a dead worker: waited on while it may still run, then looked up, then created once', async () => {
    const activities = createActivities({ ...stack.activityDeps, claimTiming: { leaseMs: 500, searchSettleMs: 1200 } });
    const { lead, input, tasksOf } = await withLead(activities);
    // What a worker killed before its create left behind: a claim, no note, nothing in Zoho.
    await stack.ledger.claim({ key: input.touchKey, leadId: lead.leadId, kind: 'zoho_task' });
    await expect(activities.createTouchTask(input)).rejects.toThrow(/may still be running/);
    await sleep(600);
    await expect(activities.createTouchTask(input)).rejects.toThrow(EffectInProgressError);
    await sleep(700);
    const { taskId } = await activities.createTouchTask(input);
    expect(tasksOf().map((t) => t.id)).toEqual([taskId]);
    expect(await stack.ledger.effect({ key: input.touchKey })).toMatchObject({ state: 'done', attempts: 2 });
  });

  test('notes and calls carry their key too, and a lost answer leaves one of each', async () => {
    const zoho = new ZohoClient({ accountsUrl: stack.zohoUrl, clientId: 'it-client', clientSecret: 'it-secret', refreshToken: 'it-refresh' });
    const activities = createActivities({ ...stack.activityDeps, zoho });
    const { lead, zohoLeadId } = await withLead(activities);
    const note = { leadId: lead.leadId, zohoLeadId, key: `${lead.leadId}:note:1`, title: 'Correo enviado', content: 'Seguimiento envió el correo.' };
    const call = { leadId: lead.leadId, zohoLeadId, key: `${lead.leadId}:call:1`, subject: 'Llamada', result: 'Interesado', at: new Date().toISOString() };
    stack.sandbox.injectFault({ kind: 'lost-answer', mode: 'destroy', path: '/crm/v8/Notes', method: 'POST' });
    stack.sandbox.injectFault({ kind: 'lost-answer', mode: 'destroy', path: '/crm/v8/Calls', method: 'POST' });
    await expect(activities.addZohoNote(note)).rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
    await expect(activities.logZohoCall(call)).rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
    await activities.addZohoNote(note);
    await activities.logZohoCall(call);
    const under = (r: Record<string, unknown>) => ((r.Parent_Id ?? r.What_Id) as { id?: string } | undefined)?.id === zohoLeadId;
    expect(stack.sandbox.records('Notes').filter(under)).toHaveLength(1);
    expect(stack.sandbox.records('Calls').filter(under)).toHaveLength(1);
  });

  test('the ledger event and its Zoho note in one step: retried after a lost answer, one event and one note', async () => {
    const zoho = new ZohoClient({ accountsUrl: stack.zohoUrl, clientId: 'it-client', clientSecret: 'it-secret', refreshToken: 'it-refresh' });
    const activities = createActivities({ ...stack.activityDeps, zoho });
    const { lead, zohoLeadId } = await withLead(activities);
    // Temporal's retry of one activity: the same workflow run and activity id, another attempt.
    const attempt = new MockActivityEnvironment({ activityId: '7', workflowExecution: { workflowId: leadWorkflowId(lead), runId: 'run-1' } });
    const input = {
      leadId: lead.leadId, type: 'email_sent', occurredAt: new Date().toISOString(), data: { template: 'first-email' },
      zoho: { zohoLeadId, note: { leadId: lead.leadId, key: `${lead.leadId}:zoho:email:1`, title: 'Correo enviado: first-email', content: 'Seguimiento envió el correo.' } },
    };
    stack.sandbox.injectFault({ kind: 'lost-answer', mode: 'destroy', path: '/crm/v8/Notes', method: 'POST' });
    await expect(attempt.run(activities.followLeadEvent, input)).rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
    // The ledger has the event before Zoho is asked: the workflow's follow-up never waits on Zoho for it.
    expect((await stack.ledger.eventsOf({ leadId: lead.leadId })).filter((e) => e.type === 'email_sent')).toHaveLength(1);
    await attempt.run(activities.followLeadEvent, input);
    expect((await stack.ledger.eventsOf({ leadId: lead.leadId })).filter((e) => e.type === 'email_sent')).toHaveLength(1);
    expect(stack.sandbox.records('Notes').filter((r) => (r.Parent_Id as { id?: string } | undefined)?.id === zohoLeadId)).toHaveLength(1);
  });

  test('a record Zoho refuses for good marks the claim failed, so a deliberate retry may try again', async () => {
    const activities = createActivities(stack.activityDeps);
    const { input } = await withLead(activities);
    const bad = { ...input, zohoLeadId: '6310180999999999999' };
    await expect(activities.createTouchTask(bad)).rejects.toMatchObject({ name: 'ZohoRecordError' });
    expect(await stack.ledger.effect({ key: input.touchKey })).toMatchObject({ state: 'failed', error: expect.stringContaining('ZohoRecordError') });
    const { taskId } = await activities.createTouchTask(input);
    expect(await stack.ledger.effect({ key: input.touchKey })).toMatchObject({ state: 'done', ref: taskId, attempts: 2 });
  });
});

describe('reportIntegrationFailure: the director told once a day per kind', () => {
  test('twice the same day for the same kind (and a retry) is one mail; another kind is another mail', async () => {
    const activities = createActivities(stack.activityDeps);
    const at = new Date().toISOString();
    const error = 'ZohoAuthError: Zoho authentication failed: invalid_code: the refresh-token grant was refused';
    const first = { leadId: 'L-report-a', integration: 'zoho' as const, callSite: 'createTouchTask', error, at };
    await activities.reportIntegrationFailure(first);
    await activities.reportIntegrationFailure(first); // Temporal's retry
    await activities.reportIntegrationFailure({ ...first, leadId: 'L-report-b', callSite: 'zoho:email_sent' });
    await activities.reportIntegrationFailure({ ...first, leadId: 'L-report-b', error: 'ZohoRecordError: Zoho rejected the record: INVALID_DATA (What_Id): invalid data' });
    await sleep(500);

    const toDirector = stack.catcher.list().filter((m) => m.envelope.to.includes('director@example.com') && /L-report-/.test(m.raw));
    expect(toDirector).toHaveLength(2);
    const { parseMail } = await import('../../dev/smtp-catcher/catcher');
    const auth = await parseMail(toDirector.find((m) => m.raw.includes('ZohoAuthError'))!);
    expect(auth.subject).toBe('Integración con fallos: Zoho CRM (ZohoAuthError)');
    expect(auth.text).toContain('Primer lead afectado hoy: L-report-a (paso: createTouchTask)');
    expect(auth.text).toContain(`Ver el lead: ${PUBLIC_URL}/leads/L-report-a`);
    expect(auth.text).toContain('ZOHO_REFRESH_TOKEN');
    expect(auth.messageId).toBe(messageIdFor(`integration-failure:zoho:ZohoAuthError:${at.slice(0, 10)}`, MAIL_DOMAIN));

    const reported = async (leadId: string) => (await stack.ledger.eventsOf({ leadId })).filter((e) => e.type === 'integration_failure_reported');
    expect((await reported('L-report-a')).map((e) => e.data.callSite)).toEqual(['createTouchTask']);
    expect((await reported('L-report-b')).map((e) => e.data.callSite)).toEqual(['zoho:email_sent', 'createTouchTask']);
  });
});
