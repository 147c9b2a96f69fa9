import { log, patched, setHandler } from '@temporalio/workflow';
import { ACTIVE_STAGES, applyCommand, applyOutcome, applyReturn, rejectCommand, rejectOutcome } from '../domain/lifecycle';
import { capacityFreed, changeCadence, getLeadState, leadReturned, outcomeSignal, recordOutcome, runCommand } from '../domain/messages';
import { commandSchema, outcomeSchema } from '../domain/outcomes';
import type { LeadContext } from './lead-context';

/**
 * Messages change the state at once, through the domain's rules; every one wakes the lead's waits so
 * that what comes next is planned again from the new state.
 */
export function handleLeadMessages({ state, hints, now, apply }: LeadContext): void {
  const invalid = (what: string, issues: { path: PropertyKey[]; message: string }[]) => issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');

  setHandler(getLeadState, () => state);
  setHandler(recordOutcome, (outcome) => (apply(() => applyOutcome(state, outcome, now()), true), state), {
    validator: (outcome) => {
      const parsed = outcomeSchema.safeParse(outcome);
      const why = parsed.success ? rejectOutcome(state, parsed.data, now()) : invalid('outcome', parsed.error.issues);
      if (why) throw new Error(why);
    },
  });
  setHandler(outcomeSignal, (outcome) => {
    const parsed = outcomeSchema.safeParse(outcome);
    const why = parsed.success ? rejectOutcome(state, parsed.data, now()) : 'invalid outcome';
    if (why || !parsed.success) return log.warn('Outcome signal ignored', { leadId: state.leadId, type: (outcome as { type?: string })?.type, why });
    apply(() => applyOutcome(state, parsed.data, now()), true);
  });
  // A return naming a course changes what the lead is followed up for: new behaviour, behind its patch
  // (a signal with a course can reach a run that began before interests were recorded).
  setHandler(leadReturned, (returned) => {
    const taken = returned.course && patched('interest-courses') ? returned : { source: returned.source };
    apply(() => applyReturn(state, taken, now()), true);
  });
  setHandler(runCommand, (command) => (apply(() => applyCommand(state, command, now()), true), state), {
    validator: (command) => {
      const parsed = commandSchema.safeParse(command);
      const why = parsed.success ? rejectCommand(state, parsed.data) : invalid('command', parsed.error.issues);
      if (why) throw new Error(why);
    },
  });
  // Wakes the wait for an owner; a lead that has one has nothing to re-plan.
  setHandler(capacityFreed, () => {
    hints.capacity += 1;
    apply([], !state.owner);
  });
  setHandler(changeCadence, ({ cadence }) => {
    apply([{ type: 'cadence_changed', occurredAt: now().toISOString(), data: { from: `${state.cadence.id}@${state.cadence.version}`, to: `${cadence.id}@${cadence.version}` } }], true);
    state.cadence = cadence;
    return state;
  }, {
    validator: ({ cadence }) => {
      if (!ACTIVE_STAGES.includes(state.stage)) throw new Error('Only a lead whose cadence is running can change cadence');
      if (!cadence?.steps?.length) throw new Error('cadence: must have steps');
    },
  });
}
