/**
 * History events and billable Temporal Cloud Actions per lead, for three lives played on the real
 * time-skipping test server (months in seconds) with the workflow tests' recording activities:
 * (a) no response: the cadence, six months of nurturing (a run each), archived;
 * (b) a reply, a proposal that stalls, the closer, enrolled;
 * (c) a week waiting for capacity: every executive at their cap, the cadence going on meanwhile.
 * Every run of each chain is fetched (following continue-as-new back from the latest) and counted.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { getLeadState, recordOutcome } from '../domain/messages';
import { defaultPolicy } from '../domain/policy';
import { runsOf, timeSkippingEnv } from '../test/support/temporal';
import { leadAt, recordingActivities, startLead, travelTo } from '../test/workflow/harness';
import { HEARTBEATING } from '../workflows/activity-proxies';
import { bundleLeadWorkflows } from '../workers/lead-worker';
import { breakdown, runCost, sumCosts, type RunCost } from './billable';
import { atMost, type Row } from './report';

const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

/** Temporal Cloud's entry price per million Actions, as issue 16 quotes it. */
const DOLLARS_PER_MILLION_ACTIONS = 50;
/** Goals from issue 16 (a lean history). */
export const HISTORY_GOALS = { firstRunEvents: 80, firstRunActions: 30, nurturingMonthEvents: 15 } as const;

// 2027-03-01 is a Monday; 15:00Z is 10:00 in Bogotá, inside business hours (as the recorded histories).
const MONDAY = '2027-03-01T15:00:00.000Z';

export interface Life {
  name: string;
  runs: RunCost[];
  total: RunCost;
  /** The stage the lead was in when counted. */
  stage: string;
}

/** Why the history is not a place to count yet: a workflow task or an activity still in progress. */
function unsettled(history: History): string | null {
  let task: string | null = null;
  const activities = new Set<string>();
  for (const e of history.events ?? []) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) task = 'a workflow task';
    else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) task = null;
    else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activities.add(String(e.eventId));
    else {
      const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
      if (closed) activities.delete(String(closed.scheduledEventId));
    }
  }
  return task ?? (activities.size ? `${activities.size} activities` : null);
}

/** Waits (in real time; the server's clock stays put) until the latest run has nothing in flight. */
async function settle(env: TestWorkflowEnvironment, workflowId: string): Promise<void> {
  let why: string | null = 'not looked at';
  for (let i = 0; i < 100 && why; i++) {
    const handle = env.client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return;
    // A query goes through the worker, so a pending workflow task is completed before it answers.
    await handle.query(getLeadState);
    why = unsettled(await handle.fetchHistory());
    if (why) await delay(100);
  }
  if (why) throw new Error(`${workflowId} never settled: ${why} in flight`);
}


async function live(
  bundle: WorkflowBundle, name: string, hooks: Parameters<typeof recordingActivities>[0],
  play: (ctx: { env: TestWorkflowEnvironment; workflowId: string; travel: (iso: string) => Promise<void> }) => Promise<void>,
): Promise<Life> {
  const env = await timeSkippingEnv();
  try {
    await travelTo(env, MONDAY);
    const { activities } = recordingActivities(hooks);
    const { worker, handle } = await startLead({ env, bundle, lead: leadAt(MONDAY, { email: `bench.${name}@example.co` }), activities });
    const { workflowId } = handle;
    return await worker.runUntil(async () => {
      const travel = async (iso: string) => {
        await settle(env, workflowId);
        await travelTo(env, iso);
        await settle(env, workflowId);
      };
      await settle(env, workflowId);
      await play({ env, workflowId, travel });
      await settle(env, workflowId);
      const runs = (await runsOf(env, workflowId)).map((h) => runCost(h, HEARTBEATING));
      const stage = (await env.client.workflow.getHandle(workflowId).query(getLeadState)).stage;
      const { status } = await env.client.workflow.getHandle(workflowId).describe();
      if (status.name === 'RUNNING') await env.client.workflow.getHandle(workflowId).terminate('counted by the bench');
      return { name, runs, total: sumCosts(runs), stage };
    });
  } finally {
    await env.teardown();
  }
}

