import { CancellationScope, condition, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import * as life from '../domain/lead-life';
import type { LeadState } from '../domain/lead-state';
import type { LifecycleEvent } from '../domain/lifecycle';
import { ACTIVITY_OPTIONS, acts } from './activity-proxies';

export type LeadContext = ReturnType<typeof leadContext>;

/**
 * What every part of a lead's workflow shares: its state, the outbox of ledger events, and the three
 * ways it touches the world — apply a change, run an activity, wait.
 */
export function leadContext(state: LeadState) {
  const outbox: LifecycleEvent[] = [];
  const now = () => new Date();
  const still = (stages: readonly LeadState['stage'][]) => life.isStill(state, stages);

  /** Every activity call: the standard options and a summary the Temporal UI shows. */
  const run = <K extends keyof Activities>(name: K, summary: string, arg: Parameters<Activities[K]>[0], timeout?: string) =>
    (acts[name] as unknown as { executeWithOptions(o: object, a: unknown[]): ReturnType<Activities[K]> })
      .executeWithOptions({ ...ACTIVITY_OPTIONS, ...(timeout && { startToCloseTimeout: timeout }), summary }, [arg]);

  /**
   * The one place the state changes: the events go to the ledger, and the waits re-plan when a
   * message arrived (`wake`) or the change moved something they wait on (stage, owner, pause, SLA).
   */
  function apply(events: LifecycleEvent[] | (() => LifecycleEvent[]), wake = false): void {
    const before = life.planKey(state);
    outbox.push(...(typeof events === 'function' ? events() : events));
    if (wake || life.planKey(state) !== before) state.revision += 1;
  }

  /** Sleeps until `at` (the summary shows in the Temporal UI), waking early on a change; true when the time came. */
  async function waitUntil(at: string, summary: string): Promise<boolean> {
    const ms = Date.parse(at) - now().getTime();
    if (ms <= 0) return true;
    const revision = state.revision;
    let elapsed = false;
    const scope = new CancellationScope();
    const timer = scope.run(() => sleep(ms, { summary })).then(() => (elapsed = true), () => undefined);
    await condition(() => elapsed || state.revision !== revision);
    if (!elapsed) scope.cancel();
    await timer;
    return elapsed;
  }

  async function waitForChange(): Promise<void> {
    const revision = state.revision;
    await condition(() => state.revision !== revision);
  }

  async function planSlot(notBefore: string) {
    return acts.planTouchSlot.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Calcular el próximo horario permitido' }, [life.slotRequest(state, notBefore, now())]);
  }

  return { state, outbox, now, still, run, apply, waitUntil, waitForChange, planSlot };
}
