import {
  Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { findCadence, selectCadence } from '../domain/cadence';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { leadInputSchema, webFormInputSchema, type Lead, type ReturningLead } from '../domain/lead';
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
import { UpdateRequests } from '../integrations/ledger/update-requests';
import { Interests, type Interest } from '../integrations/ledger/interests';
import { leadViewOf } from '../domain/lead-view';
import { ConflictError, NotFoundError, RejectedError, UnavailableError } from './errors';
import { parseIdempotencyKey, requestHash, updateIdFor, type UpdateKind } from './idempotency';

/** One follow-up of a person: a run of the lead's workflow (with the runs it continued as). */
export interface FollowUp { runId: string; startedAt: string; course: { code: string; name: string }; returning: boolean; endedAs: string | null }

/** `created`: a follow-up started (`returning`: for a person whose last one ended lost or enrolled). */
export type EnrolResult = { created: boolean; leadId: string; workflowId: string; stage: LeadState['stage']; returning?: ReturningLead['previousStage'] };

/**
 * `idempotencyKey`: the client's key for this request (API header `Idempotency-Key`, a web form's
 * hidden key). The same key again on the same lead and endpoint is the same request: it is recorded
 * once and answered with the first request's result. Without one, every request records anew.
 */
export type UpdateOptions = { idempotencyKey?: string };

/** Temporal failing to answer is an outage, not bad input: callers get a 503 and can retry. */
function unavailable(err: unknown): never {
  if (err instanceof WorkflowNotFoundError) throw new NotFoundError('No lead with that id');
  // The lead's workflow did not take the update in time (its worker is down or it is stuck).
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw new UnavailableError('The lead did not answer in time; try again shortly');
  // The client's ServiceError carries the gRPC status in its cause.
  const code = (err as { code?: number }).code ?? (err as { cause?: { code?: number } }).cause?.code;
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) mean the server could not be reached.
  if (code === 14 || code === 4) throw new UnavailableError('Temporal is not reachable right now; try again shortly');
  throw err;
}

/** How long an opt-out waits for Temporal to take its signal before answering without it. */
const OPT_OUT_SIGNAL_DEADLINE_MS = 5_000;

export class LeadService {
  private readonly client: Client;
  private readonly ledger: Ledger;
  private readonly publicUrl: string;
  private readonly policy: FollowUpPolicy;
  private readonly views: LeadViews;
  private readonly requests: UpdateRequests;
  private readonly interests: Interests;

  constructor({ temporal, ledger, publicUrl, policy }: { temporal: Client; ledger: Ledger; publicUrl: string; policy: FollowUpPolicy }) {
    this.client = temporal;
    this.ledger = ledger;
    this.views = new LeadViews(ledger.pool);
    this.requests = new UpdateRequests(ledger.pool);
    this.interests = new Interests(ledger.pool);
    this.publicUrl = publicUrl;
    this.policy = policy;
  }

