import { allHandlersFinished, condition, continueAsNew, defineSignal, setHandler } from '@temporalio/workflow';
import type { LeadState } from '../../domain/lead-state';
import { getLeadState, recordOutcome } from '../../domain/messages';

/** Rolls the stand-in over to a fresh run whenever a test asks, as the real lead does in nurturing. */
export const rollOver = defineSignal('rollOver');

/**
 * A stand-in for the lead's workflow that continues-as-new on demand, under the same messages: for
 * the test that an idempotency key still holds after the lead's workflow moved to a new run.
 */
export async function leadWorkflow(state: LeadState): Promise<LeadState> {
  let rolling = false;
  setHandler(getLeadState, () => state);
  setHandler(recordOutcome, (outcome) => {
    state.outcomes.push({ type: outcome.type, note: outcome.note, at: new Date().toISOString(), stageBefore: state.stage, stageAfter: state.stage });
    state.counts.outcomes += 1;
    state.revision += 1;
    return state;
  });
  setHandler(rollOver, () => void (rolling = true));
  await condition(() => rolling);
  await condition(allHandlersFinished);
  return continueAsNew<typeof leadWorkflow>(state);
}
