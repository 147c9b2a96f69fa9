import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startTracing } from '../../lib/tracing';
import { bundleLeadWorkflows, tracedWorkerOptions } from '../../workers/lead-worker';

/**
 * Turning tracing on must not change what a workflow does: every stored history (recorded without
 * tracing, as the leads in production were) replays with OpenTelemetry's workflow interceptors in the
 * bundle, as replay.test.ts replays them without. Replay exports no spans: a worker that replays a
 * lead after a restart does not report its past again.
 */
const dir = join(__dirname, '..', 'histories');
const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.history.bin')).sort();
const read = (file: string) => temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));

test('every stored history replays without nondeterminism with tracing on', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ service: 'seguimiento-worker', url: null, spanProcessor: new SimpleSpanProcessor(exporter) });
  try {
    const workflowBundle = await bundleLeadWorkflows({ traced: true });
    const histories = files.map((file) => ({ workflowId: file, history: read(file) }));
    expect(histories.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, ...tracedWorkerOptions(tracing, { bundled: true }) }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  } finally {
    await tracing?.shutdown();
  }
}, 180_000);
