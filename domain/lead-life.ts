import { type CadenceStep, stepFor } from './cadence';
import { followUpKey, touchKey } from './ids';
import type { Country, Lead, Stage } from './lead';
import type { LeadState, Touch } from './lead-state';
import { CHANNEL_LABELS_LOWERCASE } from './texts';
import { ACTIVE_STAGES, DORMANT_STAGES, isTerminal, type LifecycleEvent, TALKING_STAGES } from './lifecycle';

/**
 * What happens to a lead without anyone sending a message: timers that fire (a touch comes due, the
 * SLA runs out, a conversation stalls) and the answers of the activities that acted. Each function
 * takes the state, the time and what happened, updates the state and returns the ledger events.
 * Messages (outcomes, commands, returns) are in `lifecycle.ts`; the workflow only runs activities,
 * waits, and applies these.
 */

type Events = LifecycleEvent[];

const event = (type: string, now: Date, data: Record<string, unknown> = {}): LifecycleEvent => ({ type, occurredAt: now.toISOString(), data });
const later = (state: LeadState, from: Date | string, days: number) => new Date(new Date(from).getTime() + days * state.policy.dayMs).toISOString();

/**
 * What the lead's waits depend on. A change made by a timer or an activity wakes them (to re-plan)
 * only when it moves one of these; every message wakes them.
 */
export const planKey = (s: LeadState) => JSON.stringify([s.stage, s.owner, s.paused, s.sla.status]);

/** After every wait: a message may have moved the lead on (a reply, an opt-out, a pause) meanwhile. */
export const isStill = (state: LeadState, stages: readonly Stage[]) => stages.includes(state.stage) && !state.paused;

export const needsOwner = (state: LeadState) => !state.owner && (ACTIVE_STAGES.includes(state.stage) || TALKING_STAGES.includes(state.stage));

// ---- what to wait for next -----------------------------------------------------------------------

export type TalkingStage = 'engaged' | 'proposal' | 'closing';

export type Plan =
  | { kind: 'paused'; until: string | null }
  /** Wrong contact data: a person fixes it (update_lead) before any automatic touch. */
  | { kind: 'blocked' }
  /** The acknowledgement of the lead's own request: sent in business hours, not a cadence touch. */
  | { kind: 'welcome'; notBefore: string }
  | { kind: 'touch'; n: number; step: CadenceStep; notBefore: string; label: string }
  /** The cadence is done: a few days' grace for an answer, then nurturing or the archive. */
  | { kind: 'grace'; until: string; touches: number }
  | { kind: 'stall'; stage: TalkingStage }
  | { kind: 'nurture'; n: number; notBefore: string }
  | { kind: 'archive' }
  | { kind: 'idle' };

export function nextPlan(state: LeadState, now: Date): Plan {
  const { policy, cadence } = state;
  if (state.paused) return { kind: 'paused', until: state.paused.until };
  if (ACTIVE_STAGES.includes(state.stage)) {
    if (state.contactProblem) return { kind: 'blocked' };
    if (state.cadenceRun === 1 && !state.touches.some((t) => t.kind === 'welcome')) return { kind: 'welcome', notBefore: state.enrolledAt };
    const run = state.touches.filter((t) => t.kind === 'cadence' && t.run === state.cadenceRun);
    const step = cadence.steps[run.length];
    if (!step || run.length >= cadence.maxTouches) {
      const until = later(state, run[run.length - 1]?.dueAt ?? now, policy.responseGraceDays);
      return { kind: 'grace', until, touches: run.length };
    }
    const n = run.length + 1;
    const { channel } = stepFor(state.lead, step);
    return { kind: 'touch', n, step, notBefore: later(state, state.cadenceStartedAt, step.day - 1), label: `Toque ${n}/${cadence.maxTouches} · ${CHANNEL_LABELS_LOWERCASE[channel]}` };
  }
  if (TALKING_STAGES.includes(state.stage)) return { kind: 'stall', stage: state.stage as TalkingStage };
  if (state.stage === 'nurturing') {
    if (state.nurturingTouchesSent >= policy.nurturing.touches) return { kind: 'archive' };
    const lastNurture = [...state.touches].reverse().find((t) => t.kind === 'nurturing' && t.status === 'done');
    return { kind: 'nurture', n: state.nurturingTouchesSent + 1, notBefore: later(state, lastNurture?.dueAt ?? state.stageSince, policy.nurturing.intervalDays) };
  }
  return { kind: 'idle' };
}

