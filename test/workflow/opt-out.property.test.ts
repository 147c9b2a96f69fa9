import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import fc from 'fast-check';
import type { LeadState } from '../../domain/lead-state';
import { getLeadState, recordOutcome, runCommand } from '../../domain/messages';
import type { Command, Outcome } from '../../domain/outcomes';
import { bundleLeadWorkflows } from '../../workers/lead-worker';
import { timeSkippingEnv } from '../support/temporal';
import { leadAt, recordingActivities, startLead } from './harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnv(), bundleLeadWorkflows()]);
});
afterAll(() => env?.teardown());

const HOUR = 3_600_000;

type Step = { waitHours: number; message: { outcome: Outcome } | { command: Command } };

const messageArb: fc.Arbitrary<Step['message']> = fc.oneof(
  fc.constantFrom<Outcome['type']>('no_answer', 'contacted', 'replied', 'interested', 'proposal_requested', 'proposal_sent', 'handed_to_closer', 'wrong_contact')
    .map((type) => ({ outcome: { type } })),
  fc.integer({ min: 2, max: 200 }).map((h) => ({ outcome: { type: 'call_back_later' as const, callBackAt: new Date(Date.parse('2030-01-01') + h * HOUR).toISOString() } })),
  fc.constantFrom<Command>({ type: 'pause' }, { type: 'resume' }, { type: 'update_lead', changes: { phone: '+57 310 000 0000' } }, { type: 'reassign', owner: 'ana.perez' })
    .map((command) => ({ command })),
);

function assertHasNextStep(state: LeadState): void {
  if (['enrolled', 'lost', 'opted_out'].includes(state.stage)) return;
  expect(state.nextStep).not.toBeNull();
  expect(Number.isNaN(Date.parse(state.nextStep!.dueAt))).toBe(false);
}

test('opt-out at any moment, after any sequence of outcomes: zero touches after it, and every open state has a next step', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ waitHours: fc.integer({ min: 0, max: 24 * 12 }), message: messageArb }), { maxLength: 5 }),
      fc.integer({ min: 0, max: 24 * 60 }),
      async (steps: Step[], optOutAfterHours: number) => {
        const createdAt = new Date(await env.currentTimeMs()).toISOString();
        const { activities, effects } = recordingActivities();
        const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
        await worker.runUntil(async () => {
          for (const step of steps) {
            await env.sleep(step.waitHours * HOUR);
            assertHasNextStep(await handle.query(getLeadState));
            try {
              const state = 'outcome' in step.message
                ? await handle.executeUpdate(recordOutcome, { args: [step.message.outcome] })
                : await handle.executeUpdate(runCommand, { args: [step.message.command] });
              assertHasNextStep(state);
            } catch (err) {
              // A message that makes no sense in the lead's stage is refused; the lead is unchanged.
              if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            }
          }
          await env.sleep(optOutAfterHours * HOUR);
          const optedOutAt = await env.currentTimeMs();
          const final = await handle.executeUpdate(recordOutcome, { args: [{ type: 'opted_out' }] });
          expect(final).toMatchObject({ stage: 'opted_out', nextStep: null });
          // The workflow closes at once: once closed, nothing can ever schedule another touch.
          expect((await handle.result()).stage).toBe('opted_out');
          expect(effects.filter((e) => (e.kind === 'email' || e.kind === 'task' || e.kind === 'escalation') && e.at > optedOutAt)).toEqual([]);
        });
        const { status } = await handle.describe();
        expect(status.name).toBe('COMPLETED');
      },
    ),
    { numRuns: 15 },
  );
}, 240_000);
