import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { leadInputSchema, type Lead } from '../domain/lead';
import type { LeadState } from '../domain/lead-state';
import { getLeadState } from '../domain/messages';
import {
  LEAD_COUNTRY, LEAD_COURSE, LEAD_ID, LEAD_OWNER, LEAD_SOURCE, LEAD_STAGE,
} from '../domain/search-attributes';
import { TASK_QUEUE, type LeadWorkflowInput } from '../domain/workflow-input';
import { NotFoundError, UnavailableError } from './errors';

export type EnrolResult = { created: boolean; leadId: string; workflowId: string; stage: LeadState['stage'] };

/** Temporal failing to answer is an outage, not bad input: callers get a 503 and can retry. */
function unavailable(err: unknown): never {
  if (err instanceof WorkflowNotFoundError) throw new NotFoundError('No lead with that id');
  const code = (err as { code?: number }).code;
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) mean the server could not be reached.
  if (code === 14 || code === 4) throw new UnavailableError('Temporal is not reachable right now; try again shortly');
  throw err;
}

export class LeadService {
  constructor(private readonly client: Client, private readonly publicUrl: string) {}

  /** Starts the lead's workflow, or finds the one the same person already has. */
  async enrol(body: unknown, now = new Date()): Promise<EnrolResult> {
    const input = leadInputSchema.parse(body);
    const leadId = leadIdFor(input.email);
    const lead: Lead = { ...input, leadId, createdAt: input.createdAt ?? now.toISOString() };
    const workflowId = leadWorkflowId(lead);
    try {
      await this.client.workflow.start('leadWorkflow', {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [{ lead, publicUrl: this.publicUrl } satisfies LeadWorkflowInput],
        // Even after the lead's workflow has ended (enrolled, opted out) the same person is never re-enrolled.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: LEAD_ID, value: leadId },
          { key: LEAD_STAGE, value: 'new' },
          { key: LEAD_OWNER, value: 'sin asignar' },
          { key: LEAD_COUNTRY, value: lead.country },
          { key: LEAD_COURSE, value: lead.course.code },
          { key: LEAD_SOURCE, value: lead.source },
        ],
        staticSummary: `${lead.firstName} ${lead.lastName} · ${lead.course.name} (${lead.country})`,
        staticDetails: `Lead ${leadId} de ${lead.source}, perfil ${lead.profile}, curso ${lead.course.code}`,
      });
      return { created: true, leadId, workflowId, stage: 'new' };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) unavailable(err);
      const state = await this.state(leadId).catch(() => null);
      return { created: false, leadId, workflowId, stage: state?.stage ?? 'new' };
    }
  }

  async state(leadId: string): Promise<LeadState> {
    if (!/^L-[0-9a-z]{13}$/.test(leadId)) throw new NotFoundError('No lead with that id');
    try {
      return await this.client.workflow.getHandle(leadWorkflowId({ leadId })).query(getLeadState);
    } catch (err) {
      unavailable(err);
    }
  }
}