/** Whether a wait planned for `planned` still stands now: the same step, due from the same moment. */
export function samePlan(now: Plan, planned: Plan): boolean {
  const essence = (p: Plan) => JSON.stringify([p.kind, 'n' in p ? p.n : null, 'notBefore' in p ? p.notBefore : null, 'step' in p ? p.step : null]);
  return essence(now) === essence(planned);
}

/**
 * When a run's history should start afresh (continue-as-new): when Temporal suggests it, when it
 * grew long, and at the natural boundary where an active lead goes quiet for months.
 */
export const HISTORY_EVENTS_LIMIT = 2_000;
export function rollOverDue({ suggested, historyLength, stageAtRunStart, stage }: { suggested: boolean; historyLength: number; stageAtRunStart: Stage; stage: Stage }): boolean {
  return suggested || historyLength > HISTORY_EVENTS_LIMIT || (DORMANT_STAGES.includes(stage) && !DORMANT_STAGES.includes(stageAtRunStart));
}

export function nextStepFor(state: LeadState, plan: Plan, at: string): void {
  const action = plan.kind === 'welcome' ? 'Correo de bienvenida'
    : plan.kind === 'touch' ? plan.label
    : plan.kind === 'grace' ? 'Esperar respuesta al último toque'
    : plan.kind === 'nurture' ? `Toque de nurturing ${plan.n}/${state.policy.nurturing.touches}`
    : null;
  if (action) state.nextStep = { action, dueAt: at };
}

// ---- slots ---------------------------------------------------------------------------------------

export interface TouchSlot {
  at: string;
  localDate: string;
  /** "mar 24 mar 09:00 America/Bogota", for timer summaries. */
  label: string;
}

export interface SlotRequest {
  country: Country;
  notBefore: string;
  touchedDates: string[];
  weeklyCap: number;
  calendarAligned: boolean;
  /** The key of the email this slot is for: it books a place in the sending mailbox's day (its daily cap). */
  mailKey?: string;
}

/** The first allowed moment at or after `notBefore`, never in the past (a pause or outage must not cause a burst). */
export function slotRequest(state: LeadState, notBefore: string, now: Date, plan?: Plan): SlotRequest {
  // Local dates on which the lead was touched (the welcome and tasks for the closer do not count).
  const touchedDates = state.touches
    .filter((t) => t.kind !== 'welcome' && t.localDate && (t.status === 'done' || t.status === 'due' || t.status === 'missed' || t.status === 'uncertain'))
    .map((t) => t.localDate!);
  const from = new Date(Math.max(Date.parse(notBefore), now.getTime())).toISOString();
  const mailKey = plan && sendsEmail(state, plan) ? touchKeyFor(state, plan) : undefined;
  return { country: state.lead.country, notBefore: from, touchedDates, weeklyCap: state.policy.weeklyCap, calendarAligned: state.policy.calendarAligned, ...(mailKey ? { mailKey } : {}) };
}

// ---- touches -------------------------------------------------------------------------------------

/** A cadence step the lead cannot receive on its channel, which its cadence replaces (see `stepFor`). */
export const isReplaced = (state: LeadState, plan: Plan) => plan.kind === 'touch' && stepFor(state.lead, plan.step).replaced;

/** Whether a plan's touch is an email: then its slot also books a place in the sending mailbox's day. */
const sendsEmail = (state: LeadState, plan: Plan) =>
  plan.kind === 'welcome' || plan.kind === 'nurture' || plan.kind === 'stall' || (plan.kind === 'touch' && stepFor(state.lead, plan.step).channel === 'email');

/** The key a plan's touch goes under; the step numbers keep each touch's key (and so its send) unique. */
function touchKeyFor(state: LeadState, plan: Plan): string {
  const key = (step: number) => touchKey({ leadId: followUpKey(state), step, attempt: state.cadenceRun });
  switch (plan.kind) {
    case 'welcome': return touchKey({ leadId: followUpKey(state), step: 0, attempt: 1 });
    case 'touch': return key(plan.n);
    case 'nurture': return key(100 + plan.n);
    case 'stall': return key(200 + state.counts.outcomes);
    default: throw new Error(`No touch for a "${plan.kind}" plan`);
  }
}

/**
 * The touch a plan makes at its slot. `replace`: a step the lead cannot receive becomes its
 * replacement (histories from before replacements existed replay without it).
 */