  /**
   * One person per normalised email (the lead id), many interests. A new person starts a follow-up;
   * a person whose last follow-up ended lost or enrolled starts a new one for what they ask now (a new
   * run of the same workflow id, alumni with their own cadence); a person being followed up is told
   * to that follow-up; an opted-out person is never followed up again. Every interest is recorded.
   */
  async enrol(body: unknown, now = new Date()): Promise<EnrolResult> {
    const input = leadInputSchema.parse(body);
    const leadId = leadIdFor(input.email);
    const lead: Lead = { ...input, leadId, createdAt: input.createdAt ?? now.toISOString() };
    const workflowId = leadWorkflowId(lead);
    const interest = { leadId, course: { code: lead.course.code, name: lead.course.name }, source: lead.source, benefit: lead.benefit };
    // Opted out is forever, even after Temporal's retention has forgotten the old workflow.
    if (await this.ledger.isOptedOut({ leadId })) {
      await this.interests.record({ ...interest, outcome: 'opted_out' });
      return { created: false, leadId, workflowId, stage: 'opted_out' };
    }
    try {
      const runId = await this.startFollowUp(lead, 'REJECT_DUPLICATE');
      await this.interests.record({ ...interest, outcome: 'new_lead', runId });
      return { created: true, leadId, workflowId, stage: 'new' };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) unavailable(err);
    }
    const ended = await this.endedFollowUp(leadId);
    if (ended) {
      try {
        const runId = await this.startFollowUp({ ...lead, returning: ended }, 'ALLOW_DUPLICATE');
        await this.interests.record({ ...interest, outcome: 'new_follow_up', runId, previousStage: ended.previousStage });
        return { created: true, leadId, workflowId, stage: 'new', returning: ended.previousStage };
      } catch (err) {
        // Another interest of the same person started it a moment ago: this one joins it below.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) unavailable(err);
      }
    }
    // The new interaction reaches the follow-up that is running (and wakes it up if it was dormant).
    await this.handle(leadId).signal(leadReturned, { source: lead.source, course: { code: lead.course.code, name: lead.course.name } }).catch((e: unknown) => {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    });
    await this.interests.record({ ...interest, outcome: 'existing_follow_up' });
    const state = await this.state(leadId).catch(() => null);
    return { created: false, leadId, workflowId, stage: state?.stage ?? 'new' };
  }

  /** Starts a follow-up (a run of the lead's workflow) and answers its run id. */
  private async startFollowUp(lead: Lead, workflowIdReusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE'): Promise<string> {
    const alumni = lead.returning?.previousStage === 'enrolled';
    const handle = await this.client.workflow.start('leadWorkflow', {
      workflowId: leadWorkflowId(lead),
      taskQueue: TASK_QUEUE,
      args: [{
        lead,
        cadence: selectCadence({ profile: lead.profile, country: lead.country, courseCode: lead.course.code, alumni }),
        policy: this.policy,
        publicUrl: this.publicUrl,
      } satisfies LeadWorkflowInput],
      // A new person: never a second start. A returning one: only once the last follow-up has closed
      // (Temporal refuses a start while a run is open, so two returns at once start one).
      workflowIdReusePolicy,
      typedSearchAttributes: [
        { key: LEAD_ID, value: lead.leadId },
        { key: LEAD_STAGE, value: 'new' },
        { key: LEAD_OWNER, value: 'sin asignar' },
        { key: LEAD_COUNTRY, value: lead.country },
        { key: LEAD_COURSE, value: lead.course.code },
        { key: LEAD_SOURCE, value: lead.source },
      ],
      staticSummary: `${lead.firstName} ${lead.lastName} · ${lead.course.name} (${lead.country})${lead.returning ? ` · vuelve (${lead.returning.previousStage === 'enrolled' ? 'egresado' : 'perdido'})` : ''}`,
      staticDetails: `Lead ${lead.leadId} de ${lead.source}, perfil ${lead.profile}, curso ${lead.course.code}`,
    });
    return handle.firstExecutionRunId;
  }

  /**
   * How the person's last follow-up ended, when it closed lost or enrolled: such a person may start a
   * new one. Null while one runs, or when it ended otherwise (opted out, or an operator stopped it).
   */
  private async endedFollowUp(leadId: string): Promise<ReturningLead | null> {
    const { status } = await this.handle(leadId).describe().catch(unavailable);
    if (status.name === 'RUNNING') return null;
    // The lists' snapshot is written as the workflow closes and needs no worker to read.
    const view = await this.views.get({ leadId });
    const last = view ? { stage: view.stage, course: { code: view.courseCode, name: view.courseName } } : await this.state(leadId).then((s) => ({ stage: s.stage, course: s.lead.course }));
    if (last.stage !== 'lost' && last.stage !== 'enrolled') return null;
    return { previousStage: last.stage, previousCourse: { code: last.course.code, name: last.course.name } };
  }

  /** A lead from the website's public form, which may neither backdate it nor name another source. */
  async enrolFromWebForm(body: unknown): Promise<EnrolResult> {
    return this.enrol(webFormInputSchema.parse(body));
  }

  /**
   * Every interest of the person and the follow-ups they started, oldest first; the last follow-up is
   * the current one (`endedAs` null), each earlier one ended as the next one's interest recorded.
   */
  async history(leadId: string): Promise<{ interests: Interest[]; followUps: FollowUp[] }> {
    const interests = await this.interests.of({ leadId });
    const started = interests.filter((i) => i.runId !== null);
    const followUps = started.map((i, k): FollowUp => ({
      runId: i.runId!, startedAt: i.receivedAt, course: i.course, returning: i.outcome === 'new_follow_up', endedAs: started[k + 1]?.previousStage ?? null,
    }));
    return { interests, followUps };
  }

  async state(leadId: string): Promise<LeadState> {
    try {
      return await this.handle(leadId).query(getLeadState);
    } catch (err) {
      unavailable(err);
    }
  }

  /** Records an outcome through a workflow update: the answer is the lead's new state. */
  async recordOutcome(leadId: string, body: unknown, { idempotencyKey }: UpdateOptions = {}): Promise<LeadState> {
    const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey');
    const outcome = outcomeSchema.parse(body);
    return this.update(leadId, () => this.send(leadId, { kind: 'outcome', key }, recordOutcome, [outcome]));
  }

  async runCommand(leadId: string, body: unknown, { idempotencyKey }: UpdateOptions = {}): Promise<LeadState> {
    const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey');
    const command = commandSchema.parse(body);
    return this.update(leadId, () => this.send(leadId, { kind: 'command', key }, runCommand, [command]));
  }

  /** An operator deliberately moves one lead to a published cadence version. */
  async changeCadence(leadId: string, body: unknown, { idempotencyKey }: UpdateOptions = {}): Promise<LeadState> {
    const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey');
    const { cadenceId, version } = cadenceChoiceSchema.parse(body);
    const cadence = findCadence(cadenceId, version);
    if (!cadence) throw new RejectedError(`No published cadence ${cadenceId} version ${version}`);
    return this.update(leadId, () => this.send(leadId, { kind: 'cadence', key }, changeCadence, [{ cadence }]));
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

  /**
   * The lead asked to hear nothing more. Done once the ledger has it: from then on no message leaves
   * for this lead (checked where each one is claimed), and a send that meets the opt-out closes the
   * workflow too. The workflow is told at once by a signal, which Temporal keeps even while no worker
   * runs; if Temporal itself cannot be reached, the person is still answered "done".
   */
  async optOut(leadId: string, source: string): Promise<{ workflowTold: boolean }> {
    await this.ledger.recordOptOut({ leadId, source });
    try {
      await this.client.withDeadline(Date.now() + OPT_OUT_SIGNAL_DEADLINE_MS, () => this.handle(leadId).signal(outcomeSignal, { type: 'opted_out', by: source }));
      return { workflowTold: true };
    } catch (err) {
      // Already closed (enrolled, lost, opted out before): the ledger entry is what keeps them out.
      return { workflowTold: err instanceof WorkflowNotFoundError };
    }
  }

  private handle(leadId: string) {
    if (!/^L-[0-9a-z]{13}$/.test(leadId)) throw new NotFoundError('No lead with that id');
    return this.client.workflow.getHandle(leadWorkflowId({ leadId }));
  }

  /**
   * Sends an update; under a client's key, as the update id that key names. Temporal answers a
   * repeated update id with the first one's outcome (also once the run has closed), but only within
   * one run: a lead that continued-as-new between two tries would record the outcome again. So the
   * key is bound in the ledger to the run it was first sent to, and every try goes to that run. If that
   * run closed without ever taking the update, the key moves on to the lead's current run.
   */
  private async send<Args extends [unknown, ...unknown[]]>(
    leadId: string, { kind, key }: { kind: UpdateKind; key: string | undefined }, def: UpdateDefinition<LeadState, Args>, args: Args,
  ): Promise<LeadState> {
    const handle = this.handle(leadId);
    if (key === undefined) return handle.executeUpdate(def, { args });
    const updateId = updateIdFor(kind, key);
    let runId = await this.bindRun({ leadId, updateId, bodyHash: requestHash(args) });
    // Without the ledger, Temporal's own dedupe within the current run still holds.
    if (runId === null) return handle.executeUpdate(def, { args, updateId });
    for (let moves = 0; ; moves += 1) {
      try {
        return await this.client.workflow.getHandle(handle.workflowId, runId).executeUpdate(def, { args, updateId });
      } catch (err) {
        // "Already completed" from a run that never took this update id; anything else is the answer.
        if (!(err instanceof WorkflowNotFoundError) || moves >= 5) throw err;
        const current = (await handle.describe()).runId;
        if (current === runId) throw err; // the lead itself has closed
        const from: string = runId;
        runId = await this.requests.rebind({ leadId, updateId, from, to: current }).catch(() => current);
      }
    }
  }

  /** The run a key is bound to (binding it to the current run the first time), or null without a ledger. */
  private async bindRun({ leadId, updateId, bodyHash }: { leadId: string; updateId: string; bodyHash: string }): Promise<string | null> {
    // The ledger briefly unreachable must not stop an executive from recording: we go on without it.
    const unreachable = () => undefined;
    let bound = await this.requests.find({ leadId, updateId }).catch(unreachable);
    if (bound === null) {
      const { runId } = await this.handle(leadId).describe();
      bound = await this.requests.claim({ leadId, updateId, bodyHash, runId }).catch(unreachable);
    }
    if (bound === undefined) return null;
    // Answering with the first request's result would tell the client its different request was recorded.
    if (bound.bodyHash !== bodyHash) throw new ConflictError('This Idempotency-Key was already used for a different request on this lead');
    return bound.runId;
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
