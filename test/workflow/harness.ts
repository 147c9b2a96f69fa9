import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { SendTouchEmailResult } from '../../domain/effects';
import { followLeadEvent } from '../../activities/follow-lead-event';
import { planTouchSlot } from '../../activities/touch-slot';
import { selectCadence } from '../../domain/cadence';
import { leadIdFor, leadWorkflowId } from '../../domain/ids';
import { leadInputSchema, type Lead, type LeadInput } from '../../domain/lead';
import { defaultPolicy, type FollowUpPolicy } from '../../domain/policy';
import type { LeadWorkflowInput } from '../../domain/workflow-input';
import { aLead } from '../support/leads';
import { timeSkippingEnv } from '../support/temporal';
import { bundleLeadWorkflows } from '../../workers/lead-worker';

/** What the lead experienced, in workflow (server) time. */
export interface SideEffect {
  kind: 'email' | 'task' | 'escalation' | 'zoho-stage' | 'zoho-note' | 'zoho-call' | 'queued' | 'integration-failure';
  at: number;
  detail: string;
  key?: string;
  attempt?: number;
}

/**
 * Activities for workflow tests: the real calendar (business hours, holidays), recording fakes for the
 * I/O. `at` is the server's clock, which time-skipping moves.
 */
export const DEFAULT_OWNER = 'ana.perez@empresa.example';

export function recordingActivities(hooks: {
  onEmail?: (template: string, key: string) => Promise<void> | void;
  failEmail?: 'permanent';
  /** What the send's claim found instead of sending (the ledger's answer); sent when absent. */
  emailOutcome?: (template: string) => SendTouchEmailResult | undefined;
  /** Activities that fail for good on every call. */
  failForGood?: (keyof Activities)[];
  /** Who routing picks (null: everyone is at their cap); the default owner when absent. */
  assign?: () => string | null;
} = {}) {
  const effects: SideEffect[] = [];
  const events: { type: string; occurredAt: string; data?: Record<string, unknown> }[] = [];
  const at = () => Context.current().info.currentAttemptScheduledTimestampMs;
  const activities: Activities = {
    async recordLeadEvent(e) {
      events.push(e);
    },
    // The real composition, over these recording parts (a part made to fail for good fails it too).
    followLeadEvent: (input) => followLeadEvent(activities)(input),
    async syncLeadToZoho() {
      return { zohoLeadId: '5843000000123001' };
    },
    async updateZohoStage({ stage }) {
      effects.push({ kind: 'zoho-stage', at: at(), detail: stage });
    },
    async createTouchTask({ channel, touchKey }) {
      effects.push({ kind: 'task', at: at(), detail: `${channel} ${touchKey}` });
      return { taskId: `task-${touchKey}` };
    },
    async sendTouchEmail({ template, touchKey }) {
      if (hooks.failEmail === 'permanent') throw ApplicationFailure.create({ type: 'PermanentDeliveryError', message: '550 mailbox unavailable' });
      const instead = hooks.emailOutcome?.(template);
      if (instead) return instead;
      // Like the real activity (ledger.once): a retried attempt of the same touch does not send again.
      if (effects.some((e) => e.key === touchKey)) return { messageId: `<${touchKey}@seguimiento>` };
      effects.push({ kind: 'email', at: at(), detail: template, key: touchKey, attempt: Context.current().info.attempt });
      await hooks.onEmail?.(template, touchKey);
      return { messageId: `<${touchKey}@seguimiento>` };
    },
    planTouchSlot,
    async assignLead() {
      const owner = hooks.assign ? hooks.assign() : DEFAULT_OWNER;
      // The real queue notices a lead only once.
      const newlyQueued = owner === null && !effects.some((e) => e.kind === 'queued');
      if (newlyQueued) effects.push({ kind: 'queued', at: at(), detail: 'general' });
      return { owner, pool: 'general', newlyQueued };
    },
    async addZohoNote({ title }) {
      effects.push({ kind: 'zoho-note', at: at(), detail: title });
    },
    async convertZohoLead() {
      effects.push({ kind: 'zoho-note', at: at(), detail: 'converted' });
    },
    async logZohoCall({ result }) {
      effects.push({ kind: 'zoho-call', at: at(), detail: result });
    },
    async escalate({ kind }) {
      effects.push({ kind: 'escalation', at: at(), detail: kind });
    },
    async reportIntegrationFailure({ callSite }) {
      effects.push({ kind: 'integration-failure', at: at(), detail: callSite });
    },
  };
  // A permanent failure (a revoked token, a record Zoho refuses) of the chosen activities, every time.
  for (const name of hooks.failForGood ?? []) {
    (activities as Record<string, unknown>)[name] = async () => {
      throw ApplicationFailure.create({ type: 'ZohoAuthError', message: `${name}: the refresh token was revoked`, nonRetryable: true });
    };
  }
  return { activities, effects, events };
}

export function leadAt(createdAt: string, overrides: Partial<LeadInput> = {}): Lead {
  const input = leadInputSchema.parse({ ...aLead(overrides), createdAt });
  return { ...input, leadId: leadIdFor(input.email), createdAt };
}

/** Moves the test server's clock forward to `iso` (time-skipping makes the wait instant). */
export async function travelTo(env: TestWorkflowEnvironment, iso: string): Promise<void> {
  const ms = Date.parse(iso) - (await env.currentTimeMs());
  if (ms < 0) throw new Error(`cannot travel back to ${iso}`);
  await env.sleep(ms);
}

export async function startLead({
  env, bundle, lead, activities, policy = defaultPolicy(),
}: { env: TestWorkflowEnvironment; bundle: WorkflowBundle; lead: Lead; activities: Activities; policy?: FollowUpPolicy }) {
  const taskQueue = `wf-${lead.leadId}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const input: LeadWorkflowInput = {
    lead,
    cadence: selectCadence({ profile: lead.profile, country: lead.country, courseCode: lead.course.code, alumni: lead.returning?.previousStage === 'enrolled' }),
    policy,
    publicUrl: 'http://localhost:3000',
  };
  const handle = await env.client.workflow.start('leadWorkflow', { workflowId: leadWorkflowId(lead), taskQueue, args: [input] });
  return { worker, handle };
}

export const bogota = (iso: string) => new Date(iso).toLocaleString('es-CO', { timeZone: 'America/Bogota', weekday: 'short', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', hourCycle: 'h23' });

/** A fresh time-skipping server per test (each test sets its own clock); one workflow bundle per file. */
export function freshEnvPerTest(assign: (ctx: { env: TestWorkflowEnvironment; bundle: WorkflowBundle }) => void): void {
  let bundle: WorkflowBundle;
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    bundle = await bundleLeadWorkflows();
  });
  beforeEach(async () => {
    env = await timeSkippingEnv();
    assign({ env, bundle });
  });
  afterEach(async () => {
    await env?.teardown();
  });
}

/** To the minute: activities start a few milliseconds after the timer that released them. */
export const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
