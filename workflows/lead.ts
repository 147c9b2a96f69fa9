import {
  ActivityFailure,
  type ActivityOptions,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { firstCallScript } from '../domain/call-script';
import { DEFAULT_CADENCE } from '../domain/cadence';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';
import { touchKey } from '../domain/ids';
import { TERMINAL_STAGES } from '../domain/lead';
import type { LeadState, Touch } from '../domain/lead-state';
import { getLeadState } from '../domain/messages';
import { LEAD_NEXT_TOUCH_AT, LEAD_OWNER, LEAD_STAGE } from '../domain/search-attributes';
import type { LeadWorkflowInput } from '../domain/workflow-input';

const DAY_MS = 24 * 60 * 60 * 1000;

const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
} satisfies ActivityOptions;

const { recordLeadEvent, syncLeadToZoho, createCallTask, sendTouchEmail } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

function detailsMarkdown(state: LeadState): string {
  const next = state.nextStep ? `${state.nextStep.action} · vence ${state.nextStep.dueAt}` : '—';
  return [
    `**Etapa:** ${state.stage}`,
    `**Próximo paso:** ${next}`,
    `**Toques:** ${state.counts.touchesDone} hechos, ${state.counts.touchesPlanned} planificados`,
  ].join('\n\n');
}

/** One lead's whole follow-up. The workflow is the source of truth for where the lead is. */
export async function leadWorkflow({ lead }: LeadWorkflowInput): Promise<void> {
  const cadence = DEFAULT_CADENCE;
  const state: LeadState = {
    leadId: lead.leadId,
    workflowId: workflowInfo().workflowId,
    stage: 'new',
    owner: null,
    lead,
    cadence: { id: cadence.id, version: cadence.version },
    zohoLeadId: null,
    touches: [],
    nextStep: null,
    counts: { touchesDone: 0, touchesPlanned: 0 },
  };
  setHandler(getLeadState, () => state);
  const publish = () => {
    upsertSearchAttributes([
      { key: LEAD_STAGE, value: state.stage },
      { key: LEAD_OWNER, value: state.owner ?? 'sin asignar' },
      { key: LEAD_NEXT_TOUCH_AT, value: state.nextStep ? new Date(state.nextStep.dueAt) : null },
    ]);
    setCurrentDetails(detailsMarkdown(state));
  };
  publish();

  const enrolledAt = new Date();
  await recordLeadEvent({ leadId: lead.leadId, type: 'lead_enrolled', occurredAt: enrolledAt.toISOString(), data: { source: lead.source } });

  // A CRM that refuses the record must not stop the follow-up: the touch still reaches the queue.
  try {
    const { zohoLeadId } = await syncLeadToZoho.executeWithOptions(
      { ...ACTIVITY_OPTIONS, summary: 'Zoho: crear o actualizar lead' },
      [{ lead, status: 'Not Contacted' }],
    );
    state.zohoLeadId = zohoLeadId;
  } catch (err) {
    await recordLeadEvent({ leadId: lead.leadId, type: 'crm_sync_failed', occurredAt: new Date().toISOString(), data: { error: failureMessage(err) } });
  }

  // Day 1 of the cadence: a call task for the owner, due within the 24 h first-contact SLA.
  const callStep = cadence.steps[0]!;
  const callDue = new Date(new Date(lead.createdAt).getTime() + DAY_MS).toISOString();
  const call: Touch = { step: 1, channel: callStep.channel, template: callStep.template, status: 'planned', dueAt: callDue };
  if (state.zohoLeadId) {
    const { taskId } = await createCallTask.executeWithOptions(
      { ...ACTIVITY_OPTIONS, summary: `Toque 1/${cadence.maxTouches} · llamada (tarea en Zoho)` },
      [{
        lead,
        zohoLeadId: state.zohoLeadId,
        touchKey: touchKey({ leadId: lead.leadId, step: 1, attempt: 1 }),
        dueDate: callDue.slice(0, 10),
        subject: `Llamar a ${lead.firstName} ${lead.lastName}: ${lead.course.name}`,
        script: firstCallScript({ lead }),
      }],
    );
    call.ref = taskId;
  }
  state.touches.push(call);
  state.counts.touchesPlanned += 1;
  await recordLeadEvent({ leadId: lead.leadId, type: 'touch_planned', occurredAt: new Date().toISOString(), data: { step: 1, channel: 'call', dueAt: callDue, zohoTaskId: call.ref ?? null } });

  let nextAction = 'Llamada del día 1';
  try {
    const { messageId } = await sendTouchEmail.executeWithOptions(
      { ...ACTIVITY_OPTIONS, summary: 'Correo de bienvenida' },
      [{ lead, touchKey: touchKey({ leadId: lead.leadId, step: 0, attempt: 1 }), template: 'welcome' }],
    );
    const sentAt = new Date().toISOString();
    state.touches.push({ step: 0, channel: 'email', template: 'welcome', status: 'done', dueAt: sentAt, doneAt: sentAt, ref: messageId });
    state.counts.touchesDone += 1;
    await recordLeadEvent({ leadId: lead.leadId, type: 'email_sent', occurredAt: sentAt, data: { template: 'welcome', messageId } });
  } catch (err) {
    // Only permanent rejections get here (temporary ones are retried): the address needs a human.
    nextAction = 'Verificar el correo del lead (rechazado) y llamar';
    await recordLeadEvent({ leadId: lead.leadId, type: 'email_failed', occurredAt: new Date().toISOString(), data: { template: 'welcome', error: failureMessage(err) } });
  }

  state.stage = 'contacting';
  state.nextStep = { action: nextAction, dueAt: callDue };
  publish();
  log.info('Lead enrolled and first touch planned', { leadId: lead.leadId });

  // Outcomes (issue: lead lifecycle) will move the lead on; until then it waits, durably.
  await condition(() => TERMINAL_STAGES.includes(state.stage));
}
