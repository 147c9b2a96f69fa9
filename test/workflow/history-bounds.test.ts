import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { getLeadState, recordOutcome, runCommand } from '../../domain/messages';
import { freshEnvPerTest, leadAt, recordingActivities, startLead, travelTo } from './harness';

/** A lead's history is what Temporal stores, replays and bills: it must stay bounded in every stage. */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
freshEnvPerTest((ctx) => ({ env, bundle } = ctx));

const createdAt = '2027-03-01T15:00:00.000Z';
const { EventType } = temporal.api.enums.v1;

async function eventsOf(workflowId: string, runId?: string) {
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}
const count = (events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
const slotsPlanned = (events: temporal.api.history.v1.IHistoryEvent[]) =>
  events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'planTouchSlot').length;

test('messages that do not change the plan neither cancel the timer nor plan the slot again', async () => {
  await travelTo(env, createdAt);
  const { activities } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    // Day 1's call is due; the lead now waits for day 3's email.
    await travelTo(env, '2027-03-02T20:00:00.000Z');
    const before = await eventsOf(handle.workflowId);
    expect(slotsPlanned(before)).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      await handle.executeUpdate(runCommand, { args: [{ type: 'update_lead', changes: { jobTitle: `Analista ${i}` } }] });
      await handle.executeUpdate(recordOutcome, { args: [{ type: 'no_answer' }] });
    }
    const after = await eventsOf(handle.workflowId);
    expect(count(after, EventType.EVENT_TYPE_TIMER_CANCELED)).toBe(count(before, EventType.EVENT_TYPE_TIMER_CANCELED));
    expect(slotsPlanned(after)).toBe(slotsPlanned(before));
    // A change of plan still wakes it: a pause cancels the wait for the email.
    await handle.executeUpdate(runCommand, { args: [{ type: 'pause' }] });
    await travelTo(env, '2027-03-02T20:05:00.000Z');
    expect(count(await eventsOf(handle.workflowId), EventType.EVENT_TYPE_TIMER_CANCELED)).toBeGreaterThan(count(before, EventType.EVENT_TYPE_TIMER_CANCELED));
  });
});

test('a week waiting for capacity adds a handful of events, not a poll every few minutes', async () => {
  await travelTo(env, createdAt);
  const { activities } = recordingActivities({ assign: () => null });
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-08T15:00:00.000Z');
  });
  const events = await eventsOf(handle.workflowId);
  const routingTries = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assignLead').length;
  // Enrolment's try and one a day.
  expect(routingTries).toBeLessThanOrEqual(8);
  expect(events.length).toBeLessThan(400);
});

test('an active lead that goes quiet starts a fresh history at the boundary, and carries its state over', async () => {
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  const firstRunId = (await handle.describe()).runId;
  await worker.runUntil(async () => {
    // The cadence ends with no answer and the lead enters nurturing, a month before its first value touch.
    await travelTo(env, '2027-03-20T15:00:00.000Z');
    const state = await handle.query(getLeadState);
    expect(state.stage).toBe('nurturing');
    expect(state.touches.filter((t) => t.kind === 'cadence')).toHaveLength(5);
  });
  const first = await eventsOf(handle.workflowId, firstRunId);
  expect(first[first.length - 1]?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  const current = await handle.describe();
  expect(current.runId).not.toBe(firstRunId);
  expect((await eventsOf(handle.workflowId)).length).toBeLessThan(40);
  // Nothing was sent twice across the boundary.
  const keys = effects.filter((e) => e.kind === 'email').map((e) => e.key);
  expect(new Set(keys).size).toBe(keys.length);
});
