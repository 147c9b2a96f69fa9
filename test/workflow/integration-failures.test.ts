import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { getLeadState, recordOutcome } from '../../domain/messages';
import { freshEnvPerTest, leadAt, recordingActivities, startLead, travelTo } from './harness';

/**
 * "A Zoho failure never stops the follow-up": every activity the lead's workflow calls fails for good
 * (a revoked refresh token, a record Zoho refuses) in turn, at its call site, while one lead lives
 * through routing, the SLA, its cadence, a reply, a stall, the reactivation and the escalation.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
freshEnvPerTest((ctx) => ({ env, bundle } = ctx));

const createdAt = '2027-03-01T15:00:00.000Z';

const callSites: { activity: keyof Activities; callSite: string; ledger: 'integration_failed' | 'crm_sync_failed' }[] = [
  { activity: 'syncLeadToZoho', callSite: 'syncLeadToZoho', ledger: 'crm_sync_failed' },
  { activity: 'assignLead', callSite: 'assignLead', ledger: 'integration_failed' },
  { activity: 'createTouchTask', callSite: 'createTouchTask', ledger: 'integration_failed' },
  { activity: 'escalate', callSite: 'escalate:sla_missed', ledger: 'integration_failed' },
  { activity: 'addZohoNote', callSite: 'zoho:email_sent', ledger: 'crm_sync_failed' },
  { activity: 'updateZohoStage', callSite: 'zoho:stage_changed', ledger: 'crm_sync_failed' },
  { activity: 'logZohoCall', callSite: 'zoho:outcome_recorded', ledger: 'crm_sync_failed' },
];

test.each(callSites)('$activity failing for good at $callSite: recorded, the director told, and the lead lives on', async ({ activity, callSite, ledger }) => {
  await travelTo(env, createdAt);
  // Routing finds nobody the first time (the "unassigned" escalation), an owner on the daily retry.
  let routed = 0;
  const { activities, effects, events } = recordingActivities({ failForGood: [activity], assign: () => (routed++ === 0 ? null : 'ana.perez@empresa.example') });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    // The SLA passed unanswered and the day-1 call came due; the executive then reaches the lead by phone.
    await travelTo(env, '2027-03-02T20:00:00.000Z');
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'interested', note: 'Pide el temario' }] });
    // Engaged, then silence: the stall's reactivation email and, a stall later, the escalation.
    await travelTo(env, '2027-03-16T20:00:00.000Z');
    const state = await handle.query(getLeadState);
    expect(state).toMatchObject({ stage: 'engaged', stall: { reactivationSent: true, escalated: true } });
    expect(state.touches.map((t) => `${t.kind}:${t.channel}`)).toEqual(
      expect.arrayContaining(['welcome:email', 'cadence:call', 'reactivation:email', 'reactivation:call']),
    );
  });
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const failures = events.filter((e) => e.type === ledger && (e.data?.callSite === callSite || `zoho:${String(e.data?.event)}` === callSite || (callSite === 'syncLeadToZoho' && !e.data?.event)));
  expect(failures.length).toBeGreaterThan(0);
  expect(String(failures[0]!.data?.error)).toContain('ZohoAuthError');
  expect(effects.filter((e) => e.kind === 'integration-failure').map((e) => e.detail)).toContain(callSite);
});

test('the stall escalation and the closer’s task fail for good: the lead keeps its next step', async () => {
  await travelTo(env, createdAt);
  const { activities, effects, events } = recordingActivities({ failForGood: ['escalate', 'createTouchTask'] });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-02T17:00:00.000Z');
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'replied' }] });
    await travelTo(env, '2027-03-14T20:00:00.000Z');
    const state = await handle.query(getLeadState);
    expect(state.nextStep?.action).toMatch(/^Escalado: decidir el siguiente paso/);
    // No Zoho task, but the closer's call is on the lead's timeline all the same.
    const closersCall = state.touches.find((t) => t.kind === 'reactivation' && t.channel === 'call');
    expect(closersCall).toBeDefined();
    expect(closersCall!.ref).toBeUndefined();
  });
  expect(effects.filter((e) => e.kind === 'integration-failure').map((e) => e.detail)).toEqual(
    expect.arrayContaining(['escalate:stalled', 'createTouchTask']),
  );
  expect(events.filter((e) => e.type === 'integration_failed').map((e) => e.data?.callSite)).toEqual(expect.arrayContaining(['escalate:stalled', 'createTouchTask']));
});

describe('what the send’s claim answers instead of sending', () => {
  test('uncertain: the touch says so, is never sent again, and the cadence goes on', async () => {
    await travelTo(env, createdAt);
    const { activities, effects } = recordingActivities({ emailOutcome: (t) => (t === 'first-email' ? { messageId: null, outcome: 'uncertain' } : undefined) });
    const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
    await worker.runUntil(async () => {
      await travelTo(env, '2027-03-07T20:00:00.000Z');
      const state = await handle.query(getLeadState);
      expect(state.touches.find((t) => t.template === 'first-email')).toMatchObject({ status: 'uncertain' });
      expect(state.touches.some((t) => t.channel === 'linkedin')).toBe(true);
    });
    expect(effects.filter((e) => e.detail === 'first-email')).toEqual([]);
  });

  test('suppressed by an opt-out the workflow never heard: the lead is closed as opted out', async () => {
    await travelTo(env, createdAt);
    const { activities, effects } = recordingActivities({ emailOutcome: (t) => (t === 'first-email' ? { messageId: null, outcome: 'suppressed', reason: 'opted_out' } : undefined) });
    const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
    const state = await worker.runUntil(async () => {
      await travelTo(env, '2027-03-10T20:00:00.000Z');
      return handle.result();
    });
    expect(state.stage).toBe('opted_out');
    expect(effects.filter((e) => e.kind === 'email' || e.kind === 'task').map((e) => e.detail).every((d) => !/linkedin/.test(d))).toBe(true);
  });

  test('suppressed after a bounce: mail stops until a person fixes the address', async () => {
    await travelTo(env, createdAt);
    const { activities } = recordingActivities({ emailOutcome: (t) => (t === 'first-email' ? { messageId: null, outcome: 'suppressed', reason: 'bounced' } : undefined) });
    const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
    await worker.runUntil(async () => {
      await travelTo(env, '2027-03-10T20:00:00.000Z');
      const state = await handle.query(getLeadState);
      expect(state).toMatchObject({ stage: 'contacting', contactProblem: true });
      expect(state.nextStep?.action).toMatch(/rebotó/);
      expect(state.touches.filter((t) => t.kind === 'cadence').map((t) => t.template)).toEqual(['first-call', 'first-email']);
    });
  });
});
