import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { bundleLeadWorkflows } from '../../workers/lead-worker';

/**
 * Leads live for months: every stored history of a finished run must still replay with today's
 * workflow code. A change that breaks this needs `patched()` (and then new recordings).
 */
const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.history.bin')).sort();

test('the stored histories cover a whole no-response life and a won lead', () => {
  expect(files.filter((f) => f.startsWith('no-response.')).length).toBeGreaterThanOrEqual(7);
  expect(files.some((f) => f.startsWith('reply-proposal-enrolled.'))).toBe(true);
});

test('every stored history replays without nondeterminism', async () => {
  const workflowBundle = await bundleLeadWorkflows();
  const histories = files.map((file) => ({ workflowId: file, history: temporal.api.history.v1.History.decode(readFileSync(join(dir, file))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 120_000);