export function touchFor(state: LeadState, plan: Plan, slot: TouchSlot, { replace = false } = {}): Touch {
  const at = { key: touchKeyFor(state, plan), status: 'planned' as const, dueAt: slot.at, localDate: slot.localDate };
  switch (plan.kind) {
    case 'welcome':
      return { kind: 'welcome', channel: 'email', template: 'welcome', ...at };
    case 'touch': {
      const { channel, template } = replace ? stepFor(state.lead, plan.step) : plan.step;
      return { kind: 'cadence', run: state.cadenceRun, step: plan.n, channel, template, ...at };
    }
    case 'nurture':
      return { kind: 'nurturing', channel: 'email', template: 'nurturing', ...at };
    default:
      return { kind: 'reactivation', channel: 'email', template: 'reactivation', ...at };
  }
}

/** The urgent task for the closer when a stalled conversation is escalated. */
export const escalationTouch = (state: LeadState, since: string, now: Date): Touch => ({
  key: `${followUpKey(state)}:escalation:${since}`, kind: 'reactivation', channel: 'call', template: 'follow-up-call', status: 'planned', dueAt: now.toISOString(), localDate: undefined,
});

export const taskSubject = (state: LeadState, touch: Touch) =>
  `${touch.channel === 'call' ? 'Llamar a' : 'LinkedIn:'} ${state.lead.firstName} ${state.lead.lastName} · ${state.lead.course.name}`;

export function emailSent(state: LeadState, touch: Touch, messageId: string, now: Date): Events {
  // Sent even if an opt-out arrived while it was in flight: the timeline must say what happened.
  Object.assign(touch, { status: 'done', doneAt: now.toISOString(), ref: messageId });
  if (touch.kind !== 'welcome') state.counts.touchesDone += 1;
  return [event('email_sent', now, { key: touch.key, template: touch.template, messageId })];
}

/**
 * An earlier attempt claimed the send and its answer was lost: it may have reached the lead. A person
 * contacted twice is worse than a touch missed, so it is never sent again; the timeline says so.
 */
export function emailUncertain(touch: Touch, now: Date): Events {
  touch.status = 'uncertain';
  return [event('email_uncertain', now, { key: touch.key, template: touch.template })];
}

/**
 * The address is opted out or suppressed where the message leaves (the ledger knew what the workflow
 * had not heard). An opt-out closes the lead like the lead's own unsubscribe; a bounce or a complaint
 * stops mail until a person fixes the address.
 */
export function emailSuppressed(state: LeadState, touch: Touch, reason: string, now: Date): Events {
  touch.status = 'skipped';
  const events = [event('email_suppressed', now, { key: touch.key, template: touch.template, reason })];
  if (reason !== 'opted_out') {
    state.contactProblem = true;
    state.nextStep = { action: `Revisar el correo de ${state.lead.firstName} (${reason === 'bounced' ? 'rebotó' : 'marcado como spam'})`, dueAt: later(state, now, 1) };
  }
  return events;
}

/** Only permanent rejections get here (temporary ones are retried): the address needs a human. */
export function emailFailed(state: LeadState, touch: Touch, error: string, now: Date): Events {
  touch.status = 'skipped';
  state.contactProblem = true;
  state.nextStep = { action: `Corregir el correo de ${state.lead.firstName} (rechazado)`, dueAt: later(state, now, 1) };
  return [event('email_failed', now, { key: touch.key, template: touch.template, error })];
}

export function taskCreated(touch: Touch, taskId: string | null, now: Date): Events {
  touch.ref = taskId ?? undefined;
  // Unless a message closed it meanwhile (an opt-out skips everything planned).
  if (touch.status === 'planned') touch.status = 'due';
  return [event('touch_due', now, { key: touch.key, channel: touch.channel, dueAt: touch.dueAt, zohoTaskId: taskId })];
}

/** A call or LinkedIn touch nobody worked before the next one is due counts as missed. */
export function markMissed(state: LeadState, now: Date): Events {
  const events: Events = [];
  for (const t of state.touches) {
    if (t.status === 'due' && t.channel !== 'email') {
      t.status = 'missed';
      state.counts.touchesMissed += 1;
      events.push(event('touch_missed', now, { key: t.key, channel: t.channel }));
    }
  }
  return events;
}

// ---- stages --------------------------------------------------------------------------------------

