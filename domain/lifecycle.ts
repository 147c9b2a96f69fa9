import type { Stage } from './lead';
import { TERMINAL_STAGES } from './lead';
import { MAX_OUTCOMES_KEPT, type LeadState, type NextStep } from './lead-state';
import type { LeadReturn } from './messages';
import type { Command, Outcome, OutcomeType } from './outcomes';
import { STAGE_LABELS_LOWERCASE } from './texts';

/** A lead event for the ledger, produced by a transition. */
export interface LifecycleEvent {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export const ACTIVE_STAGES: readonly Stage[] = ['new', 'contacting'];
export const TALKING_STAGES: readonly Stage[] = ['engaged', 'proposal', 'closing'];
export const DORMANT_STAGES: readonly Stage[] = ['nurturing', 'archived'];

const FUNNEL_ORDER: Stage[] = ['new', 'contacting', 'nurturing', 'archived', 'engaged', 'proposal', 'closing', 'enrolled'];

/** Where an outcome takes the lead; `null` keeps the stage. Stages only move forward in the funnel. */
const TARGET: Record<OutcomeType, Stage | null> = {
  no_answer: null,
  wrong_contact: null,
  contacted: 'engaged',
  replied: 'engaged',
  interested: 'engaged',
  call_back_later: 'engaged',
  meeting_scheduled: 'engaged',
  proposal_requested: 'proposal',
  proposal_sent: 'proposal',
  handed_to_closer: 'closing',
  enrolled: 'enrolled',
  not_interested: 'lost',
  lost: 'lost',
  opted_out: 'opted_out',
};

/** Outcomes that only make sense once there is a conversation. */
const REQUIRES: Partial<Record<OutcomeType, readonly Stage[]>> = {
  proposal_sent: ['engaged', 'proposal'],
  handed_to_closer: ['engaged', 'proposal'],
  enrolled: ['engaged', 'proposal', 'closing'],
};

/** A reply or any positive outcome: ends the automatic cadence and hands the lead to a human. */
export const POSITIVE_OUTCOMES: readonly OutcomeType[] = [
  'contacted', 'replied', 'interested', 'call_back_later', 'meeting_scheduled', 'proposal_requested', 'proposal_sent', 'handed_to_closer', 'enrolled',
];

export const isTerminal = (stage: Stage) => TERMINAL_STAGES.includes(stage);

function stageAfter(current: Stage, outcome: OutcomeType): Stage {
  const target = TARGET[outcome];
  if (target === null) return current;
  if (target === 'lost' || target === 'opted_out') return target;
  return FUNNEL_ORDER.indexOf(target) > FUNNEL_ORDER.indexOf(current) ? target : current;
}

/** Why this outcome cannot be recorded now, or null when it can. */
export function rejectOutcome(state: LeadState, outcome: Outcome, now: Date): string | null {
  if (isTerminal(state.stage)) return `The lead is already ${STAGE_LABELS_LOWERCASE[state.stage]}: no outcome can be recorded`;
  const allowed = REQUIRES[outcome.type];
  if (allowed && !allowed.includes(state.stage)) {
    return `"${outcome.type}" makes no sense while the lead is ${STAGE_LABELS_LOWERCASE[state.stage]} (only in: ${allowed.join(', ')})`;
  }
  if (outcome.callBackAt && Date.parse(outcome.callBackAt) <= now.getTime()) return 'callBackAt must be in the future';
  return null;
}

const inDays = (now: Date, days: number, dayMs: number) => new Date(now.getTime() + days * dayMs).toISOString();

function humanNextStep(state: LeadState, outcome: Outcome, now: Date): NextStep | null {
  const { dayMs } = state.policy;
  const name = state.lead.firstName;
  switch (outcome.type) {
    case 'call_back_later':
      return { action: `Devolver la llamada a ${name}`, dueAt: outcome.callBackAt! };
    case 'meeting_scheduled':
      return { action: `Reunión con ${name}`, dueAt: outcome.callBackAt ?? inDays(now, 2, dayMs) };
    case 'proposal_requested':
      return { action: `Preparar y enviar la propuesta a ${name}`, dueAt: inDays(now, 2, dayMs) };
    case 'proposal_sent':
      return { action: `Dar seguimiento a la propuesta de ${name}`, dueAt: inDays(now, 3, dayMs) };
    case 'handed_to_closer':
      return { action: `Cierre con el vendedor: ${name}`, dueAt: inDays(now, 3, dayMs) };
    case 'contacted':
    case 'replied':
    case 'interested':
      return { action: `Definir el siguiente paso con ${name}`, dueAt: inDays(now, 1, dayMs) };
    case 'wrong_contact':
      return { action: `Corregir los datos de contacto de ${name}`, dueAt: inDays(now, 1, dayMs) };
    case 'no_answer':
      return TALKING_STAGES.includes(state.stage) ? { action: `Reintentar el contacto con ${name}`, dueAt: inDays(now, 1, dayMs) } : null;
    default:
      return null;
  }
}

/**
 * Records an outcome on the lead (already validated by `rejectOutcome`) and returns the ledger events.
 * The workflow re-plans what comes next (cadence touches, stall timers) from the resulting state.
 */
export function applyOutcome(state: LeadState, outcome: Outcome, now: Date): LifecycleEvent[] {
  const at = now.toISOString();
  const before = state.stage;
  const after = stageAfter(before, outcome.type);
  const events: LifecycleEvent[] = [
  ];

  // The outcome closes the touch the executive was working on, if any.
  const open = [...state.touches].reverse().find((t) => t.status === 'due' && t.channel !== 'email');
  events.push({
    type: 'outcome_recorded',
    occurredAt: at,
    data: { n: state.counts.outcomes + 1, outcome: outcome.type, stageBefore: before, stageAfter: after, reason: outcome.reason ?? null, by: outcome.by ?? null, note: outcome.note ?? null, touchChannel: open?.channel ?? null, closer: outcome.closer ?? null },
  });
  // An unsubscribe is the lead's act, not the executive's work on the touch.
  if (open && outcome.type !== 'opted_out') {
    Object.assign(open, { status: 'done', doneAt: at, outcome: outcome.type });
    state.counts.touchesDone += 1;
  }
  if (outcome.type !== 'opted_out' && !state.sla.firstContactAt) {
    state.sla.firstContactAt = at;
    if (state.sla.status === 'pending') state.sla.status = 'met';
    events.push({ type: 'first_contact', occurredAt: at, data: { slaStatus: state.sla.status } });
  }

  if (after !== before) state.stageSince = at;
  state.stage = after;
  state.counts.outcomes += 1;
  state.outcomes.push({ type: outcome.type, at, stageBefore: before, stageAfter: after, note: outcome.note, reason: outcome.reason, by: outcome.by });
  if (state.outcomes.length > MAX_OUTCOMES_KEPT) state.outcomes.splice(0, state.outcomes.length - MAX_OUTCOMES_KEPT);
  if (outcome.type === 'wrong_contact') state.contactProblem = true;
  if (outcome.type === 'handed_to_closer' && outcome.closer) state.closer = outcome.closer;
  if (after === 'lost') state.lostReason = outcome.reason ?? 'not_interested';

  const positive = POSITIVE_OUTCOMES.includes(outcome.type);
  if (positive || TALKING_STAGES.includes(before)) {
    state.lastProgressAt = at;
    state.stall = null;
  }
  if (positive && DORMANT_STAGES.includes(before)) {
    state.counts.reactivations += 1;
    events.push({ type: 'lead_reactivated', occurredAt: at, data: { from: before, by: 'engagement' } });
  }
  if (after !== before) events.push({ type: 'stage_changed', occurredAt: at, data: { from: before, to: after } });

  if (isTerminal(after)) {
    state.nextStep = null;
    state.paused = null;
    // Nothing planned will happen any more: say so on the timeline rather than leave it "planned".
    for (const t of state.touches) if (t.status === 'planned' || t.status === 'due') t.status = 'skipped';
  } else {
    const next = humanNextStep(state, outcome, now);
    if (next) state.nextStep = next;
  }
  return events;
}

export function rejectCommand(state: LeadState, command: Command): string | null {
  if (isTerminal(state.stage)) return `The lead is already ${STAGE_LABELS_LOWERCASE[state.stage]}`;
  switch (command.type) {
    case 'pause':
      return state.paused ? 'The lead is already paused' : null;
    case 'resume':
      return state.paused ? null : 'The lead is not paused';
    case 'reactivate':
      return DORMANT_STAGES.includes(state.stage) ? null : `Only a lead in nurturing or archived can be reactivated (it is ${STAGE_LABELS_LOWERCASE[state.stage]})`;
    default:
      return null;
  }
}

export function applyCommand(state: LeadState, command: Command, now: Date): LifecycleEvent[] {
  const at = now.toISOString();
  const events: LifecycleEvent[] = [];
  switch (command.type) {
    case 'pause':
      state.paused = { since: at, until: command.until ?? null };
      state.nextStep = { action: 'Seguimiento en pausa: reanudar', dueAt: command.until ?? inDays(now, 14, state.policy.dayMs) };
      events.push({ type: 'lead_paused', occurredAt: at, data: { until: command.until ?? null } });
      break;
    case 'resume':
      state.paused = null;
      events.push({ type: 'lead_resumed', occurredAt: at, data: {} });
      break;
    case 'reassign':
      events.push({ type: 'lead_reassigned', occurredAt: at, data: { from: state.owner, to: command.owner } });
      state.owner = command.owner;
      break;
    case 'update_lead':
      Object.assign(state.lead, command.changes);
      state.contactProblem = false;
      events.push({ type: 'lead_updated', occurredAt: at, data: { fields: Object.keys(command.changes) } });
      break;
    case 'reactivate':
      events.push(...restartCadence(state, at, 'command'));
      break;
  }
  return events;
}

/** A dormant lead back into an active follow-up: a fresh pass through its cadence, counted as reactivated. */
function restartCadence(state: LeadState, at: string, by: string): LifecycleEvent[] {
  const events: LifecycleEvent[] = [
    { type: 'lead_reactivated', occurredAt: at, data: { from: state.stage, by } },
    { type: 'stage_changed', occurredAt: at, data: { from: state.stage, to: 'contacting' } },
  ];
  state.stage = 'contacting';
  state.stageSince = at;
  state.cadenceRun += 1;
  state.cadenceStartedAt = at;
  state.counts.reactivations += 1;
  state.nurturingTouchesSent = 0;
  state.lastProgressAt = at;
  return events;
}

/**
 * The same person arrived again (a form, an import, Zoho): noted; a dormant lead is reactivated. With
 * `course` (the workflow passes it only under its patch), another course is taken in: a dormant lead
 * is followed up for the course asked about now (the earlier one is kept among its other courses); an
 * active one keeps its cadence and course and adds the new one, which its scripts and mails mention.
 */
export function applyReturn(state: LeadState, { source, course }: LeadReturn, now: Date): LifecycleEvent[] {
  if (isTerminal(state.stage)) return [];
  const at = now.toISOString();
  const dormant = DORMANT_STAGES.includes(state.stage);
  const events: LifecycleEvent[] = [{ type: 'lead_returned', occurredAt: at, data: course ? { source, course: course.code } : { source } }];
  if (course && course.code !== state.lead.course.code) {
    const others = (state.lead.otherCourses ?? []).filter((c) => c.code !== course.code);
    if (dormant) {
      others.push({ code: state.lead.course.code, name: state.lead.course.name });
      state.lead.course = { code: course.code, name: course.name };
    } else {
      others.push(course);
    }
    state.lead.otherCourses = others;
  }
  if (dormant) events.push(...restartCadence(state, at, 'new_interaction'));
  return events;
}
