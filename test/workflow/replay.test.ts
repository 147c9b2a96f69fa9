import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { bundleLeadWorkflows } from '../../workers/lead-worker';

/**
 * Leads live for months: every stored history must still replay with today's workflow code, both of
 * finished runs and of runs still waiting (`waiting-*`: what a deploy meets in production, since their
 * next workflow task replays it all). A change that breaks this needs `patched()` (and then new recordings).
 */
const dir = join(__dirname, '..', 'histories');
// One folder per release whose waiting shapes were recorded (`--into`), besides the first set at the top.
const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.history.bin')).sort();
const read = (file: string) => temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
const EventType = temporal.api.enums.v1.EventType;

test('the stored histories cover a whole no-response life and a won lead', () => {
  expect(files.filter((f) => f.startsWith('no-response.')).length).toBeGreaterThanOrEqual(7);
  expect(files.some((f) => f.startsWith('reply-proposal-enrolled.'))).toBe(true);
});

// Recorded by test/workflow/record-waiting-shapes.ts (`npm run histories:record-waiting`).
test('the stored histories include a lead still waiting in every shape', () => {
  expect(files).toContain('waiting-welcome-slot.run-1.history.bin');
  expect(files).toContain('waiting-call-task-due.run-1.history.bin');
  expect(files).toContain('waiting-before-email.run-1.history.bin');
  expect(files).toContain('waiting-before-call.run-1.history.bin');
  expect(files).toContain('waiting-paused-until.run-1.history.bin');
  expect(files).toContain('waiting-paused-indefinitely.run-1.history.bin');
  expect(files).toContain('waiting-stalled-after-reactivation.run-1.history.bin');
  expect(files).toContain('waiting-stalled-escalated.run-1.history.bin');
  expect(files).toContain('waiting-capacity-queue.run-1.history.bin');
  // Nurturing continues as new after each value touch: the open run is a later one.
  expect(files).toContain('waiting-nurturing.run-2.history.bin');
  expect(files).toContain('waiting-archived.run-1.history.bin');
  expect(files).toContain('waiting-update-rejected.run-1.history.bin');
  expect(files).toContain('waiting-contact-problem.run-1.history.bin');
  expect(files).toContain('waiting-email-bounced.run-1.history.bin');
  expect(files).toContain('waiting-reassigned-and-updated.run-1.history.bin');
});

/** The events that end a run, and those of workflow tasks. */
const CLOSING = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);
const WORKFLOW_TASK = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

test('each waiting lead was stored open, at rest after a completed workflow task', () => {
  const latestRuns = new Map<string, string>();
  for (const f of files.filter((f) => basename(f).startsWith('waiting-'))) latestRuns.set(f.slice(0, f.indexOf('.run-')), f);
  // A closed run would replay as a finished one; one stored mid-task would not show the waiting shape.
  const notAtRest = [...latestRuns.values()].filter((file) => {
    const types = (read(file).events ?? []).map((e) => e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED);
    return types.some((t) => CLOSING.has(t)) || types.filter((t) => WORKFLOW_TASK.has(t)).pop() !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  });
  expect(notAtRest).toEqual([]);
});

test('every stored history replays without nondeterminism', async () => {
  const workflowBundle = await bundleLeadWorkflows();
  const histories = files.map((file) => ({ workflowId: file, history: read(file) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 120_000);
