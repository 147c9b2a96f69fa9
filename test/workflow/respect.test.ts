import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { capacityFreed, getLeadState, outcomeSignal, recordOutcome, runCommand } from '../../domain/messages';
import { freshEnvPerTest, leadAt, minute, recordingActivities, startLead, travelTo } from './harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
freshEnvPerTest((ctx) => ({ env, bundle } = ctx));


test('a Colombian lead created on a Friday evening before a Monday holiday gets its first email on Tuesday morning, Bogotá time', async () => {
  // Friday 8 January 2027, 19:00 in Bogotá; Monday 11 January is Reyes Magos, a public holiday.
  const createdAt = '2027-01-09T00:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt, { country: 'CO' }), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-01-09T00:01:00.000Z');
    const planned = await handle.query(getLeadState);
    expect(planned.nextStep).toEqual({ action: 'Correo de bienvenida', dueAt: '2027-01-12T14:00:00.000Z' });
    await travelTo(env, '2027-01-12T20:00:00.000Z');
  });
  const firstEmail = effects.find((e) => e.kind === 'email')!;
  expect(minute(firstEmail.at)).toBe('2027-01-12T14:00'); // Tuesday 09:00 in Bogotá (UTC-5)
  // Nothing at all over the weekend or on the holiday.
  expect(effects.filter((e) => (e.kind === 'email' || e.kind === 'task') && e.at < Date.parse('2027-01-12T14:00:00Z'))).toEqual([]);
});

test('first contact SLA missed: the owner and the director are told once, and the lead is flagged', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects, events } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-02T16:00:00.000Z');
    const state = await handle.query(getLeadState);
    expect(state.sla.status).toBe('breached');
  });
  const escalations = effects.filter((e) => e.kind === 'escalation');
  expect(escalations.map((e) => [minute(e.at), e.detail])).toEqual([['2027-03-02T15:00', 'sla_missed']]);
  expect(events.some((e) => e.type === 'sla_missed')).toBe(true);
});

test('first contact SLA met: a call attempt recorded in time means no escalation', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-01T18:00:00.000Z');
    const state = await handle.executeUpdate(recordOutcome, { args: [{ type: 'no_answer' }] });
    expect(state.sla).toMatchObject({ status: 'met', firstContactAt: expect.any(String) });
    expect(state.touches.find((t) => t.channel === 'call')).toMatchObject({ status: 'done', outcome: 'no_answer' });
    await travelTo(env, '2027-03-03T00:00:00.000Z');
  });
  expect(effects.filter((e) => e.kind === 'escalation')).toEqual([]);
});

test('a stalled proposal gets one reactivation touch with honest urgency, then an escalation to the closer and the director', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const lead = leadAt(createdAt, { course: { code: 'DS-101', name: 'Ciencia de Datos', earlyBirdDeadline: '2027-04-01', seatsLeft: 5 } });
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  await worker.runUntil(async () => {
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'interested' }] });
    const sentAt = Date.parse('2027-03-02T15:00:00.000Z');
    await travelTo(env, new Date(sentAt).toISOString());
    const afterProposal = await handle.executeUpdate(recordOutcome, { args: [{ type: 'proposal_sent' }] });
    expect(afterProposal.stage).toBe('proposal');
    // Proposal: 7 days without progress → reactivation touch (next business slot) → 7 more → escalation.
    await travelTo(env, '2027-03-09T20:00:00.000Z');
    let state = await handle.query(getLeadState);
    expect(state.touches.filter((t) => t.kind === 'reactivation' && t.channel === 'email').map((t) => t.status)).toEqual(['done']);
    expect(effects.filter((e) => e.kind === 'escalation')).toEqual([]);
    await travelTo(env, '2027-03-17T00:00:00.000Z');
    state = await handle.query(getLeadState);
    expect(state.stall).toMatchObject({ reactivationSent: true, escalated: true });
    expect(state.nextStep?.action).toMatch(/^Escalado/);
  });
  const reactivation = effects.find((e) => e.detail === 'reactivation')!;
  expect(minute(reactivation.at)).toBe('2027-03-09T15:00'); // Tuesday 10:00 Bogotá, 7 days after the proposal
  expect(effects.filter((e) => e.kind === 'escalation').map((e) => [minute(e.at), e.detail])).toEqual([['2027-03-16T15:00', 'stalled']]);
  expect(effects.filter((e) => e.kind === 'task' && e.detail.includes('escalation'))).toHaveLength(1);
});

test('nurturing crosses continue-as-new without losing state, and a reply signalled at the boundary reactivates the lead', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  let signalled = false;
  const { activities, effects } = recordingActivities({
    // The reply lands while the third value email is being sent, right before the run continues as new.
    onEmail: async (template) => {
      if (template !== 'nurturing' || signalled || effects.filter((e) => e.detail === 'nurturing' && e.kind === 'email').length < 3) return;
      signalled = true;
      await env.client.workflow.getHandle(handle.workflowId).signal(outcomeSignal, { type: 'replied', by: 'inbound-email' });
    },
  });
  const lead = leadAt(createdAt);
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  const state = await worker.runUntil(async () => {
    // The third value email goes out on 11 June; stop before a stall (5 days in engaged) would add a touch.
    await travelTo(env, '2027-06-14T00:00:00.000Z');
    return env.client.workflow.getHandle(handle.workflowId).query(getLeadState);
  });
  expect(signalled).toBe(true);
  expect(state.stage).toBe('engaged');
  expect(state.counts.reactivations).toBe(1);
  expect(state.outcomes.map((o) => [o.type, o.stageBefore, o.stageAfter])).toEqual([['replied', 'nurturing', 'engaged']]);
  // Everything from the earlier runs is still there.
  expect(state.touches.map((t) => t.kind)).toEqual(['welcome', 'cadence', 'cadence', 'cadence', 'cadence', 'cadence', 'nurturing', 'nurturing', 'nurturing']);
  expect(state.nurturingTouchesSent).toBe(3);
  // No value email after the reply.
  expect(effects.filter((e) => e.detail === 'nurturing' && e.kind === 'email')).toHaveLength(3);
  const { runId } = await env.client.workflow.getHandle(handle.workflowId).describe();
  expect(runId).not.toBe(handle.firstExecutionRunId);
});