export function changeStage(state: LeadState, stage: Stage, now: Date): Events {
  const from = state.stage;
  state.stage = stage;
  state.stageSince = now.toISOString();
  return [event('stage_changed', now, { from, to: stage })];
}

export function enrolled(state: LeadState): Events {
  // A person's later follow-up says how the one before ended: the KPIs count it as a return. The
  // funnel places each follow-up by when its interest came in (`createdAt`) and counts it once.
  const returning = state.lead.returning ? { returning: state.lead.returning.previousStage } : {};
  const { source, createdAt, course } = state.lead;
  return [{ type: 'lead_enrolled', occurredAt: state.enrolledAt, data: { source, createdAt, course: course.code, cadence: `${state.cadence.id}@${state.cadence.version}`, ...returning } }];
}

/** An outcome may already have arrived while we were enrolling: never move the lead back. */
export const contactingStarted = (state: LeadState, now: Date): Events => (state.stage === 'new' ? changeStage(state, 'contacting', now) : []);

export function dormant(state: LeadState, stage: 'nurturing' | 'archived', now: Date): Events {
  const events = changeStage(state, stage, now);
  state.nurturingTouchesSent = 0;
  if (stage === 'archived') state.nextStep = { action: 'Revisar si reactivar el lead archivado', dueAt: later(state, now, state.policy.archiveReviewDays) };
  return events;
}

/** No answer to the whole cadence. */
export function cadenceExhausted(state: LeadState, touches: number, now: Date): Events {
  return [...markMissed(state, now), event('cadence_exhausted', now, { run: state.cadenceRun, touches }), ...dormant(state, state.cadence.onExhausted, now)];
}

export function pauseEnded(state: LeadState, now: Date): Events {
  state.paused = null;
  return [event('lead_resumed', now, { automatic: true })];
}

// ---- owner and SLA -------------------------------------------------------------------------------

export function assigned(state: LeadState, { owner, pool }: { owner: string; pool: string }, now: Date): Events {
  state.owner = owner;
  return [event('lead_assigned', now, { owner, pool })];
}

/** An integration refused for good at one of the lead's call sites: recorded, and the follow-up goes on. */
export const integrationFailed = (callSite: string, error: string, now: Date): Events => [event('integration_failed', now, { callSite, error })];

export const queued = (pool: string, now: Date): Events => [event('lead_queued', now, { pool })];

/** Zoho refused (a record error, bad credentials): the follow-up goes on; the ledger says what is missing. */
export const crmSyncFailed = (error: string, now: Date, failedEvent?: string): Events =>
  [event('crm_sync_failed', now, failedEvent ? { event: failedEvent, error } : { error })];

/** A lead waiting for an owner is woken by the signal of a freed slot; this daily try covers a lost one. */
export const CAPACITY_BACKSTOP_DAYS = 1;

/** How long a lead waiting for an owner pauses before asking routing again: growing, capped at an hour. */
export const capacityRetryMs = (state: LeadState, previous?: number) =>
  previous === undefined ? Math.min(5 * 60_000, Math.max(5_000, state.policy.dayMs / 288)) : Math.min(previous * 2, 60 * 60_000);

export const firstContactSettled = (state: LeadState) => state.sla.firstContactAt !== null || isTerminal(state.stage);

export function slaMissed(state: LeadState, now: Date): Events {
  state.sla.status = 'breached';
  state.counts.escalations += 1;
  return [event('sla_missed', now, { dueAt: state.sla.dueAt })];
}

// ---- stalled conversations -----------------------------------------------------------------------

const stallMs = (state: LeadState, stage: TalkingStage) => state.policy.stallDays[stage] * state.policy.dayMs;

export const stalledAt = (state: LeadState, stage: TalkingStage) => new Date(Date.parse(state.lastProgressAt) + stallMs(state, stage)).toISOString();

/** The reactivation touch went unanswered this long after the stall began: escalate. */
export const stallEscalationAt = (state: LeadState, stage: TalkingStage) => new Date(Date.parse(state.stall!.since) + stallMs(state, stage)).toISOString();

export function stalled(state: LeadState, stage: TalkingStage, now: Date): Events {
  state.stall = { since: now.toISOString(), reactivationSent: false, escalated: false };
  return [event('lead_stalled', now, { stage, days: state.policy.stallDays[stage] })];
}