export async function measureHistories(say: (m: string) => void): Promise<{ rows: Row[]; lives: Life[] }> {
  say('histories: bundling the lead workflow');
  const bundle = await bundleLeadWorkflows();
  const lives: Life[] = [];

  say('histories: (a) no response through six months of nurturing');
  lives.push(await live(bundle, 'no-response', {}, async ({ travel }) => {
    await travel('2027-10-01T00:00:00.000Z');
  }));
  say('histories: (b) reply → proposal → enrolled');
  lives.push(await live(bundle, 'reply-proposal-enrolled', {}, async ({ env, workflowId, travel }) => {
    const handle = () => env.client.workflow.getHandle(workflowId);
    await travel('2027-03-04T17:00:00.000Z');
    await handle().executeUpdate(recordOutcome, { args: [{ type: 'replied' }] });
    await handle().executeUpdate(recordOutcome, { args: [{ type: 'proposal_sent' }] });
    await travel('2027-03-20T00:00:00.000Z');
    await handle().executeUpdate(recordOutcome, { args: [{ type: 'handed_to_closer' }] });
    await handle().executeUpdate(recordOutcome, { args: [{ type: 'enrolled' }] });
    await handle().result();
  }));
  say('histories: (c) a week waiting for capacity');
  lives.push(await live(bundle, 'capacity-week', { assign: () => null }, async ({ travel }) => {
    // Seven days on, just before the day-8 touch's hour (so no timer is due at the instant we stop).
    await travel('2027-03-08T14:00:00.000Z');
  }));

  return { rows: historyRows(lives), lives };
}

const money = (actions: number) => `$${((actions * DOLLARS_PER_MILLION_ACTIONS) / 1e6).toFixed(5)}`;

export function historyRows(lives: Life[]): Row[] {
  const rows: Row[] = [];
  const [noResponse, enrolled, capacity] = lives;
  if (noResponse) {
    const first = noResponse.runs[0]!;
    // Runs 2…7 are the six nurturing months (a run each); what follows is the archive.
    const months = noResponse.runs.slice(1, 1 + defaultPolicy().nurturing.touches);
    const monthEvents = months.map((r) => r.events);
    const worst = Math.max(...monthEvents);
    rows.push(
      { measure: 'history (a) no response: run 1 (cadence) events', value: String(first.events), goal: `≤ ${HISTORY_GOALS.firstRunEvents}`, verdict: atMost(first.events, HISTORY_GOALS.firstRunEvents), data: { byType: first.byType } },
      {
        measure: 'history (a) no response: run 1 billable actions', value: String(first.billable.total), goal: `≤ ${HISTORY_GOALS.firstRunActions}`,
        verdict: atMost(first.billable.total, HISTORY_GOALS.firstRunActions), data: { billable: first.billable, breakdown: breakdown(first.billable) },
      },
      {
        measure: `history (a) no response: a nurturing month, events (worst of ${months.length} runs)`, value: `${worst} (runs: ${monthEvents.join(', ')})`,
        goal: `≤ ${HISTORY_GOALS.nurturingMonthEvents}`, verdict: atMost(worst, HISTORY_GOALS.nurturingMonthEvents), data: { runs: months.map((r) => ({ events: r.events, billable: r.billable })) },
      },
      {
        measure: 'history (a) no response: whole life', value: `${noResponse.runs.length} runs, ${noResponse.total.events} events, ${noResponse.total.billable.total} actions ≈ ${money(noResponse.total.billable.total)}/lead`,
        goal: 'no goal set', verdict: 'info', data: { stage: noResponse.stage, billable: noResponse.total.billable, breakdown: breakdown(noResponse.total.billable) },
      },
    );
  }
  for (const life of [enrolled, capacity]) {
    if (!life) continue;
    const label = life.name === 'capacity-week' ? '(c) a week waiting for capacity' : '(b) reply → proposal → enrolled';
    rows.push({
      measure: `history ${label}`, value: `${life.runs.length} run${life.runs.length > 1 ? 's' : ''}, ${life.total.events} events, ${life.total.billable.total} actions ≈ ${money(life.total.billable.total)}/lead`,
      goal: 'no goal set', verdict: 'info', data: { stage: life.stage, runs: life.runs.map((r) => ({ events: r.events, billable: r.billable })), breakdown: breakdown(life.total.billable) },
    });
  }
  return rows;
}
