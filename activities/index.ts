import { Context } from '@temporalio/activity';
import type { Channel } from '../domain/cadence';
import type { EscalationKind, TouchTemplate } from '../domain/emails';
import type { Lead, Stage } from '../domain/lead';
import type { LeadView } from '../domain/lead-view';
import { LeadViews } from '../integrations/ledger/lead-views';
import { Catalog } from '../integrations/ledger/catalog';
import { urgencyFor } from '../domain/urgency';
import { Routing } from '../integrations/ledger/routing';
import { poolFor, type RoutingRule } from '../domain/routing';
import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import { effectMarker, ZohoRecordError, type ZohoClient } from '../integrations/zoho/client';
import type { ZohoStatusMap } from '../integrations/zoho/status-mapping';
import { unsubscribeToken } from '../lib/unsubscribe-token';
import { leadWorkflowId, messageIdFor } from '../domain/ids';
import { capacityFreed } from '../domain/messages';
import type { Client } from '@temporalio/client';
import type { IntegrationFailureInput, SendTouchEmailResult } from '../domain/effects';
import { createOnce, DEFAULT_CLAIM_TIMING, sendOnce, type ClaimTiming } from './claims';
import type { EmailRenderers } from './ports';
import { planTouchSlot } from './touch-slot';

export type { PlanTouchSlotInput, TouchSlot } from './touch-slot';
export { DEFAULT_CLAIM_TIMING, EffectInProgressError, type ClaimTiming } from './claims';
export type { DirectorReports, EmailRenderers, MailContent } from './ports';

export interface ActivityDeps {
  ledger: Ledger;
  mailer: Mailer;
  /** The wording of touch and escalation emails (presentation/emails, wired by workers/). */
  emails: EmailRenderers;
  zoho: Pick<ZohoClient, 'upsertLead' | 'createTask' | 'updateLead' | 'addNote' | 'logCall' | 'convertLead' | 'findMarked'>;
  /** Who receives escalations. */
  directorEmail: string;
  temporalUiUrl: string;
  namespace: string;
  /** The web app's public base URL, for links in emails. */
  publicUrl: string;
  unsubscribeSecret: string;
  /** Reply-To when the lead's owner has no address of their own. */
  teamReplyTo: string;
  /** Our stages as this Zoho org's Lead_Status values. */
  zohoStatus: ZohoStatusMap;
  /** Which pool of executives each kind of lead goes to (ROUTING_RULES). */
  routingRules?: RoutingRule[];
  /** To tell a lead waiting for an owner that capacity freed up (without it, the lead's own retries do). */
  temporal?: Client;
  /** When an unknown claim is looked into (activities/claims.ts); tests shorten it. */
  claimTiming?: Partial<ClaimTiming>;
}

// One object argument per activity; the workflow imports these types only.
export interface RecordLeadEventInput {
  leadId: string; type: string; occurredAt: string; data?: Record<string, unknown>;
  /** The lead as it is now, for the web app's lists (absent in histories from before the web app). */
  view?: LeadView;
}
export interface SyncLeadToZohoInput { lead: Lead; stage: Stage }
export interface UpdateZohoStageInput { zohoLeadId: string; stage: Stage; owner?: string | null }
export interface CreateTouchTaskInput {
  lead: Lead; zohoLeadId: string | null; touchKey: string; channel: Channel; dueAt: string; subject: string; script: string; highPriority?: boolean;
}
export interface SendTouchEmailInput { lead: Lead; owner: string | null; touchKey: string; template: TouchTemplate }
export interface ZohoNoteInput { leadId: string; zohoLeadId: string; key: string; title: string; content: string }
export interface ZohoCallInput { leadId: string; zohoLeadId: string; key: string; subject: string; result: string; at: string; note?: string }
export interface AssignLeadInput { lead: Lead }
export interface EscalateInput {
  lead: Lead; workflowId: string; kind: EscalationKind; stage: Stage; owner: string | null; key: string; publicUrl: string;
}