export function reactivationSent(state: LeadState, stage: TalkingStage, now: Date): Events {
  state.stall!.reactivationSent = true;
  state.nextStep = { action: `Confirmar respuesta de ${state.lead.firstName} tras la reactivación`, dueAt: new Date(now.getTime() + stallMs(state, stage)).toISOString() };
  return [];
}

export function stallEscalated(state: LeadState, stage: TalkingStage, now: Date): Events {
  state.stall!.escalated = true;
  state.counts.escalations += 1;
  return [event('lead_escalated', now, { stage, reason: 'stalled' })];
}

export function escalationHandedOver(state: LeadState, now: Date): Events {
  state.nextStep = { action: `Escalado: decidir el siguiente paso con ${state.lead.firstName}`, dueAt: later(state, now, 1) };
  return [];
}

// ---- Zoho ----------------------------------------------------------------------------------------

/** The Zoho note (and, for a call's outcome, the call log) that a ledger event leaves on the lead. */
export function zohoRecordsFor(state: LeadState, { type, occurredAt, data: d }: LifecycleEvent) {
  // Two outcomes can land in one workflow task, at the same time: each touch and each outcome number
  // tells them apart (outcomes recorded before numbering keep their old key).
  const key = type === 'email_sent' ? `${followUpKey(state)}:zoho:email:${String(d.key)}`
    : d.n !== undefined ? `${followUpKey(state)}:zoho:outcome:${String(d.n)}`
    : `${followUpKey(state)}:zoho:${type}:${occurredAt}`;
  const title = type === 'email_sent' ? `Correo enviado: ${String(d.template)}` : `Resultado: ${String(d.outcome)}`;
  const content = type === 'email_sent'
    ? `Seguimiento envió el correo "${String(d.template)}" (Message-ID ${String(d.messageId)}).`
    : [`Etapa: ${String(d.stageBefore)} → ${String(d.stageAfter)}`, d.reason ? `Motivo: ${String(d.reason)}` : '', d.note ? `Nota: ${String(d.note)}` : '', d.by ? `Registrado por: ${String(d.by)}` : '']
      .filter(Boolean).join('\n');
  const note = { leadId: state.leadId, key, title, content };
  const call = type === 'outcome_recorded' && d.touchChannel === 'call'
    ? { leadId: state.leadId, key: `${key}:call`, subject: `Llamada a ${state.lead.firstName} ${state.lead.lastName}`, result: String(d.outcome), at: occurredAt, note: d.note ? String(d.note) : undefined }
    : null;
  return { note, call };
}

/**
 * What Zoho gets for a ledger event, when the event and its Zoho writes go in one activity: a note
 * (and a call log) for an email or an outcome, the status for a stage. Null when Zoho gets nothing, or
 * when it takes a step of its own: the conversion on hand-off to the closer.
 */
export function zohoWritesFor(state: LeadState, event: LifecycleEvent): { note?: ZohoNote; call?: ZohoCall; stage?: Stage } | null {
  if (event.type === 'email_sent' || event.type === 'outcome_recorded') {
    const { note, call } = zohoRecordsFor(state, event);
    return call ? { note, call } : { note };
  }
  if (event.type !== 'stage_changed' || state.zohoConverted || event.data.to === 'closing') return null;
  return { stage: event.data.to as Stage };
}
type ZohoNote = ReturnType<typeof zohoRecordsFor>['note'];
type ZohoCall = NonNullable<ReturnType<typeof zohoRecordsFor>['call']>;

/**
 * The note a person's later follow-up leaves on their Zoho record, so whoever opens it sees that they
 * came back, for what, and how the follow-up before ended. Null for a first follow-up.
 */
export function zohoReturnNote(lead: Lead): { key: string; title: string; content: string } | null {
  const back = lead.returning;
  if (!back) return null;
  const ended = back.previousStage === 'enrolled' ? 'matriculado (egresado)' : 'perdido';
  return {
    key: `${followUpKey({ leadId: lead.leadId, lead })}:zoho:return`,
    title: `Vuelve: nuevo seguimiento por ${lead.course.name}`,
    content: [
      `Nuevo interés: ${lead.course.name} (${lead.course.code}), fuente ${lead.source}, recibido ${lead.createdAt.slice(0, 10)}.`,
      `Seguimiento anterior: ${back.previousCourse.name} (${back.previousCourse.code}), terminó ${ended}.`,
    ].join('\n'),
  };
}
