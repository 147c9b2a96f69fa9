import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CadenceStep } from '../domain/cadence';
import { touchScript } from '../domain/call-script';
import { touchKey } from '../domain/ids';
import type { LeadState, Touch } from '../domain/lead-state';
import { leadViewOf } from '../domain/lead-view';
import {
  ACTIVE_STAGES, applyCommand, applyOutcome, applyReturn, isTerminal, rejectCommand, rejectOutcome, TALKING_STAGES, type LifecycleEvent,
} from '../domain/lifecycle';
import { capacityFreed, changeCadence, getLeadState, leadReturned, outcomeSignal, recordOutcome, runCommand } from '../domain/messages';
import { commandSchema, outcomeSchema } from '../domain/outcomes';
import type { LeadWorkflowInput } from '../domain/workflow-input';
import { ACTIVITY_OPTIONS, acts, failureMessage } from './activity-proxies';
import { initialState, publish } from './state';

const CHANNEL_NAMES = { call: 'llamada', email: 'correo', linkedin: 'LinkedIn' } as const;

/**
 * One lead's whole follow-up, from enrolment to enrolled, lost, opted out, or years of quiet archive.
 * The workflow decides; activities act. Messages change the state synchronously; the loop below
 * re-plans from the state whenever it changes.
 */
export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  const state: LeadState = input.carried ?? initialState(input, workflowInfo().workflowId);
  const { policy } = state;
  const outbox: LifecycleEvent[] = [];
  const now = () => new Date();
  const days = (n: number) => n * policy.dayMs;
  /** After every await: a message may have moved the lead on (a reply, an opt-out, a pause) meanwhile. */
  const still = (stages: readonly LeadState['stage'][]) => stages.includes(state.stage) && !state.paused;
  const record = (event: LifecycleEvent) => outbox.push(event);

  // ---- messages -------------------------------------------------------------------------------
  setHandler(getLeadState, () => state);
  setHandler(recordOutcome, (outcome) => (outbox.push(...applyOutcome(state, outcome, now())), state), {
    validator: (outcome) => {
      const parsed = outcomeSchema.safeParse(outcome);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'outcome'}: ${i.message}`).join('; '));
      const why = rejectOutcome(state, parsed.data, now());
      if (why) throw new Error(why);
    },
  });
  setHandler(outcomeSignal, (outcome) => {
    const parsed = outcomeSchema.safeParse(outcome);
    const why = parsed.success ? rejectOutcome(state, parsed.data, now()) : 'invalid outcome';
    if (why || !parsed.success) {
      log.warn('Outcome signal ignored', { leadId: state.leadId, type: (outcome as { type?: string })?.type, why });
      return;
    }
    outbox.push(...applyOutcome(state, parsed.data, now()));
  });
  setHandler(leadReturned, (returned) => {
    outbox.push(...applyReturn(state, returned, now()));
  });
  setHandler(runCommand, (command) => (outbox.push(...applyCommand(state, command, now())), state), {
    validator: (command) => {
      const parsed = commandSchema.safeParse(command);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; '));
      const why = rejectCommand(state, parsed.data);
      if (why) throw new Error(why);
    },
  });
  // Wakes the wait for an owner (a revision change ends every wait early); nothing else changes.
  setHandler(capacityFreed, () => {
    if (!state.owner) state.revision += 1;
  });
  setHandler(changeCadence, ({ cadence }) => {
    record({ type: 'cadence_changed', occurredAt: now().toISOString(), data: { from: `${state.cadence.id}@${state.cadence.version}`, to: `${cadence.id}@${cadence.version}` } });
    state.cadence = cadence;
    state.revision += 1;
    return state;
  }, {
    validator: ({ cadence }) => {
      if (!ACTIVE_STAGES.includes(state.stage)) throw new Error('Only a lead whose cadence is running can change cadence');
      if (!cadence?.steps?.length) throw new Error('cadence: must have steps');
    },
  });

  // ---- side effects of messages: the ledger and Zoho follow the state ----------------------------
  void (async () => {
    for (;;) {
      await condition(() => outbox.length > 0);
      const event = outbox[0]!;
      await acts.recordLeadEvent.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: `Ledger: ${event.type}` }, [{ leadId: state.leadId, ...event, view: leadViewOf(state) }]);
      if (state.zohoLeadId) {
        try {
          await followInZoho(event, state.zohoLeadId);
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          // Zoho refused (a record error, bad credentials): the follow-up goes on; the ledger says what is missing.
          record({ type: 'crm_sync_failed', occurredAt: now().toISOString(), data: { event: event.type, error: failureMessage(err) } });
        }
      }
      outbox.shift();
    }
  })();

  async function followInZoho(event: LifecycleEvent, zohoLeadId: string): Promise<void> {
    // Notes, calls and conversion were released after leads were already in flight: older histories
    // replay without them.
    if ((event.type === 'email_sent' || event.type === 'outcome_recorded') && patched('zoho-notes-and-calls')) {
      await recordInZoho(event, zohoLeadId);
    }
    if (event.type !== 'stage_changed' || state.zohoConverted) return;
    if (event.data.to === 'closing' && patched('zoho-convert-on-handoff')) {
      await acts.convertZohoLead.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Zoho: convertir el lead (traspaso al vendedor)' }, [{ leadId: state.leadId, zohoLeadId }]);
      // From here the closer works the Contact in Zoho; the converted lead no longer takes updates.
      state.zohoConverted = true;
      return;
    }
    await acts.updateZohoStage.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: `Zoho: etapa ${String(event.data.to)}` }, [
      { zohoLeadId, stage: event.data.to as LeadState['stage'] },
    ]);
  }

  async function recordInZoho(event: LifecycleEvent, zohoLeadId: string): Promise<void> {
    const key = `${state.leadId}:zoho:${event.type}:${event.occurredAt}`;
    const d = event.data;
    const title = event.type === 'email_sent' ? `Correo enviado: ${String(d.template)}` : `Resultado: ${String(d.outcome)}`;
    const content = event.type === 'email_sent'
      ? `Seguimiento envió el correo "${String(d.template)}" (Message-ID ${String(d.messageId)}).`
      : [`Etapa: ${String(d.stageBefore)} → ${String(d.stageAfter)}`, d.reason ? `Motivo: ${String(d.reason)}` : '', d.note ? `Nota: ${String(d.note)}` : '', d.by ? `Registrado por: ${String(d.by)}` : '']
        .filter(Boolean).join('\n');
    await acts.addZohoNote.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: `Zoho: nota (${title})` }, [{ leadId: state.leadId, zohoLeadId, key, title, content }]);
    if (event.type === 'outcome_recorded' && d.touchChannel === 'call') {
      await acts.logZohoCall.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Zoho: registrar llamada' }, [{
        leadId: state.leadId, zohoLeadId, key: `${key}:call`, subject: `Llamada a ${state.lead.firstName} ${state.lead.lastName}`,
        result: String(d.outcome), at: event.occurredAt, note: d.note ? String(d.note) : undefined,
      }]);
    }
  }

  /**
   * Sleeps until `at` (with a summary the Temporal UI shows), waking early when a message changes the
   * state. Returns true when the time came, false when woken.
   */
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

  /** Local dates on which the lead was touched (the welcome and tasks for the closer do not count). */
  const touchedDates = () =>
    state.touches
      .filter((t) => t.kind !== 'welcome' && t.localDate && (t.status === 'done' || t.status === 'due' || t.status === 'missed'))
      .map((t) => t.localDate!);

  /** The first allowed moment at or after `notBefore`, never in the past (a pause or outage must not cause a burst). */
  async function planSlot(notBefore: string) {
    const from = new Date(Math.max(Date.parse(notBefore), now().getTime())).toISOString();
    return acts.planTouchSlot.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Calcular el próximo horario permitido' }, [
      { country: state.lead.country, notBefore: from, touchedDates: touchedDates(), weeklyCap: policy.weeklyCap, calendarAligned: policy.calendarAligned },
    ]);
  }

  /** A call or LinkedIn touch nobody worked before the next one is due counts as missed. */
  function markMissed(): void {
    for (const t of state.touches) {
      if (t.status === 'due' && t.channel !== 'email') {
        t.status = 'missed';
        state.counts.touchesMissed += 1;
        record({ type: 'touch_missed', occurredAt: now().toISOString(), data: { key: t.key, channel: t.channel } });
      }
    }
  }

  function setStage(stage: LeadState['stage']): void {
    record({ type: 'stage_changed', occurredAt: now().toISOString(), data: { from: state.stage, to: stage } });
    state.stage = stage;
    state.stageSince = now().toISOString();
  }

  async function sendEmail(touch: Touch, template: Parameters<typeof acts.sendTouchEmail>[0]['template'], summary: string): Promise<void> {
    state.touches.push(touch);
    try {
      // SMTP answers in seconds; a worker that died mid-send is noticed after 30 s and the send retried.
      const { messageId } = await acts.sendTouchEmail.executeWithOptions({ ...ACTIVITY_OPTIONS, startToCloseTimeout: '30 seconds', summary }, [{ lead: state.lead, owner: state.owner, touchKey: touch.key, template }]);
      // Sent even if an opt-out arrived while it was in flight: the timeline must say what happened.
      Object.assign(touch, { status: 'done', doneAt: now().toISOString(), ref: messageId });
      if (touch.kind !== 'welcome') state.counts.touchesDone += 1;
      record({ type: 'email_sent', occurredAt: now().toISOString(), data: { key: touch.key, template, messageId } });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // Only permanent rejections get here (temporary ones are retried): the address needs a human.
      touch.status = 'skipped';
      state.contactProblem = true;
      state.nextStep = { action: `Corregir el correo de ${state.lead.firstName} (rechazado)`, dueAt: new Date(now().getTime() + days(1)).toISOString() };
      record({ type: 'email_failed', occurredAt: now().toISOString(), data: { key: touch.key, template, error: failureMessage(err) } });
    }
  }

  async function createTask(touch: Touch, summary: string, highPriority = false): Promise<void> {
    state.touches.push(touch);
    const { taskId } = await acts.createTouchTask.executeWithOptions({ ...ACTIVITY_OPTIONS, summary }, [{
      lead: state.lead,
      zohoLeadId: state.zohoLeadId,
      touchKey: touch.key,
      channel: touch.channel,
      dueAt: touch.dueAt,
      subject: `${touch.channel === 'call' ? 'Llamar a' : 'LinkedIn:'} ${state.lead.firstName} ${state.lead.lastName} · ${state.lead.course.name}`,
      script: touchScript({ lead: state.lead, channel: touch.channel, template: touch.template }),
      highPriority,
    }]);
    touch.ref = taskId ?? undefined;
    // Unless a message closed it meanwhile (an opt-out skips everything planned).
    if (touch.status === 'planned') touch.status = 'due';
    record({ type: 'touch_due', occurredAt: now().toISOString(), data: { key: touch.key, channel: touch.channel, dueAt: touch.dueAt, zohoTaskId: taskId } });
  }

  // ---- enrolment ------------------------------------------------------------------------------
  async function enrol(): Promise<void> {
    record({ type: 'lead_enrolled', occurredAt: state.enrolledAt, data: { source: state.lead.source, cadence: `${state.cadence.id}@${state.cadence.version}` } });
    try {
      const { zohoLeadId } = await acts.syncLeadToZoho.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Zoho: crear o actualizar el lead' }, [{ lead: state.lead, stage: 'contacting' }]);
      state.zohoLeadId = zohoLeadId;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // A CRM that refuses the record must not stop the follow-up: touches still reach the queue.
      record({ type: 'crm_sync_failed', occurredAt: now().toISOString(), data: { error: failureMessage(err) } });
    }
    // An outcome may already have arrived while we were enrolling: never move the lead back.
    if (state.stage === 'new') setStage('contacting');
    void watchFirstContactSla();
    // Routing arrived after leads were already in flight: older histories replay without it. The
    // first try is awaited, so that even the welcome email carries the owner's Reply-To.
    if (!state.owner && patched('routing') && !(await tryToAssign())) void waitForCapacity();
  }

  const needsOwner = () => !state.owner && (ACTIVE_STAGES.includes(state.stage) || TALKING_STAGES.includes(state.stage));

  /** An executive by the routing rules and caps; false when everyone eligible is at their cap. */
  async function tryToAssign(): Promise<boolean> {
    const { owner, pool, newlyQueued } = await acts.assignLead.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Asignar una ejecutiva (reglas y topes)' }, [{ lead: state.lead }]);
    // Assigned by hand, or closed, while routing was deciding.
    if (!needsOwner()) return true;
    if (owner) {
      state.owner = owner;
      state.revision += 1;
      record({ type: 'lead_assigned', occurredAt: now().toISOString(), data: { owner, pool } });
      publish(state);
      return true;
    }
    if (newlyQueued) {
      record({ type: 'lead_queued', occurredAt: now().toISOString(), data: { pool } });
      await acts.escalate.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Avisar a la dirección: nadie tiene capacidad' }, [{
        lead: state.lead, workflowId: state.workflowId, kind: 'unassigned', stage: state.stage, owner: null,
        key: `${state.leadId}:unassigned:${state.cadenceRun}`, publicUrl: input.publicUrl,
      }]);
    }
    return false;
  }

  /**
   * Everyone eligible is full: the director has heard, and the lead waits in the queue (its cadence
   * goes on meanwhile), trying again after a growing pause, or at once when it is assigned by hand.
   */
  async function waitForCapacity(): Promise<void> {
    let pause = Math.min(5 * 60_000, Math.max(5_000, policy.dayMs / 288));
    while (needsOwner()) {
      await waitUntil(new Date(now().getTime() + pause).toISOString(), 'Esperando capacidad: todas las ejecutivas del grupo están en su tope');
      if (!needsOwner() || (await tryToAssign())) return;
      pause = Math.min(pause * 2, 60 * 60_000);
    }
  }

  /** First contact within the SLA, or the owner and the director hear about it. */
  async function watchFirstContactSla(): Promise<void> {
    const settled = () => state.sla.firstContactAt !== null || isTerminal(state.stage);
    while (!settled()) {
      if (await waitUntil(state.sla.dueAt, 'Plazo de primer contacto (SLA)')) break;
    }
    if (settled()) return;
    state.sla.status = 'breached';
    state.counts.escalations += 1;
    state.revision += 1;
    record({ type: 'sla_missed', occurredAt: now().toISOString(), data: { dueAt: state.sla.dueAt } });
    publish(state);
    await acts.escalate.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Escalar: SLA de primer contacto incumplido' }, [{
      lead: state.lead, workflowId: state.workflowId, kind: 'sla_missed', stage: state.stage, owner: state.owner,
      key: `${state.leadId}:sla:${state.cadenceRun}`, publicUrl: input.publicUrl,
    }]);
  }

  // ---- the cadence ----------------------------------------------------------------------------
  /** Nothing automatic happens while paused; a pause with an end date ends by itself. */
  async function waitWhilePaused(): Promise<void> {
    const until = state.paused?.until;
    if (until && (await waitUntil(until, 'En pausa hasta la fecha indicada'))) {
      state.paused = null;
      state.revision += 1;
      record({ type: 'lead_resumed', occurredAt: now().toISOString(), data: { automatic: true } });
    } else if (!until) {
      await waitForChange();
    }
  }

  async function waitForChange(): Promise<void> {
    const revision = state.revision;
    await condition(() => state.revision !== revision);
  }

  async function runCadenceStep(): Promise<void> {
    if (state.contactProblem) {
      // Wrong contact data: a person fixes it (update_lead) before any automatic touch.
      await waitForChange();
      return;
    }
    const { cadence } = state;
    if (state.cadenceRun === 1 && !state.touches.some((t) => t.kind === 'welcome')) {
      // The acknowledgement of the lead's own request: sent in business hours, not a cadence touch.
      const slot = await planSlot(state.enrolledAt);
      if (!still(ACTIVE_STAGES)) return;
      state.nextStep = { action: 'Correo de bienvenida', dueAt: slot.at };
      publish(state);
      if (!(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return;
      const key = touchKey({ leadId: state.leadId, step: 0, attempt: 1 });
      await sendEmail({ key, kind: 'welcome', channel: 'email', template: 'welcome', status: 'planned', dueAt: slot.at, localDate: slot.localDate }, 'welcome', 'Correo de bienvenida');
      return;
    }
    const run = state.touches.filter((t) => t.kind === 'cadence' && t.run === state.cadenceRun);
    const step: CadenceStep | undefined = cadence.steps[run.length];
    if (!step || run.length >= cadence.maxTouches) {
      // No answer to the whole cadence: a few days' grace, then nurturing or the archive.
      const last = run[run.length - 1];
      const graceEnds = new Date(Date.parse(last?.dueAt ?? now().toISOString()) + days(policy.responseGraceDays)).toISOString();
      state.nextStep = { action: 'Esperar respuesta al último toque', dueAt: graceEnds };
      publish(state);
      if (!(await waitUntil(graceEnds, 'Esperando respuesta al último toque'))) return;
      markMissed();
      record({ type: 'cadence_exhausted', occurredAt: now().toISOString(), data: { run: state.cadenceRun, touches: run.length } });
      enterDormant(cadence.onExhausted);
      return;
    }
    const n = run.length + 1;
    const notBefore = new Date(Date.parse(state.cadenceStartedAt) + days(step.day - 1)).toISOString();
    const slot = await planSlot(notBefore);
    if (!still(ACTIVE_STAGES)) return;
    const label = `Toque ${n}/${cadence.maxTouches} · ${CHANNEL_NAMES[step.channel]}`;
    state.nextStep = { action: label, dueAt: slot.at };
    publish(state);
    if (!(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return;
    markMissed();
    const touch: Touch = {
      key: touchKey({ leadId: state.leadId, step: n, attempt: state.cadenceRun }),
      kind: 'cadence', run: state.cadenceRun, step: n, channel: step.channel, template: step.template, status: 'planned', dueAt: slot.at, localDate: slot.localDate,
    };
    if (step.channel === 'email') await sendEmail(touch, step.template as 'first-email' | 'break-up-email', label);
    else await createTask(touch, label);
  }

  function enterDormant(stage: 'nurturing' | 'archived'): void {
    setStage(stage);
    state.nurturingTouchesSent = 0;
    if (stage === 'archived') {
      state.nextStep = { action: 'Revisar si reactivar el lead archivado', dueAt: new Date(now().getTime() + days(policy.archiveReviewDays)).toISOString() };
    }
    state.revision += 1;
  }

  // ---- stalled conversations ------------------------------------------------------------------
  async function watchStall(): Promise<void> {
    const stage = state.stage as 'engaged' | 'proposal' | 'closing';
    const stallMs = days(policy.stallDays[stage]);
    if (!state.stall) {
      const stalledAt = new Date(Date.parse(state.lastProgressAt) + stallMs).toISOString();
      if (!(await waitUntil(stalledAt, `Sin avance en "${stage}" hasta ${stalledAt.slice(0, 16)}`))) return;
      // The timer and a message can land in the same step: the message wins.
      if (!still([stage])) return;
      state.stall = { since: now().toISOString(), reactivationSent: false, escalated: false };
      record({ type: 'lead_stalled', occurredAt: now().toISOString(), data: { stage, days: policy.stallDays[stage] } });
    }
    if (!state.stall.reactivationSent) {
      const slot = await planSlot(now().toISOString());
      if (!still([stage]) || !(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return;
      const key = touchKey({ leadId: state.leadId, step: 200 + state.counts.outcomes, attempt: state.cadenceRun });
      await sendEmail({ key, kind: 'reactivation', channel: 'email', template: 'reactivation', status: 'planned', dueAt: slot.at, localDate: slot.localDate }, 'reactivation', 'Toque de reactivación');
      if (!state.stall || !still([stage])) return;
      state.stall.reactivationSent = true;
      state.nextStep = { action: `Confirmar respuesta de ${state.lead.firstName} tras la reactivación`, dueAt: new Date(now().getTime() + stallMs).toISOString() };
      publish(state);
      return;
    }
    if (!state.stall.escalated) {
      const escalateAt = new Date(Date.parse(state.stall.since) + stallMs).toISOString();
      if (!(await waitUntil(escalateAt, 'Esperando respuesta a la reactivación'))) return;
      // An outcome that arrived with the timer may have ended the stall already.
      if (!state.stall || !still([stage])) return;
      state.stall.escalated = true;
      state.counts.escalations += 1;
      const since = state.stall.since;
      record({ type: 'lead_escalated', occurredAt: now().toISOString(), data: { stage, reason: 'stalled' } });
      await acts.escalate.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: 'Escalar: lead estancado' }, [{
        lead: state.lead, workflowId: state.workflowId, kind: 'stalled', stage, owner: state.owner,
        key: `${state.leadId}:stall:${since}`, publicUrl: input.publicUrl,
      }]);
      const touch: Touch = {
        key: `${state.leadId}:escalation:${since}`, kind: 'reactivation', channel: 'call', template: 'follow-up-call',
        status: 'planned', dueAt: now().toISOString(), localDate: undefined,
      };
      await createTask(touch, 'Tarea urgente para el vendedor de cierre', true);
      if (!still([stage])) return;
      state.nextStep = { action: `Escalado: decidir el siguiente paso con ${state.lead.firstName}`, dueAt: new Date(now().getTime() + days(1)).toISOString() };
      publish(state);
      return;
    }
    await waitForChange();
  }

  // ---- nurturing and the archive --------------------------------------------------------------
  async function nurture(): Promise<'continue-as-new' | void> {
    if (state.nurturingTouchesSent >= policy.nurturing.touches) {
      enterDormant('archived');
      return;
    }
    const lastNurture = [...state.touches].reverse().find((t) => t.kind === 'nurturing' && t.status === 'done');
    const from = Date.parse(lastNurture?.dueAt ?? state.stageSince);
    const slot = await planSlot(new Date(from + days(policy.nurturing.intervalDays)).toISOString());
    if (!still(['nurturing'])) return;
    state.nextStep = { action: `Toque de nurturing ${state.nurturingTouchesSent + 1}/${policy.nurturing.touches}`, dueAt: slot.at };
    publish(state);
    if (!(await waitUntil(slot.at, `Esperando hasta ${slot.label}`))) return;
    const key = touchKey({ leadId: state.leadId, step: 100 + state.nurturingTouchesSent + 1, attempt: state.cadenceRun });
    await sendEmail({ key, kind: 'nurturing', channel: 'email', template: 'nurturing', status: 'planned', dueAt: slot.at, localDate: slot.localDate }, 'nurturing', 'Toque de nurturing');
    state.nurturingTouchesSent += 1;
    // A month between touches: start a fresh history each time so years of nurturing stay cheap.
    return 'continue-as-new';
  }

  // ---- the lead's life ------------------------------------------------------------------------
  if (!input.carried) await enrol();
  publish(state);
  while (!isTerminal(state.stage)) {
    if (state.paused) {
      await waitWhilePaused();
    } else if (ACTIVE_STAGES.includes(state.stage)) {
      await runCadenceStep();
    } else if (TALKING_STAGES.includes(state.stage)) {
      markMissed();
      await watchStall();
    } else if (state.stage === 'nurturing') {
      markMissed();
      if ((await nurture()) === 'continue-as-new' && state.stage === 'nurturing') {
        await condition(() => outbox.length === 0 && allHandlersFinished());
        publish(state);
        await continueAsNew<typeof leadWorkflow>({ ...input, carried: state });
      }
    } else {
      markMissed();
      await waitForChange();
    }
    publish(state);
  }
  // Let the ledger and Zoho catch up with the end before the workflow closes.
  await condition(() => outbox.length === 0 && allHandlersFinished());
  log.info('Lead closed', { leadId: state.leadId, stage: state.stage });
  return state;
}
