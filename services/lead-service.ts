import {
  Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { findCadence, selectCadence } from '../domain/cadence';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { leadInputSchema, type Lead } from '../domain/lead';
import type { LeadState } from '../domain/lead-state';
import { changeCadence, getLeadState, leadReturned, outcomeSignal, recordOutcome, runCommand } from '../domain/messages';
import { cadenceChoiceSchema, commandSchema, outcomeSchema } from '../domain/outcomes';
import type { FollowUpPolicy } from '../domain/policy';
import {
  LEAD_COUNTRY, LEAD_COURSE, LEAD_ID, LEAD_OWNER, LEAD_SOURCE, LEAD_STAGE,
} from '../domain/search-attributes';
import { TASK_QUEUE, type LeadWorkflowInput } from '../domain/workflow-input';
import type { Ledger } from '../integrations/ledger/ledger';
import { LeadViews } from '../integrations/ledger/lead-views';
import { leadViewOf } from '../domain/lead-view';
import { NotFoundError, RejectedError, UnavailableError } from './errors';

export type EnrolResult = { created: boolean; leadId: string; workflowId: string; stage: LeadState['stage'] };

/** Temporal failing to answer is an outage, not bad input: callers get a 503 and can retry. */
function unavailable(err: unknown): never {
  if (err instanceof WorkflowNotFoundError) throw new NotFoundError('No lead with that id');
  // The lead's workflow did not take the update in time (its worker is down or it is stuck).
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw new UnavailableError('The lead did not answer in time; try again shortly');
  const code = (err as { code?: number }).code;
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) mean the server could not be reached.
  if (code === 14 || code === 4) throw new UnavailableError('Temporal is not reachable right now; try again shortly');
  throw err;
}

export class LeadService {
  private readonly client: Client;
  private readonly ledger: Ledger;
  private readonly publicUrl: string;
  private readonly policy: FollowUpPolicy;
  private readonly views: LeadViews;

  constructor({ temporal, ledger, publicUrl, policy }: { temporal: Client; ledger: Ledger; publicUrl: string; policy: FollowUpPolicy }) {
    this.client = temporal;
    this.ledger = ledger;
    this.views = new LeadViews(ledger.pool);
    this.publicUrl = publicUrl;
    this.policy = policy;
  }

  /** Starts the lead's workflow, or finds the one the same person already has. */
  async enrol(body: unknown, now = new Date()): Promise<EnrolResult> {
    const input = leadInputSchema.parse(body);
    const leadId = leadIdFor(input.email);
    const lead: Lead = { ...input, leadId, createdAt: input.createdAt ?? now.toISOString() };
    const workflowId = leadWorkflowId(lead);
    // Opted out is forever, even after Temporal's retention has forgotten the old workflow.
    if (await this.ledger.isOptedOut({ leadId })) return { created: false, leadId, workflowId, stage: 'opted_out' };
    try {
      await this.client.workflow.start('leadWorkflow', {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [{
          lead,
          cadence: selectCadence({ profile: lead.profile, country: lead.country, courseCode: lead.course.code }),
          policy: this.policy,
          publicUrl: this.publicUrl,
        } satisfies LeadWorkflowInput],
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
      // The new interaction reaches the existing lead (and wakes it up if it was dormant).
      await this.handle(leadId).signal(leadReturned, { source: lead.source }).catch((e: unknown) => {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      });
      const state = await this.state(leadId).catch(() => null);
      return { created: false, leadId, workflowId, stage: state?.stage ?? 'new' };
    }
  }

  async state(leadId: string): Promise<LeadState> {
    try {
      return await this.handle(leadId).query(getLeadState);
    } catch (err) {
      unavailable(err);
    }
  }

  /** Records an outcome through a workflow update: the answer is the lead's new state. */
  async recordOutcome(leadId: string, body: unknown): Promise<LeadState> {
    const outcome = outcomeSchema.parse(body);
    return this.update(leadId, () => this.handle(leadId).executeUpdate(recordOutcome, { args: [outcome] }));
  }

  async runCommand(leadId: string, body: unknown): Promise<LeadState> {
    const command = commandSchema.parse(body);
    return this.update(leadId, () => this.handle(leadId).executeUpdate(runCommand, { args: [command] }));
  }

  /** An operator deliberately moves one lead to a published cadence version. */
  async changeCadence(leadId: string, body: unknown): Promise<LeadState> {
    const { cadenceId, version } = cadenceChoiceSchema.parse(body);
    const cadence = findCadence(cadenceId, version);
    if (!cadence) throw new RejectedError(`No published cadence ${cadenceId} version ${version}`);
    return this.update(leadId, () => this.handle(leadId).executeUpdate(changeCadence, { args: [{ cadence }] }));
  }

  /** An outcome nobody waits for (webhooks): the workflow validates it and drops what makes no sense. */
  async signalOutcome(leadId: string, body: unknown): Promise<void> {
    const outcome = outcomeSchema.parse(body);
    try {
      await this.handle(leadId).signal(outcomeSignal, outcome);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RejectedError('The lead is closed: no further outcomes can be recorded');
      unavailable(err);
    }
  }

  /** The lead asked to hear nothing more: recorded first in the ledger (forever), then in the workflow. */
  async optOut(leadId: string, source: string): Promise<void> {
    await this.ledger.recordOptOut({ leadId, at: new Date().toISOString(), source });
    try {
      await this.handle(leadId).executeUpdate(recordOutcome, { args: [{ type: 'opted_out', by: source }] });
    } catch (err) {
      // Already closed (enrolled, lost, opted out before): the ledger entry is what keeps them out.
      if (!(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError)) unavailable(err);
    }
  }

  private handle(leadId: string) {
    if (!/^L-[0-9a-z]{13}$/.test(leadId)) throw new NotFoundError('No lead with that id');
    return this.client.workflow.getHandle(leadWorkflowId({ leadId }));
  }

  private async update(leadId: string, send: () => Promise<LeadState>): Promise<LeadState> {
    let state: LeadState;
    try {
      state = await send();
    } catch (err) {
      // The workflow's validator said no: the message is written for the person who asked.
      if (err instanceof WorkflowUpdateFailedError) throw new RejectedError(err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) {
        // A lead whose workflow has closed (enrolled, lost, opted out) still answers queries.
        const closed = await this.state(leadId);
        throw new RejectedError(`The lead is closed (${closed.stage}): no further outcomes can be recorded`);
      }
      unavailable(err);
    }
    // Lists show the change at once; if this write fails, the workflow's own snapshot follows anyway.
    await this.views.save(leadViewOf(state), { replaceSameRevision: false }).catch(() => undefined);
    return state;
  }
}
