/**
 * What a run's history costs on Temporal Cloud, counted from its events by the documented list of
 * billable Actions: https://docs.temporal.io/cloud/actions ("Temporal Cloud Actions"; source
 * temporalio/documentation docs/evaluate/temporal-cloud/actions.mdx). Per that page:
 * - Workflow started: a client start, a Continue-As-New, a Child Workflow start (each run's
 *   WorkflowExecutionStarted, so the ContinuedAsNew event itself is not counted again).
 * - Timer started, including the SDK's implicit timers (`condition` with a timeout, `sleep`).
 * - Search Attribute upsert requested: one per UpsertSearchAttributes command, however many attributes
 *   it sets; those given at start, and `TemporalChangeVersion` (versioning), are exempt.
 * - Signal sent (received or sent to another workflow); Update received (accepted ones are in the
 *   history; rejected ones are billed too but leave no event: not counted here).
 * - Side Effect / Local Activity: "all RecordMarkers from each Workflow Task" are one Action, so every
 *   workflow task that recorded markers (patch markers included: they are RecordMarker commands) is one.
 * - Activity started or retried: each attempt (the ActivityTaskStarted event carries the last attempt).
 * - Start Child Workflow: two Actions. Workflow Execution Options updated: one.
 * - Activity Heartbeat recorded: only heartbeats that reach the server, which the SDK throttles to 80%
 *   of the heartbeat timeout. Not in the history: estimated as one per attempt of an activity that
 *   heartbeats (its first heartbeat is sent at once; our sends finish well within the 8 s throttle).
 * - Query received by Worker: not in the history and not counted here (every lead page view and API
 *   read of a lead is one).
 */
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

export interface Billable {
  workflowStarted: number;
  timers: number;
  searchAttributeUpserts: number;
  signals: number;
  updates: number;
  /** Workflow tasks that recorded markers (side effects, local activities, patches): one each. */
  markerTasks: number;
  /** Activity attempts (started or retried). */
  activities: number;
  childWorkflows: number;
  optionsUpdated: number;
  /** Estimated: not in the history (see the header). */
  heartbeatsEstimated: number;
  /** Every category above. */
  total: number;
}

export interface RunCost {
  events: number;
  billable: Billable;
  /** Events by type, for seeing where a history's length comes from. */
  byType: Record<string, number>;
}

const VERSIONING_ATTRIBUTE = 'TemporalChangeVersion';

/** Counts one run. `heartbeating`: the activity types that heartbeat while they wait on the outside. */
export function runCost(history: History, heartbeating: ReadonlySet<string>): RunCost {
  const b: Billable = {
    workflowStarted: 0, timers: 0, searchAttributeUpserts: 0, signals: 0, updates: 0, markerTasks: 0, activities: 0, childWorkflows: 0, optionsUpdated: 0,
    heartbeatsEstimated: 0, total: 0,
  };
  const byType: Record<string, number> = {};
  const activityTypeOf = new Map<string, string>();
  const tasksWithMarkers = new Set<string>();
  const events = history.events ?? [];
  for (const e of events) {
    const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    byType[name] = (byType[name] ?? 0) + 1;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        b.workflowStarted += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        b.timers += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.some((k) => k !== VERSIONING_ATTRIBUTE)) b.searchAttributeUpserts += 1;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        b.signals += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        b.updates += 1;
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        tasksWithMarkers.add(String(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? e.eventId));
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activityTypeOf.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attempts = Math.max(1, e.activityTaskStartedEventAttributes?.attempt ?? 1);
        b.activities += attempts;
        if (heartbeating.has(activityTypeOf.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) ?? '')) b.heartbeatsEstimated += attempts;
        break;
      }
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        b.childWorkflows += 2;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        b.optionsUpdated += 1;
        break;
      default:
    }
  }
  b.markerTasks = tasksWithMarkers.size;
  b.total = b.workflowStarted + b.timers + b.searchAttributeUpserts + b.signals + b.updates + b.markerTasks + b.activities + b.childWorkflows
    + b.optionsUpdated + b.heartbeatsEstimated;
  return { events: events.length, billable: b, byType };
}

/** Adds up several runs (a lead's whole chain). */
export function sumCosts(runs: RunCost[]): RunCost {
  const total = runs.reduce<RunCost>((acc, r) => {
    acc.events += r.events;
    for (const [k, v] of Object.entries(r.billable)) (acc.billable as unknown as Record<string, number>)[k] = ((acc.billable as unknown as Record<string, number>)[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.byType)) acc.byType[k] = (acc.byType[k] ?? 0) + v;
    return acc;
  }, { events: 0, billable: {} as Billable, byType: {} });
  return total;
}

/** "12 activities, 8 timers, …": the non-zero categories, largest first. */
export function breakdown(b: Billable): string {
  const labels: [keyof Billable, string][] = [
    ['activities', 'activity attempts'], ['searchAttributeUpserts', 'SA upserts'], ['timers', 'timers'], ['heartbeatsEstimated', 'heartbeats (est.)'],
    ['markerTasks', 'marker tasks'], ['updates', 'updates'], ['signals', 'signals'], ['workflowStarted', 'starts'], ['childWorkflows', 'child'],
    ['optionsUpdated', 'options updated'],
  ];
  return labels.filter(([k]) => b[k] > 0).sort((x, y) => b[y[0]] - b[x[0]]).map(([k, label]) => `${b[k]} ${label}`).join(', ');
}
