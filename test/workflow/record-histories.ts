/**
 * Records the histories that the replay test replays (`npm run histories:record`). Run it when a
 * workflow change is deliberate and released behind `patched()`; never to make a failing replay pass.
 * Also prints how many history events each run took (the cost of a lead's life in Temporal).
 * `--into=<release>` stores them in a folder of their own (`test/histories/<release>/`), beside the
 * lives recorded by earlier code, which stay in the replay set.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { getLeadState, recordOutcome } from '../../domain/messages';
import { bundleLeadWorkflows } from '../../workers/lead-worker';
import { runsOf, timeSkippingEnv } from '../support/temporal';
import { leadAt, recordingActivities, startLead, travelTo } from './harness';

const into = process.argv.find((a) => a.startsWith('--into='))?.slice('--into='.length);
const dir = join(__dirname, '..', 'histories', ...(into ? [into] : []));

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const bundle = await bundleLeadWorkflows();

  async function scenario(name: string, play: (ctx: Awaited<ReturnType<typeof setUp>>) => Promise<void>) {
    const ctx = await setUp();
    await ctx.worker.runUntil(() => play(ctx));
    const histories = await runsOf(ctx.env, ctx.handle.workflowId);
    for (const [i, history] of histories.entries()) {
      // Protobuf binary, exactly as the server sent it.
      writeFileSync(join(dir, `${name}.run-${i + 1}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
      process.stdout.write(`${name} run ${i + 1}: ${history.events?.length} history events\n`);
    }
    await ctx.env.teardown();
  }

  async function setUp() {
    const env = await timeSkippingEnv();
    const createdAt = '2027-03-01T15:00:00.000Z';
    await travelTo(env, createdAt);
    const { activities } = recordingActivities();
    const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt, { email: 'replay.lead@example.co' }), activities });
    return { env, worker, handle };
  }

  // The full no-response life: cadence, six months of nurturing (one run per value touch), archived.
  await scenario('no-response', async ({ env, handle }) => {
    await travelTo(env, '2027-10-01T00:00:00.000Z');
    const state = await env.client.workflow.getHandle(handle.workflowId).query(getLeadState);
    if (state.stage !== 'archived') throw new Error(`expected archived, got ${state.stage}`);
  });
  // A reply mid-cadence, a proposal that stalls into reactivation and escalation, then enrolment.
  await scenario('reply-proposal-enrolled', async ({ env, handle }) => {
    await travelTo(env, '2027-03-04T17:00:00.000Z');
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'replied' }] });
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'proposal_sent' }] });
    await travelTo(env, '2027-03-20T00:00:00.000Z');
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'handed_to_closer' }] });
    await handle.executeUpdate(recordOutcome, { args: [{ type: 'enrolled' }] });
    await handle.result();
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
