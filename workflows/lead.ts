import { ActivityFailure, allHandlersFinished, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { touchScript } from '../domain/call-script';
import * as life from '../domain/lead-life';
import type { LeadState, Touch } from '../domain/lead-state';
import { ACTIVE_STAGES, isTerminal } from '../domain/lifecycle';
import type { LeadWorkflowInput } from '../domain/workflow-input';
import { failureMessage } from './activity-proxies';
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
  const { outbox, now, still, run, apply, waitUntil, waitForChange, planSlot } = ctx;
  handleLeadMessages(ctx);
  followInLedgerAndZoho(ctx);

  const escalate = (kind: Parameters<Activities['escalate']>[0]['kind'], key: string, summary: string) =>
    run('escalate', summary, { lead: state.lead, workflowId: state.workflowId, kind, stage: state.stage, owner: kind === 'unassigned' ? null : state.owner, key, publicUrl: input.publicUrl });

  async function sendEmail(touch: Touch, summary: string): Promise<void> {
    state.touches.push(touch);
    try {
      // SMTP answers in seconds; a worker that died mid-send is noticed after 30 s and the send retried.
      const { messageId } = await run('sendTouchEmail', summary, { lead: state.lead, owner: state.owner, touchKey: touch.key, template: touch.template as Parameters<Activities['sendTouchEmail']>[0]['template'] }, '30 seconds');
      apply(life.emailSent(state, touch, messageId, now()));
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      apply(life.emailFailed(state, touch, failureMessage(err), now()));
    }
  }

  async function createTask(touch: Touch, summary: string, highPriority = false): Promise<void> {
    state.touches.push(touch);
    const { lead, zohoLeadId } = state;
    const { taskId } = await run('createTouchTask', summary, {
      lead, zohoLeadId, touchKey: touch.key, channel: touch.channel, dueAt: touch.dueAt, subject: life.taskSubject(state, touch),
      script: touchScript({ lead, channel: touch.channel, template: touch.template }), highPriority,
    });
    apply(life.taskCreated(touch, taskId, now()));
  }

  // ---- enrolment, owner and SLA ----------------------------------------------------------------
  async function enrol(): Promise<void> {
    apply(life.enrolled(state));
    try {
      const { zohoLeadId } = await run('syncLeadToZoho', 'Zoho: crear o actualizar el lead', { lead: state.lead, stage: 'contacting' });
      state.zohoLeadId = zohoLeadId;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // A CRM that refuses the record must not stop the follow-up: touches still reach the queue.
      apply(life.crmSyncFailed(failureMessage(err), now()));
    }
    apply(() => life.contactingStarted(state, now()));
    void watchFirstContactSla();
    // Routing came after leads were already in flight: older histories replay without it. The first
    // try is awaited, so that even the welcome email carries the owner's Reply-To.
    if (!state.owner && patched('routing') && !(await tryToAssign())) void waitForCapacity();
  }

  /** An executive by the routing rules and caps; false when everyone eligible is at their cap. */
  async function tryToAssign(): Promise<boolean> {
    const { owner, pool, newlyQueued } = await run('assignLead', 'Asignar una ejecutiva (reglas y topes)', { lead: state.lead });
    // Assigned by hand, or closed, while routing was deciding.
    if (!life.needsOwner(state)) return true;
    if (owner) {
      apply(() => life.assigned(state, { owner, pool }, now()));
      publish(state);
      return true;
    }
    if (newlyQueued) {
      apply(life.queued(pool, now()));
      await escalate('unassigned', `${state.leadId}:unassigned:${state.cadenceRun}`, 'Avisar a la dirección: nadie tiene capacidad');
    }
    return false;
  }

  /** Everyone eligible is full: the lead waits in the queue (its cadence goes on), trying again after a growing pause. */
  async function waitForCapacity(): Promise<void> {
    let pause = life.capacityRetryMs(state);
    while (life.needsOwner(state)) {
      await waitUntil(new Date(now().getTime() + pause).toISOString(), 'Esperando capacidad: todas las ejecutivas del grupo están en su tope');
      if (!life.needsOwner(state) || (await tryToAssign())) return;
      pause = life.capacityRetryMs(state, pause);
    }
  }

  async function watchFirstContactSla(): Promise<void> {
    while (!life.firstContactSettled(state)) {
      if (await waitUntil(state.sla.dueAt, 'Plazo de primer contacto (SLA)')) break;
    }
    if (life.firstContactSettled(state)) return;
    apply(() => life.slaMissed(state, now()));
    publish(state);
    await escalate('sla_missed', `${state.leadId}:sla:${state.cadenceRun}`, 'Escalar: SLA de primer contacto incumplido');
  }

  // ---- the plan's steps ------------------------------------------------------------------------
  async function waitWhilePaused(until: string | null): Promise<void> {
    if (until && (await waitUntil(until, 'En pausa hasta la fecha indicada'))) apply(() => life.pauseEnded(state, now()));
    else if (!until) await waitForChange();
  }

  /** A touch at the first allowed slot: the welcome, a cadence touch or a nurturing touch. False when a change came first. */
  async function touchAtSlot(plan: Extract<life.Plan, { notBefore: string }>, summary: string): Promise<boolean> {
    const slot = await planSlot(plan.notBefore);
    if (!still(plan.kind === 'nurture' ? ['nurturing'] : ACTIVE_STAGES)) return false;
    life.nextStepFor(state, plan, slot.at);
    publish(state);
    if (!(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return false;
    if (plan.kind === 'touch') apply(() => life.markMissed(state, now()));
    const touch = life.touchFor(state, plan, slot);
    if (touch.channel === 'email') await sendEmail(touch, summary);
    else await createTask(touch, summary);
    return true;
  }

  async function waitForAnswer({ until, touches }: { until: string; touches: number }): Promise<void> {
    state.nextStep = { action: 'Esperar respuesta al último toque', dueAt: until };
    publish(state);
    if (await waitUntil(until, 'Esperando respuesta al último toque')) apply(() => life.cadenceExhausted(state, touches, now()));
  }

  /** A conversation without progress: one reactivation touch, then an escalation to the closer. */
  async function watchStall(stage: life.TalkingStage): Promise<void> {
    if (!state.stall) {
      const at = life.stalledAt(state, stage);
      if (!(await waitUntil(at, `Sin avance en "${stage}" hasta ${at.slice(0, 16)}`))) return;
      // The timer and a message can land in the same step: the message wins.
      if (!still([stage])) return;
      apply(() => life.stalled(state, stage, now()));
    }
    if (!state.stall!.reactivationSent) {
      const slot = await planSlot(now().toISOString());
      if (!still([stage]) || !(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return;
      await sendEmail(life.touchFor(state, { kind: 'stall', stage }, slot), 'Toque de reactivación');
      if (!state.stall || !still([stage])) return;
      apply(() => life.reactivationSent(state, stage, now()));
      return publish(state);
    }
    if (!state.stall!.escalated) {
      if (!(await waitUntil(life.stallEscalationAt(state, stage), 'Esperando respuesta a la reactivación'))) return;
      // An outcome that arrived with the timer may have ended the stall already.
      if (!state.stall || !still([stage])) return;
      const since = state.stall.since;
      apply(() => life.stallEscalated(state, stage, now()));
      await escalate('stalled', `${state.leadId}:stall:${since}`, 'Escalar: lead estancado');
      await createTask(life.escalationTouch(state, since, now()), 'Tarea urgente para el vendedor de cierre', true);
      if (!still([stage])) return;
      apply(() => life.escalationHandedOver(state, now()));
      return publish(state);
    }
    await waitForChange();
  }

  // ---- the lead's life ------------------------------------------------------------------------
  if (!input.carried) await enrol();
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
        if (state.stage !== 'nurturing') break;
        await condition(() => outbox.length === 0 && allHandlersFinished());
        publish(state);
        await continueAsNew<typeof leadWorkflow>({ ...input, carried: state });
    }
    publish(state);
  }
  // Let the ledger and Zoho catch up with the end before the workflow closes.
  await condition(() => outbox.length === 0 && allHandlersFinished());
  log.info('Lead closed', { leadId: state.leadId, stage: state.stage });
  return state;
}