test('pause holds every touch until resume; nonsense outcomes are rejected with a clear reason; opt-out ends everything', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-01T16:00:00.000Z');
    const paused = await handle.executeUpdate(runCommand, { args: [{ type: 'pause' }] });
    expect(paused.paused).not.toBeNull();
    expect(paused.nextStep?.action).toBe('Seguimiento en pausa: reanudar');
    const pausedAt = Date.parse('2027-03-01T16:00:00.000Z');
    await travelTo(env, '2027-03-12T00:00:00.000Z');
    expect(effects.filter((e) => (e.kind === 'email' || e.kind === 'task') && e.at > pausedAt)).toEqual([]);

    await expect(handle.executeUpdate(recordOutcome, { args: [{ type: 'enrolled' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    const rejection = await handle.executeUpdate(recordOutcome, { args: [{ type: 'enrolled' }] }).catch((e: WorkflowUpdateFailedError) => e.cause?.message);
    expect(rejection).toMatch(/"enrolled" makes no sense while the lead is en contacto/);
    await expect(handle.executeUpdate(runCommand, { args: [{ type: 'pause' }] })).rejects.toThrow(WorkflowUpdateFailedError);

    const resumed = await handle.executeUpdate(runCommand, { args: [{ type: 'resume' }] });
    expect(resumed.paused).toBeNull();
    // Resumed on Thursday evening in Bogotá: the overdue steps resume one a day in business hours, no burst.
    await travelTo(env, '2027-03-16T00:00:00.000Z');
    const resumedTouches = effects.filter((e) => (e.kind === 'email' || e.kind === 'task') && e.at > Date.parse('2027-03-12T00:00:00Z'));
    expect(resumedTouches.map((e) => [minute(e.at), e.kind])).toEqual([['2027-03-12T14:00', 'email'], ['2027-03-15T14:00', 'task']]);

    const optedOut = await handle.executeUpdate(recordOutcome, { args: [{ type: 'opted_out', by: 'unsubscribe-link' }] });
    expect(optedOut).toMatchObject({ stage: 'opted_out', nextStep: null });
    const at = Date.parse('2027-03-16T00:00:00.000Z');
    // The workflow closes at once: once closed, nothing can ever schedule another touch.
    expect((await handle.result()).stage).toBe('opted_out');
    expect(effects.filter((e) => (e.kind === 'email' || e.kind === 'task') && e.at > at)).toEqual([]);
    expect(effects.filter((e) => e.kind === 'zoho-stage').pop()?.detail).toBe('opted_out');
  });
});

test('everyone at cap: the director hears once, the cadence goes on, and the lead gets an owner as soon as a slot frees', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  let room = false;
  const { activities, effects, events } = recordingActivities({ assign: () => (room ? 'beto@empresa.example' : null) });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-01T20:00:00.000Z');
    const waiting = await handle.query(getLeadState);
    expect(waiting.owner).toBeNull();
    // The follow-up does not wait for an owner: the welcome email and the first call went out.
    expect(waiting.touches.map((t) => t.channel)).toEqual(['email', 'call']);
    // The activity that frees a slot signals the longest-waiting lead (activities/ recordLeadEvent).
    room = true;
    await handle.signal(capacityFreed);
    await travelTo(env, '2027-03-01T20:01:00.000Z');
    expect((await handle.query(getLeadState)).owner).toBe('beto@empresa.example');
  });
  expect(effects.filter((e) => e.kind === 'escalation').map((e) => e.detail)).toEqual(['unassigned']);
  expect(events.filter((e) => e.type === 'lead_queued')).toHaveLength(1);
  expect(events.find((e) => e.type === 'lead_assigned')?.data).toEqual({ owner: 'beto@empresa.example', pool: 'general' });
});

test('a lost capacity signal delays the owner by a day at most, and the wait adds little history', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  let room = false;
  let asked = 0;
  const { activities } = recordingActivities({ assign: () => (asked++, room ? 'beto@empresa.example' : null) });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-01T20:00:00.000Z');
    room = true;
    await travelTo(env, '2027-03-02T14:00:00.000Z');
    expect((await handle.query(getLeadState)).owner).toBeNull();
    await travelTo(env, '2027-03-02T15:05:00.000Z');
    expect((await handle.query(getLeadState)).owner).toBe('beto@empresa.example');
  });
  // The first try at enrolment and the daily backstop: no polling every few minutes.
  expect(asked).toBe(2);
});

test('a lead waiting for capacity and assigned by hand stops asking routing', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  let asked = 0;
  const { activities } = recordingActivities({ assign: () => (asked++, null) });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-01T16:00:00.000Z');
    await handle.executeUpdate(runCommand, { args: [{ type: 'reassign', owner: 'carla@empresa.example' }] });
    const askedWhenAssigned = asked;
    await travelTo(env, '2027-03-03T16:00:00.000Z');
    expect(asked).toBe(askedWhenAssigned);
    expect((await handle.query(getLeadState)).owner).toBe('carla@empresa.example');
  });
});
