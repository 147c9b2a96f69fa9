import { ActivityFailure, CancellationScope, condition, patched, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IntegrationName } from '../domain/effects';
import * as life from '../domain/lead-life';
import type { LeadState } from '../domain/lead-state';
import type { LifecycleEvent } from '../domain/lifecycle';
import { ACTIVITY_OPTIONS, acts, failureMessage, HEARTBEATING } from './activity-proxies';

export type LeadContext = ReturnType<typeof leadContext>;

/**
 * What every part of a lead's workflow shares: its state, the outbox of ledger events, and the three
 * ways it touches the world — apply a change, run an activity, wait.
 */
export function leadContext(state: LeadState) {
  const outbox: LifecycleEvent[] = [];
  const now = () => new Date();
  const still = (stages: readonly LeadState['stage'][]) => life.isStill(state, stages);

  /**
   * Every activity call: the standard options and a summary the Temporal UI shows. Those that act
   * outside heartbeat while they wait, so a worker that died mid-send is noticed in seconds.
   */
  const run = <K extends keyof Activities>(name: K, summary: string, arg: Parameters<Activities[K]>[0], timeout?: string) =>
    (acts[name] as unknown as { executeWithOptions(o: object, a: unknown[]): ReturnType<Activities[K]> })
      .executeWithOptions({
        ...ACTIVITY_OPTIONS, ...(timeout && { startToCloseTimeout: timeout }), ...(HEARTBEATING.has(name) && { heartbeatTimeout: '10 seconds' }), summary,
      }, [arg]);

  /**
   * The one place the state changes: the events go to the ledger, and the waits re-plan when a
   * message arrived (`wake`) or the change moved something they wait on (stage, owner, pause, SLA).
   */
  function apply(events: LifecycleEvent[] | (() => LifecycleEvent[]), wake = false): void {
    const before = life.planKey(state);
    outbox.push(...(typeof events === 'function' ? events() : events));
    if (wake || life.planKey(state) !== before) state.revision += 1;
  }

  /** Hints that capacity freed up (a signal), counted so that a wait for an owner can tell them apart. */
  const hints = { capacity: 0 };

  /**
   * Sleeps until `at` (the summary shows in the Temporal UI); true when the time came. A change wakes
   * it early, to plan again, unless `stillPlanned` says the plan it waits for stands: then the same
   * timer keeps running and the history gains nothing.
   */
  async function waitUntil(at: string, summary: string, stillPlanned?: () => boolean): Promise<boolean> {
    const ms = Date.parse(at) - now().getTime();
    if (ms <= 0) return true;
    const revision = state.revision;
    // Leads in flight re-plan on every change, as they did when their histories were written.
    const steady = stillPlanned !== undefined && patched('steady-plans');
    let elapsed = false;
    const scope = new CancellationScope();
    const timer = scope.run(() => sleep(ms, { summary })).then(() => (elapsed = true), () => undefined);
    await condition(() => elapsed || (state.revision !== revision && !(steady && stillPlanned())));
    if (!elapsed) scope.cancel();
    await timer;
    return elapsed;
  }

  async function waitForChange(): Promise<void> {
    const revision = state.revision;
    await condition(() => state.revision !== revision);
  }

  /** The touch's slot; `plan` names the touch, so an email's slot also books its place in the mailbox's day. */
  async function planSlot(notBefore: string, plan: life.Plan) {
    return acts.planTouchSlot.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Calcular el próximo horario permitido' }, [life.slotRequest(state, notBefore, now(), plan)]);
  }

  /**
   * An integration refused for good (only non-retryable failures get here: Temporal retries the
   * rest): the timeline and the ledger say so, the director hears once a day per kind, and the lead's
   * follow-up goes on. Anything that is not an activity's failure is a bug and fails the task.
   */
  async function survive(err: unknown, { callSite, integration, events }: { callSite: string; integration: IntegrationName; events?: (error: string) => LifecycleEvent[] }): Promise<void> {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = failureMessage(err);
    apply(events ? events(error) : life.integrationFailed(callSite, error, now()));
    // Leads in flight may already have passed a Zoho failure without telling anyone.
    if (!patched('integration-failures-reported')) return;
    try {
      await run('reportIntegrationFailure', `Avisar a la dirección: ${integration} falló (${callSite})`, { leadId: state.leadId, integration, callSite, error, at: now().toISOString() });
    } catch (reportErr) {
      // Even the director's mail failed for good: the ledger already says what happened.
      if (!(reportErr instanceof ActivityFailure)) throw reportErr;
    }
  }

  return { state, outbox, hints, now, still, run, apply, waitUntil, waitForChange, planSlot, survive };
}
