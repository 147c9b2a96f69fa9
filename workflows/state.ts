import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { LeadState } from '../domain/lead-state';
import { LEAD_COURSE, LEAD_NEXT_TOUCH_AT, LEAD_OWNER, LEAD_STAGE } from '../domain/search-attributes';
import { SLA_STATUS_LABELS, STAGE_LABELS } from '../domain/texts';
import type { LeadWorkflowInput } from '../domain/workflow-input';

export function initialState({ lead, cadence, policy }: LeadWorkflowInput, workflowId: string): LeadState {
  const enrolledAt = new Date().toISOString();
  const slaDueAt = new Date(Date.parse(lead.createdAt) + policy.slaDays * policy.dayMs).toISOString();
  return {
    leadId: lead.leadId,
    workflowId,
    stage: 'new',
    stageSince: enrolledAt,
    owner: null,
    closer: null,
    lead,
    cadence,
    policy,
    enrolledAt,
    zohoLeadId: null,
    touches: [],
    nextStep: { action: 'Primer contacto', dueAt: slaDueAt },
    sla: { dueAt: slaDueAt, status: 'pending', firstContactAt: null },
    paused: null,
    contactProblem: false,
    lostReason: null,
    outcomes: [],
    lastProgressAt: enrolledAt,
    cadenceRun: 1,
    cadenceStartedAt: lead.createdAt,
    stall: null,
    nurturingTouchesSent: 0,
    counts: { touchesDone: 0, touchesMissed: 0, outcomes: 0, reactivations: 0, escalations: 0 },
    revision: 0,
  };
}

const sameValue = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null));

/**
 * Keeps what the Temporal UI shows (search attributes, current details) in step with the state. Only
 * the attributes whose value changed are upserted: each upsert is a history event (and a billed
 * action). Runs from before that upserted all of them every time.
 */
export function publish(state: LeadState): void {
  const all: SearchAttributeUpdatePair[] = [
    { key: LEAD_STAGE, value: state.stage },
    { key: LEAD_OWNER, value: state.owner ?? 'sin asignar' },
    // A dormant person back for another course is followed up for that one now.
    { key: LEAD_COURSE, value: state.lead.course.code },
    { key: LEAD_NEXT_TOUCH_AT, value: state.nextStep ? new Date(state.nextStep.dueAt) : null },
  ];
  const current = workflowInfo().typedSearchAttributes;
  const changed = patched('publish-changes-only') ? all.filter(({ key, value }) => !sameValue(current.get(key as never), value)) : all;
  if (changed.length) upsertSearchAttributes(changed);
  const next = state.nextStep ? `${state.nextStep.action} · vence ${state.nextStep.dueAt.slice(0, 16).replace('T', ' ')} UTC` : '—';
  setCurrentDetails(
    [
      `**Etapa:** ${STAGE_LABELS[state.stage]}${state.paused ? ' (en pausa)' : ''}`,
      `**Próximo paso:** ${next}`,
      `**Toques:** ${state.counts.touchesDone} hechos · ${state.counts.touchesMissed} perdidos · cadencia ${state.cadence.id} v${state.cadence.version}`,
      `**SLA primer contacto:** ${SLA_STATUS_LABELS[state.sla.status]}`,
    ].join('\n\n'),
  );
}