/** The key of the activity's logical execution: stable across retries, unique per call. */
function executionKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}`;
}

/** The kind of a permanent failure, from the workflow's "Type: message" (no personal data in a type). */
function errorTypeOf(error: string): string {
  const type = /^([A-Za-z][\w.-]{0,80}):/.exec(error)?.[1];
  return type ?? 'Error';
}

export function createActivities({ ledger, mailer, emails, zoho, directorEmail, temporalUiUrl, namespace, publicUrl, unsubscribeSecret, teamReplyTo, zohoStatus, routingRules = [], temporal, claimTiming }: ActivityDeps) {
  const views = new LeadViews(ledger.pool);
  const catalog = new Catalog(ledger.pool);
  const routing = new Routing(ledger.pool);
  const timing: ClaimTiming = { ...DEFAULT_CLAIM_TIMING, ...claimTiming };
  const claims = { ledger, mailer, timing };
  return {
    async recordLeadEvent({ leadId, type, occurredAt, data, view }: RecordLeadEventInput): Promise<void> {
      await ledger.appendEvent({ leadId, type, occurredAt, data, idempotencyKey: executionKey() });
      if (view) {
        await views.save(view);
        const freed = await routing.syncFromView(view);
        const waiting = freed && temporal ? await routing.nextWaitingFor(freed) : null;
        // A hint only: the waiting lead also retries by itself, so a lost signal delays, never drops.
        if (waiting) await temporal!.workflow.getHandle(leadWorkflowId({ leadId: waiting })).signal(capacityFreed).catch(() => undefined);
      }
      if (type === 'stage_changed' && data?.to === 'opted_out') await ledger.recordOptOut({ leadId, at: occurredAt, source: 'workflow' });
    },

    /** Upsert on Email is idempotent in Zoho itself, so a retry cannot create a second record. */
    async syncLeadToZoho({ lead, stage }: SyncLeadToZohoInput): Promise<{ zohoLeadId: string }> {
      const { id } = await zoho.upsertLead({
        lead: {
          firstName: lead.firstName, lastName: lead.lastName, email: lead.email, phone: lead.phone, company: lead.company,
          jobTitle: lead.jobTitle, country: lead.country, leadSource: lead.source, status: zohoStatus[stage],
          description: `Curso: ${lead.course.name} (${lead.course.code})`,
        },
      });
      return { zohoLeadId: id };
    },

    async updateZohoStage({ zohoLeadId, stage }: UpdateZohoStageInput): Promise<void> {
      await zoho.updateLead({ id: zohoLeadId, fields: { status: zohoStatus[stage], ...(stage === 'opted_out' ? { emailOptOut: true } : {}) } });
    },

    /**
     * A call or LinkedIn touch becomes a Zoho task for the owner; the workflow puts it in the queue.
     * The task carries its key, so an attempt after a lost answer finds it instead of making another.
     */
    async createTouchTask(input: CreateTouchTaskInput): Promise<{ taskId: string | null }> {
      if (!input.zohoLeadId) return { taskId: null };
      // Nobody calls or messages a person who opted out: no new task for them (one already made stays,
      // and the workflow, told of the opt-out, closes it). The ledger knows first when Temporal did not.
      if (!(await ledger.effect({ key: input.touchKey })) && (await ledger.isOptedOut({ leadId: input.lead.leadId }))) return { taskId: null };
      const zohoLeadId = input.zohoLeadId;
      const taskId = await createOnce(claims, {
        key: input.touchKey, leadId: input.lead.leadId, kind: 'zoho_task',
        find: async () => (await zoho.findMarked({ module: 'Tasks', leadId: zohoLeadId, key: input.touchKey }))?.id ?? null,
        create: async () => (await zoho.createTask({
          leadId: zohoLeadId,
          subject: input.subject,
          dueDate: input.dueAt.slice(0, 10),
          description: `${input.script}\n\n${effectMarker(input.touchKey)}`,
          priority: input.highPriority || input.lead.urgency === 'high' ? 'High' : 'Normal',
        })).id,
      });
      return { taskId };
    },

    /**
     * At most once, and never to an opted-out or suppressed address: the claim is taken in the same
     * transaction as the check of both lists. A send whose answer was lost (here or in an earlier
     * attempt) is `uncertain` and never repeated: a person contacted twice is worse than one touch missed.
     */
    async sendTouchEmail({ lead, owner, touchKey, template }: SendTouchEmailInput): Promise<SendTouchEmailResult> {
      // Urgency is read from the catalog now, as the mail leaves, never from the lead's snapshot.
      const urgency = urgencyFor({ course: await catalog.find(lead.course.code), country: lead.country, now: new Date() });
      return sendOnce(claims, {
        key: touchKey, leadId: lead.leadId, kind: 'email', address: lead.email,
        mail: () => {
          const unsubscribeUrl = `${publicUrl}/unsubscribe/${unsubscribeToken({ leadId: lead.leadId, secret: unsubscribeSecret })}`;
          const content = emails.touchEmail({ lead, template, urgency, unsubscribeUrl });
          return {
            to: lead.email,
            replyTo: owner && owner.includes('@') ? owner : teamReplyTo,
            messageId: messageIdFor(touchKey),
            headers: {
              // RFC 8058 one-click: mail clients POST to the link and the lead is out at once.
              'List-Unsubscribe': `<${unsubscribeUrl}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
            ...content,
          };
        },
      });
    },

    planTouchSlot,

    /** Zoho keeps the story too: a note for every email sent and every outcome. Once per key, found by it after a lost answer. */
    async addZohoNote({ leadId, zohoLeadId, key, title, content }: ZohoNoteInput): Promise<void> {
      await createOnce(claims, {
        key, leadId, kind: 'zoho_note',
        find: async () => (await zoho.findMarked({ module: 'Notes', leadId: zohoLeadId, key }))?.id ?? null,
        create: async () => (await zoho.addNote({ leadId: zohoLeadId, title, content: `${content}\n\n${effectMarker(key)}` })).id,
      });
    },

    /**
     * Hand-off to the closer: the lead becomes a Contact (and Account) in Zoho. After a lost answer
     * the conversion is simply asked for again: Zoho converts a lead once and answers
     * ID_ALREADY_CONVERTED after that, which is its own record of the lead's conversion state.
     */
    async convertZohoLead({ leadId, zohoLeadId }: { leadId: string; zohoLeadId: string }): Promise<void> {
      await createOnce(claims, {
        key: `${leadId}:zoho:convert`, leadId, kind: 'zoho_convert',
        create: async () => {
          try {
            return (await zoho.convertLead({ leadId: zohoLeadId })).contactId;
          } catch (err) {
            if (err instanceof ZohoRecordError && err.code === 'ID_ALREADY_CONVERTED') return 'already-converted';
            throw err;
          }
        },
      });
    },

    /** A call outcome recorded by the executive becomes a logged outbound Call in Zoho, carrying its key. */
    async logZohoCall({ leadId, zohoLeadId, key, subject, result, at, note }: ZohoCallInput): Promise<void> {
      await createOnce(claims, {
        key, leadId, kind: 'zoho_call',
        find: async () => (await zoho.findMarked({ module: 'Calls', leadId: zohoLeadId, key }))?.id ?? null,
        create: async () => (await zoho.logCall({
          leadId: zohoLeadId, subject, callType: 'Outbound', startTime: at, durationSeconds: 0, result,
          description: note ? `${note}\n\n${effectMarker(key)}` : effectMarker(key),
        })).id,
      });
    },

    /** The owner by the routing rules and caps, or null: then the lead waits in the visible queue. */
    async assignLead({ lead }: AssignLeadInput): Promise<{ owner: string | null; pool: string; newlyQueued: boolean }> {
      const pool = poolFor(routingRules, lead);
      const result = await routing.assign({ leadId: lead.leadId, pool });
      if (result.owner === null) return { owner: null, pool, newlyQueued: result.newlyQueued };
      return { owner: result.owner, pool, newlyQueued: false };
    },

    /** An internal email; at most once like any message (an unknown send is not repeated). */
    async escalate({ lead, workflowId, kind, stage, owner, key, publicUrl }: EscalateInput): Promise<void> {
      await sendOnce(claims, {
        key, leadId: lead.leadId, kind: 'escalation',
        mail: () => {
          const content = emails.escalation({
            lead, kind, stage, owner,
            leadUrl: `${publicUrl}/leads/${lead.leadId}`,
            temporalUrl: `${temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`,
          });
          // The director always; the owner too once owners have addresses (routing assigns them).
          const to = [directorEmail, ...(owner?.includes('@') ? [owner] : [])].join(', ');
          return { to, messageId: messageIdFor(key), ...content };
        },
      });
    },

    /**
     * A permanent failure at one of the workflow's call sites: the director hears of each kind once a
     * day (a revoked Zoho token failing for a thousand leads is one mail, not a thousand), and the
     * lead's ledger notes that this failure was reported, once per call site and day. The failure
     * itself is already on the lead's ledger, from the workflow's own event (`integration_failed`
     * or `crm_sync_failed`), so it is not written twice.
     */
    async reportIntegrationFailure({ leadId, integration, callSite, error, at }: IntegrationFailureInput): Promise<void> {
      const day = at.slice(0, 10);
      const errorType = errorTypeOf(error);
      const key = `integration-failure:${integration}:${errorType}:${day}`;
      await ledger.appendEvent({
        leadId, type: 'integration_failure_reported', occurredAt: at,
        idempotencyKey: `integration-failure:${leadId}:${callSite}:${day}`,
        data: { integration, callSite, errorType, directorMailKey: key },
      });
      await sendOnce(claims, {
        key, leadId, kind: 'integration_failure',
        mail: () => ({
          to: directorEmail,
          messageId: messageIdFor(key),
          ...emails.integrationFailure({ integration, errorType, error, callSite, leadId, leadUrl: `${publicUrl}/leads/${leadId}`, day }),
        }),
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
