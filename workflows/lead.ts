import { allHandlersFinished, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import * as life from '../domain/lead-life';
import type { LeadState } from '../domain/lead-state';
import { followUpKey } from '../domain/ids';
import { ACTIVE_STAGES, isTerminal } from '../domain/lifecycle';
import type { LeadWorkflowInput } from '../domain/workflow-input';
import { leadActions } from './lead-actions';
import { leadContext } from './lead-context';
import { handleLeadMessages } from './lead-handlers';
import { followInLedgerAndZoho } from './lead-sync';
import { initialState, publish } from './state';

/**
 * One lead's whole follow-up, from enrolment to enrolled, lost, opted out, or years of quiet archive.
 * The domain decides (`lifecycle.ts` for messages, `lead-life.ts` for timers and activity answers);
 * this loop runs activities and waits. Its async shape (which coroutines exist, where they await) is
 * part of the replayed history: change it only behind `patched()`.
 */
export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  const state: LeadState = input.carried ?? initialState(input, workflowInfo().workflowId);
  const ctx = leadContext(state);
  const { outbox, hints, now, still, run, apply, waitUntil, waitForChange, planSlot, survive } = ctx;
  handleLeadMessages(ctx);
  followInLedgerAndZoho(ctx);

  const { escalate, sendEmail, createTask } = leadActions(ctx, input.publicUrl);

  // ---- enrolment, owner and SLA ----------------------------------------------------------------
  async function enrol(): Promise<void> {
    apply(life.enrolled(state));
    try {
      const { zohoLeadId } = await run('syncLeadToZoho', 'Zoho: crear o actualizar el lead', { lead: state.lead, stage: 'contacting' });
      state.zohoLeadId = zohoLeadId;
    } catch (err) {
      // A CRM that refuses the record must not stop the follow-up: touches still reach the queue.
      await survive(err, { callSite: 'syncLeadToZoho', integration: 'zoho', events: (error) => life.crmSyncFailed(error, now()) });
    }
    apply(() => life.contactingStarted(state, now()));
    void watchFirstContactSla();
    // Routing came after leads were already in flight: older histories replay without it. The first
    // try is awaited, so that even the welcome email carries the owner's Reply-To.
    if (!state.owner && patched('routing') && !(await tryToAssign())) void waitForCapacity();
  }

  /** An executive by the routing rules and caps; false when everyone eligible is at their cap. */
  async function tryToAssign(): Promise<boolean> {
    let decision;
    try {
      decision = await run('assignLead', 'Asignar una ejecutiva (reglas y topes)', { lead: state.lead });
    } catch (err) {
      await survive(err, { callSite: 'assignLead', integration: 'routing' });
      return false;
    }
    const { owner, pool, newlyQueued } = decision;
    // Assigned by hand, or closed, while routing was deciding.
    if (!life.needsOwner(state)) return true;
    if (owner) {
      apply(() => life.assigned(state, { owner, pool }, now()));
      publish(state);
      return true;
    }
    if (newlyQueued) {
      apply(life.queued(pool, now()));
      try {
        await escalate('unassigned', `${followUpKey(state)}:unassigned:${state.cadenceRun}`, 'Avisar a la dirección: nadie tiene capacidad');
      } catch (err) {
        await survive(err, { callSite: 'escalate:unassigned', integration: 'escalation' });
      }
    }
    return false;
  }

  /**
   * Everyone eligible is full: the lead waits in the queue (its cadence goes on) until the activity
   * that frees a slot signals it, with a daily try as the backstop for a lost signal. Leads queued
   * before that polled with a growing pause, and still do.
   */
  async function waitForCapacity(): Promise<void> {
    const bySignal = patched('capacity-by-signal');
    let pause = bySignal ? life.CAPACITY_BACKSTOP_DAYS * state.policy.dayMs : life.capacityRetryMs(state);
    while (life.needsOwner(state)) {
      const seen = hints.capacity;
      await waitUntil(new Date(now().getTime() + pause).toISOString(), 'Esperando capacidad: todas las ejecutivas del grupo están en su tope',
        () => life.needsOwner(state) && hints.capacity === seen);
      if (!life.needsOwner(state) || (await tryToAssign())) return;
      if (!bySignal) pause = life.capacityRetryMs(state, pause);
    }
  }

  async function watchFirstContactSla(): Promise<void> {
    while (!life.firstContactSettled(state)) {
      if (await waitUntil(state.sla.dueAt, 'Plazo de primer contacto (SLA)', () => !life.firstContactSettled(state))) break;
    }
    if (life.firstContactSettled(state)) return;
    apply(() => life.slaMissed(state, now()));
    publish(state);
    try {
      await escalate('sla_missed', `${followUpKey(state)}:sla:${state.cadenceRun}`, 'Escalar: SLA de primer contacto incumplido');
    } catch (err) {
      await survive(err, { callSite: 'escalate:sla_missed', integration: 'escalation' });
    }
  }

  // ---- the plan's steps ------------------------------------------------------------------------
  async function waitWhilePaused(until: string | null): Promise<void> {
    if (until && (await waitUntil(until, 'En pausa hasta la fecha indicada', () => state.paused?.until === until))) apply(() => life.pauseEnded(state, now()));
    else if (!until) await waitForChange();
  }

  /** A touch at the first allowed slot: the welcome, a cadence touch or a nurturing touch. False when a change came first. */
  async function touchAtSlot(plan: Extract<life.Plan, { notBefore: string }>, summary: string): Promise<boolean> {
    const slot = await planSlot(plan.notBefore, plan);
    if (!still(plan.kind === 'nurture' ? ['nurturing'] : ACTIVE_STAGES)) return false;
    life.nextStepFor(state, plan, slot.at);
    publish(state);
    if (!(await waitUntil(slot.at, `Esperando hasta ${slot.label}`, () => life.samePlan(life.nextPlan(state, now()), plan)))) return false;
    if (plan.kind === 'touch') apply(() => life.markMissed(state, now()));
    // A step the lead cannot receive (no phone, no profile) becomes the email its cadence names instead.
    const touch = life.touchFor(state, plan, slot, { replace: life.isReplaced(state, plan) && patched('channel-instead') });
    if (touch.channel === 'email') await sendEmail(touch, summary);
    else await createTask(touch, summary);
    return true;
  }

  async function waitForAnswer({ until, touches }: { until: string; touches: number }): Promise<void> {
    state.nextStep = { action: 'Esperar respuesta al último toque', dueAt: until };
    publish(state);
    if (await waitUntil(until, 'Esperando respuesta al último toque', () => life.nextPlan(state, now()).kind === 'grace')) apply(() => life.cadenceExhausted(state, touches, now()));
  }

  /** A conversation without progress: one reactivation touch, then an escalation to the closer. */
  async function watchStall(stage: life.TalkingStage): Promise<void> {
    if (!state.stall) {
      const at = life.stalledAt(state, stage);
      if (!(await waitUntil(at, `Sin avance en "${stage}" hasta ${at.slice(0, 16)}`, () => still([stage]) && life.stalledAt(state, stage) === at))) return;
      // The timer and a message can land in the same step: the message wins.
      if (!still([stage])) return;
      apply(() => life.stalled(state, stage, now()));
    }
    if (!state.stall!.reactivationSent) {
      const slot = await planSlot(now().toISOString(), { kind: 'stall', stage });
      if (!still([stage]) || !(await waitUntil(slot.at, `Esperando hasta ${slot.label}`, () => still([stage]) && state.stall?.reactivationSent === false))) return;
      await sendEmail(life.touchFor(state, { kind: 'stall', stage }, slot), 'Toque de reactivación');
      if (!state.stall || !still([stage])) return;
      apply(() => life.reactivationSent(state, stage, now()));
      return publish(state);
    }
    if (!state.stall!.escalated) {
      if (!(await waitUntil(life.stallEscalationAt(state, stage), 'Esperando respuesta a la reactivación', () => still([stage]) && state.stall?.escalated === false))) return;
      // An outcome that arrived with the timer may have ended the stall already.
      if (!state.stall || !still([stage])) return;
      const since = state.stall.since;
      apply(() => life.stallEscalated(state, stage, now()));
      try {
        await escalate('stalled', `${followUpKey(state)}:stall:${since}`, 'Escalar: lead estancado');
      } catch (err) {
        await survive(err, { callSite: 'escalate:stalled', integration: 'escalation' });
      }
      await createTask(life.escalationTouch(state, since, now()), 'Tarea urgente para el vendedor de cierre', true);
      if (!still([stage])) return;
      apply(() => life.escalationHandedOver(state, now()));
      return publish(state);
    }
    await waitForChange();
  }

  /** Leads for whom the first contact or an owner is still pending keep watching in the next run. */
  function resumeWatchers(): void {
    if (state.sla.status === 'pending' && !life.firstContactSettled(state)) void watchFirstContactSla();
    if (life.needsOwner(state)) void waitForCapacity();
  }

  /** A fresh history for the same lead: the ledger and Zoho catch up first, then the state carries over. */
  async function rollOver(): Promise<never> {
    await condition(() => outbox.length === 0 && allHandlersFinished());
    publish(state);
    return continueAsNew<typeof leadWorkflow>({ ...input, carried: state });
  }

  // ---- the lead's life ------------------------------------------------------------------------
  const stageAtRunStart = state.stage;
  if (!input.carried) await enrol();
  else if (patched('bounded-histories')) resumeWatchers();
  publish(state);
  while (!isTerminal(state.stage)) {
    const plan = life.nextPlan(state, now());
    if (plan.kind !== 'paused' && !ACTIVE_STAGES.includes(state.stage)) apply(() => life.markMissed(state, now()));
    switch (plan.kind) {
      case 'paused': await waitWhilePaused(plan.until); break;
      case 'blocked': case 'idle': await waitForChange(); break;
      case 'welcome': await touchAtSlot(plan, 'Correo de bienvenida'); break;
      case 'touch': await touchAtSlot(plan, plan.label); break;
      case 'grace': await waitForAnswer(plan); break;
      case 'stall': await watchStall(plan.stage); break;
      case 'archive': apply(() => life.dormant(state, 'archived', now())); break;
      case 'nurture':
        if (!(await touchAtSlot(plan, 'Toque de nurturing'))) break;
        state.nurturingTouchesSent += 1;
        // A month between touches: a fresh history each time keeps years of nurturing cheap.
        if (state.stage === 'nurturing') await rollOver();
    }
    publish(state);
    if (isTerminal(state.stage)) break;
    const { continueAsNewSuggested: suggested, historyLength } = workflowInfo();
    if (life.rollOverDue({ suggested, historyLength, stageAtRunStart, stage: state.stage }) && patched('bounded-histories')) await rollOver();
  }
  // Let the ledger and Zoho catch up with the end before the workflow closes.
  await condition(() => outbox.length === 0 && allHandlersFinished());
  log.info('Lead closed', { leadId: state.leadId, stage: state.stage });
  return state;
}
