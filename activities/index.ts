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
import { effectMarker, ZohoRecordError, type ZohoClient, type ZohoParent } from '../integrations/zoho/client';
import { ZohoOrgMetadata, type OrgMetadataSource } from '../integrations/zoho/org-metadata';
import { OrgValues, seguimientoSection, withSection, type ValueFallback, type ZohoValueMap } from '../integrations/zoho/org-values';
import type { ZohoStatusMap } from '../integrations/zoho/status-mapping';
import { ZohoLinks } from '../integrations/ledger/zoho-links';
import { COUNTRY_NAMES, STAGE_LABELS } from '../domain/texts';
import { unsubscribeToken } from '../lib/unsubscribe-token';
import { leadWorkflowId, messageIdFor } from '../domain/ids';
import { zohoReturnNote } from '../domain/lead-life';
import { capacityFreed } from '../domain/messages';
import type { Client } from '@temporalio/client';
import type { IntegrationFailureInput, SendTouchEmailResult } from '../domain/effects';
import { createOnce, DEFAULT_CLAIM_TIMING, sendOnce, type ClaimTiming } from './claims';
import type { EmailRenderers } from './ports';
import { followLeadEvent } from './follow-lead-event';
import { planTouchSlot, type PlanTouchSlotInput } from './touch-slot';
import { MailboxDays } from '../integrations/ledger/mailbox-days';
import { labelValue, metrics as processMetrics, type Metrics, type TouchResult } from '../lib/metrics';
import { countingIntegrationErrors, countLeadEvent, isFinal } from './metrics';

export type { FollowLeadEventInput } from './follow-lead-event';
export type { PlanTouchSlotInput, TouchSlot } from './touch-slot';
export { DEFAULT_CLAIM_TIMING, EffectInProgressError, type ClaimTiming } from './claims';
export type { DirectorReports, EmailRenderers, MailContent } from './ports';

export interface ActivityDeps {
  ledger: Ledger;
  mailer: Mailer;
  /** The wording of touch and escalation emails (presentation/emails, wired by workers/). */
  emails: EmailRenderers;
  zoho: Pick<
    ZohoClient,
    'upsertLead' | 'findLeadByEmail' | 'getLead' | 'createTask' | 'updateLead' | 'addNote' | 'logCall' | 'convertLead' | 'findMarked' | 'fieldsOf' | 'activeUsers'
  >;
  /** The org's fields, picklists and users (workers/ reads them at start and daily); read from `zoho` when absent. */
  zohoOrg?: OrgMetadataSource;
  /** ZOHO_VALUE_MAP: our codes as this org's picklist values, with fallbacks (integrations/zoho/org-values.ts). */
  zohoValues?: ZohoValueMap;
  /** Who receives escalations. */
  directorEmail: string;
  temporalUiUrl: string;
  namespace: string;
  /** The web app's public base URL, for links in emails. */
  publicUrl: string;
  unsubscribeSecret: string;
  /** The sending domain (MAIL_FROM's): the right-hand side of every Message-ID we send. */
  mailDomain: string;
  /** The sending mailbox and its daily cap (MAIL_DAILY_CAP); without it, email slots are not capped. */
  mailbox?: { address: string; dailyCap: number };
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
  /** Where touches, outcomes and integration errors are counted (lib/metrics.ts); the process's own by default. */
  metrics?: Metrics;
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

export function createActivities({ ledger, mailer, emails, zoho, zohoOrg, zohoValues = {}, directorEmail, temporalUiUrl, namespace, publicUrl, unsubscribeSecret, mailDomain, mailbox, teamReplyTo, zohoStatus, routingRules = [], temporal, claimTiming, metrics = processMetrics }: ActivityDeps) {
  const views = new LeadViews(ledger.pool);
  const catalog = new Catalog(ledger.pool);
  const routing = new Routing(ledger.pool);
  const links = new ZohoLinks(ledger.pool);
  const org = zohoOrg ?? new ZohoOrgMetadata(zoho);
  const timing: ClaimTiming = { ...DEFAULT_CLAIM_TIMING, ...claimTiming };
  const claims = { ledger, mailer, timing };
  const { orgValues, recordFallbacks, zohoOwnerOf, parentFor, learnConversion, underParent, ensureLeadOwner } = zohoHelpers({ ledger, zoho, views, links, org, zohoValues });
  const mailboxCap = mailbox ? { ...mailbox, days: new MailboxDays(ledger.pool) } : undefined;
  /** A Zoho note under the lead (or the Contact it became), once per key, found by it after a lost answer. */
  const noteOnce = ({ leadId, zohoLeadId, key, title, content }: ZohoNoteInput) =>
    createOnce(claims, {
      key, leadId, kind: 'zoho_note',
      find: async () => (await zoho.findMarked({ module: 'Notes', parent: await parentFor(leadId, zohoLeadId), key }))?.id ?? null,
      create: () => underParent(leadId, zohoLeadId, async (parent) => (await zoho.addNote({ parent, title, content: `${content}\n\n${effectMarker(key)}` })).id),
    });
  /** A touch's fate, counted by channel; a failure only when it is for good (Temporal retries the rest). */
  async function countTouch<T>(channel: Channel, act: () => Promise<T>, resultOf: (value: T) => TouchResult): Promise<T> {
    try {
      const value = await act();
      metrics.touches.inc({ channel, result: resultOf(value) });
      return value;
    } catch (err) {
      if (isFinal(err)) metrics.touches.inc({ channel, result: 'failed' });
      throw err;
    }
  }
  const activities = countingIntegrationErrors({
    async recordLeadEvent({ leadId, type, occurredAt, data, view }: RecordLeadEventInput): Promise<void> {
      if (await ledger.appendEvent({ leadId, type, occurredAt, data, idempotencyKey: executionKey() })) countLeadEvent(metrics, type, data);
      if (view) {
        await views.save(view);
        const freed = await routing.syncFromView(view);
        const waiting = freed && temporal ? await routing.nextWaitingFor(freed) : null;
        // A hint only: the waiting lead also retries by itself, so a lost signal delays, never drops.
        if (waiting) await temporal!.workflow.getHandle(leadWorkflowId({ leadId: waiting })).signal(capacityFreed).catch(() => undefined);
      }
      if (type === 'stage_changed' && data?.to === 'opted_out') await ledger.recordOptOut({ leadId, at: occurredAt, source: 'workflow' });
    },

    /**
     * A new Zoho lead gets every field; one that exists (a person back, a lead made in Zoho) only what
     * Seguimiento owns: its status, its Owner and its own section of the Description. What people
     * typed (source, country, the rest of the description) stays. Creating goes through the upsert on
     * Email, idempotent in Zoho itself, so a retry after a lost answer cannot make a second record.
     */
    async syncLeadToZoho({ lead, stage }: SyncLeadToZohoInput): Promise<{ zohoLeadId: string }> {
      const values = await orgValues();
      const status = values.resolve('Leads.Lead_Status', stage, [zohoStatus[stage]]);
      const owner = await zohoOwnerOf(lead.leadId);
      const section = seguimientoSection([`Curso: ${lead.course.name} (${lead.course.code})`, `Etapa: ${STAGE_LABELS[stage]}`]);
      const existing = await zoho.findLeadByEmail({ email: lead.email });
      let id: string;
      const fallbacks: Array<ValueFallback | null> = [status.fallback];
      if (existing) {
        id = existing.id;
        await zoho.updateLead({
          id,
          fields: {
            ...(status.value ? { status: status.value } : {}),
            ...(owner.zohoId ? { ownerId: owner.zohoId } : {}),
            description: withSection(existing.description, section),
          },
        });
      } else {
        const source = values.resolve('Leads.Lead_Source', lead.source);
        // Zoho's Country is text people read: the country's name, as the org's own records have it.
        const country = values.resolve('Leads.Country', lead.country, [COUNTRY_NAMES[lead.country]]);
        fallbacks.push(source.fallback, country.fallback);
        ({ id } = await zoho.upsertLead({
          lead: {
            firstName: lead.firstName, lastName: lead.lastName, email: lead.email, phone: lead.phone, company: lead.company,
            jobTitle: lead.jobTitle, country: country.value, leadSource: source.value, status: status.value,
            description: section, ownerId: owner.zohoId,
          },
        }));
      }
      await links.linkLead({ leadId: lead.leadId, zohoLeadId: id });
      if (status.value) await links.recordStatusSent({ leadId: lead.leadId, status: status.value });
      if (owner.email) await links.recordOwner({ leadId: lead.leadId, ownerEmail: owner.email, ownerZohoId: owner.zohoId ?? null });
      await recordFallbacks(lead.leadId, fallbacks);
      // A person back after a follow-up that ended: the record says so, once per follow-up.
      const back = zohoReturnNote(lead);
      if (back) await noteOnce({ leadId: lead.leadId, zohoLeadId: id, ...back });
      return { zohoLeadId: id };
    },

    /** The status, Owner and Seguimiento's section follow the stage; a converted lead is left alone (the closer works the Contact). */
    async updateZohoStage({ zohoLeadId, stage }: UpdateZohoStageInput): Promise<void> {
      const link = await links.ofZohoLead({ zohoLeadId });
      if (link?.convertedAt) return;
      const leadId = link?.leadId;
      const status = (await orgValues()).resolve('Leads.Lead_Status', stage, [zohoStatus[stage]]);
      const current = await zoho.getLead({ id: zohoLeadId });
      if (current?.converted) {
        if (leadId) await links.recordConversion({ leadId, zohoLeadId, ...current.converted, at: new Date().toISOString() });
        return;
      }
      const view = leadId ? await views.get({ leadId }) : null;
      const owner = leadId ? await zohoOwnerOf(leadId) : { email: null, zohoId: undefined };
      const section = view
        ? seguimientoSection([
          `Curso: ${view.courseName} (${view.courseCode})`,
          `Etapa: ${STAGE_LABELS[stage]}`,
          view.nextStep ? `Próximo paso: ${view.nextStep.action} (${view.nextStep.dueAt.slice(0, 10)})` : '',
        ])
        : null;
      await zoho.updateLead({
        id: zohoLeadId,
        fields: {
          ...(status.value ? { status: status.value } : {}),
          ...(stage === 'opted_out' ? { emailOptOut: true } : {}),
          ...(owner.zohoId ? { ownerId: owner.zohoId } : {}),
          ...(section ? { description: withSection(current?.description, section) } : {}),
        },
      });
      if (leadId && owner.email) await links.recordOwner({ leadId, ownerEmail: owner.email, ownerZohoId: owner.zohoId ?? null });
      if (leadId && status.value) await links.recordStatusSent({ leadId, status: status.value });
      await recordFallbacks(leadId, [status.fallback]);
    },

    /**
     * A call or LinkedIn touch becomes a Zoho task for the owner; the workflow puts it in the queue.
     * The task carries its key, so an attempt after a lost answer finds it instead of making another.
     */
    async createTouchTask(input: CreateTouchTaskInput): Promise<{ taskId: string | null }> {
      // Without a Zoho lead (its sync failed for good) the touch reaches the owner's queue only: no task.
      if (!input.zohoLeadId) {
        metrics.touches.inc({ channel: input.channel, result: 'failed' });
        return { taskId: null };
      }
      // Nobody calls or messages a person who opted out: no new task for them (one already made stays,
      // and the workflow, told of the opt-out, closes it). The ledger knows first when Temporal did not.
      if (!(await ledger.effect({ key: input.touchKey })) && (await ledger.isOptedOut({ leadId: input.lead.leadId }))) {
        metrics.touches.inc({ channel: input.channel, result: 'suppressed' });
        return { taskId: null };
      }
      const zohoLeadId = input.zohoLeadId;
      const leadId = input.lead.leadId;
      await ensureLeadOwner(leadId, zohoLeadId);
      const values = await orgValues();
      const priority = values.resolve('Tasks.Priority', input.highPriority || input.lead.urgency === 'high' ? 'High' : 'Normal');
      const status = values.resolve('Tasks.Status', 'Not Started');
      const owner = await zohoOwnerOf(leadId);
      const taskId = await countTouch(input.channel, () => createOnce(claims, {
        key: input.touchKey, leadId, kind: 'zoho_task',
        find: async () => (await zoho.findMarked({ module: 'Tasks', parent: await parentFor(leadId, zohoLeadId), key: input.touchKey }))?.id ?? null,
        create: () => underParent(leadId, zohoLeadId, async (parent) => (await zoho.createTask({
          parent,
          subject: input.subject,
          dueDate: input.dueAt.slice(0, 10),
          description: `${input.script}\n\n${effectMarker(input.touchKey)}`,
          priority: priority.value,
          status: status.value,
          ownerId: owner.zohoId,
        })).id),
      }), () => 'task_created');
      await recordFallbacks(leadId, [priority.fallback, status.fallback]);
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
      return countTouch('email', () => sendOnce(claims, {
        key: touchKey, leadId: lead.leadId, kind: 'email', address: lead.email,
        mail: () => {
          const unsubscribeUrl = `${publicUrl}/unsubscribe/${unsubscribeToken({ leadId: lead.leadId, secret: unsubscribeSecret })}`;
          const content = emails.touchEmail({ lead, template, urgency, unsubscribeUrl });
          return {
            to: lead.email,
            replyTo: owner && owner.includes('@') ? owner : teamReplyTo,
            messageId: messageIdFor(touchKey, mailDomain),
            headers: {
              // RFC 8058 one-click: mail clients POST to the link and the lead is out at once.
              'List-Unsubscribe': `<${unsubscribeUrl}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
            ...content,
          };
        },
      }), (sent) => sent.outcome);
    },

    planTouchSlot: (request: PlanTouchSlotInput) => planTouchSlot(request, mailboxCap),

    /** Zoho keeps the story too: a note for every email sent and every outcome. Once per key, found by it after a lost answer. */
    async addZohoNote({ leadId, zohoLeadId, key, title, content }: ZohoNoteInput): Promise<void> {
      await ensureLeadOwner(leadId, zohoLeadId);
      await noteOnce({ leadId, zohoLeadId, key, title, content });
    },

    /**
     * Hand-off to the closer: the lead becomes a Contact (and Account) in Zoho. After a lost answer
     * the conversion is simply asked for again: Zoho converts a lead once and answers
     * ID_ALREADY_CONVERTED after that, which is its own record of the lead's conversion state.
     */
    async convertZohoLead({ leadId, zohoLeadId }: { leadId: string; zohoLeadId: string }): Promise<void> {
      await createOnce(claims, {
        // Per Zoho lead: an alumnus back for another course is a new Zoho lead, converted in its turn.
        key: `${leadId}:zoho:convert:${zohoLeadId}`, leadId, kind: 'zoho_convert',
        create: async () => {
          try {
            const result = await zoho.convertLead({ leadId: zohoLeadId });
            // Remembered before anything else: from now on notes, calls and tasks go to the Contact.
            await links.recordConversion({ leadId, zohoLeadId, ...result, at: new Date().toISOString() });
            return result.contactId;
          } catch (err) {
            if (err instanceof ZohoRecordError && err.code === 'ID_ALREADY_CONVERTED') return 'already-converted';
            throw err;
          }
        },
      });
      // Converted by an earlier attempt whose answer was lost, or by a person: Zoho's lead says into what.
      const link = await links.ofLead({ leadId });
      if (!(link?.zohoLeadId === zohoLeadId && link.convertedAt)) await learnConversion(leadId, zohoLeadId);
    },

    /** A call outcome recorded by the executive becomes a logged outbound Call in Zoho, carrying its key. */
    async logZohoCall({ leadId, zohoLeadId, key, subject, result, at, note }: ZohoCallInput): Promise<void> {
      await ensureLeadOwner(leadId, zohoLeadId);
      const values = await orgValues();
      // `result` is our outcome code (no_answer, interested, …): the org's Call_Result says it its own way.
      const callResult = values.resolve('Calls.Call_Result', result);
      const callType = values.resolve('Calls.Call_Type', 'Outbound');
      const owner = await zohoOwnerOf(leadId);
      await createOnce(claims, {
        key, leadId, kind: 'zoho_call',
        find: async () => (await zoho.findMarked({ module: 'Calls', parent: await parentFor(leadId, zohoLeadId), key }))?.id ?? null,
        create: () => underParent(leadId, zohoLeadId, async (parent) => (await zoho.logCall({
          parent, subject, callType: callType.value ?? 'Outbound', startTime: at, durationSeconds: 0, result: callResult.value, ownerId: owner.zohoId,
          description: note ? `${note}\n\n${effectMarker(key)}` : effectMarker(key),
        })).id),
      });
      await recordFallbacks(leadId, [callResult.fallback, callType.fallback]);
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
          return { to, messageId: messageIdFor(key, mailDomain), ...content };
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
      const reported = await ledger.appendEvent({
        leadId, type: 'integration_failure_reported', occurredAt: at,
        idempotencyKey: `integration-failure:${leadId}:${callSite}:${day}`,
        data: { integration, callSite, errorType, directorMailKey: key },
      });
      // Once per lead, call site and day, as the ledger notes it (a retry of this report is not another failure).
      if (reported) metrics.integrationFailures.inc({ integration, kind: labelValue(errorType, 'Error') });
      await sendOnce(claims, {
        key, leadId, kind: 'integration_failure',
        mail: () => ({
          to: directorEmail,
          messageId: messageIdFor(key, mailDomain),
          ...emails.integrationFailure({ integration, errorType, error, callSite, leadId, leadUrl: `${publicUrl}/leads/${leadId}`, day }),
        }),
      });
    },
  }, metrics);
  return { ...activities, followLeadEvent: followLeadEvent(activities) };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * What the Zoho activities share: the org's values, the executive's Zoho user, and where a lead's
 * records go once it was converted. Kept apart from the activities so each reads as its story.
 */
function zohoHelpers({ ledger, zoho, views, links, org, zohoValues }: {
  ledger: Ledger; zoho: ActivityDeps['zoho']; views: LeadViews; links: ZohoLinks; org: OrgMetadataSource; zohoValues: ZohoValueMap;
}) {
  const orgValues = async () => new OrgValues(await org.current(), zohoValues);

  /** A value the org's picklist lacks, on the lead's timeline once per field and code, so someone fixes ZOHO_VALUE_MAP. */
  async function recordFallbacks(leadId: string | undefined, fallbacks: Array<ValueFallback | null>): Promise<void> {
    if (!leadId) return;
    for (const f of fallbacks) {
      if (!f) continue;
      await ledger.appendEvent({
        leadId, type: 'zoho_value_fallback', occurredAt: new Date().toISOString(),
        idempotencyKey: `zoho-value-fallback:${leadId}:${f.field}:${f.code}`,
        data: { field: f.field, code: f.code, tried: f.tried, sent: f.sent },
      });
    }
  }

  /**
   * The Zoho user of the lead's executive, matched by email among the org's active users. An executive
   * without one leaves the record to Zoho's default owner, and the lead's timeline says so once.
   */
  async function zohoOwnerOf(leadId: string): Promise<{ email: string | null; zohoId: string | undefined }> {
    const email = (await views.get({ leadId }))?.owner ?? null;
    if (!email) return { email: null, zohoId: undefined };
    const user = (await org.current()).userByEmail(email);
    if (!user) {
      await ledger.appendEvent({
        leadId, type: 'zoho_owner_missing', occurredAt: new Date().toISOString(),
        idempotencyKey: `zoho-owner-missing:${leadId}:${email}`, data: { owner: email },
      });
    }
    return { email, zohoId: user?.id };
  }

  /** Where the lead's notes, calls and tasks go: the lead, or once converted the Contact (with its Deal, if any). */
  async function parentFor(leadId: string, zohoLeadId: string): Promise<ZohoParent> {
    const link = await links.ofLead({ leadId });
    if (link?.zohoLeadId === zohoLeadId && link.convertedAt && link.contactId) {
      return { module: 'Contacts', id: link.contactId, ...(link.dealId ? { dealId: link.dealId } : {}) };
    }
    return { module: 'Leads', id: zohoLeadId };
  }

  /** Remembers what a converted lead became, read from Zoho (a person may have converted it there). */
  async function learnConversion(leadId: string, zohoLeadId: string): Promise<boolean> {
    const lead = await zoho.getLead({ id: zohoLeadId });
    if (!lead?.converted) return false;
    await links.recordConversion({ leadId, zohoLeadId, ...lead.converted, at: new Date().toISOString() });
    return true;
  }

  /**
   * Writes under the lead's current parent. A lead converted in Zoho by a person answers
   * CONVERTED_RECORD: what it became is read, remembered, and the write goes there instead.
   */
  async function underParent<T>(leadId: string, zohoLeadId: string, write: (parent: ZohoParent) => Promise<T>): Promise<T> {
    const parent = await parentFor(leadId, zohoLeadId);
    try {
      return await write(parent);
    } catch (err) {
      if (!(err instanceof ZohoRecordError && err.code === 'CONVERTED_RECORD' && parent.module === 'Leads')) throw err;
      if (!(await learnConversion(leadId, zohoLeadId))) throw err;
      return write(await parentFor(leadId, zohoLeadId));
    }
  }

  /** The lead's Owner follows its executive: written when the executive changes, never on a converted lead. */
  async function ensureLeadOwner(leadId: string, zohoLeadId: string): Promise<void> {
    const link = await links.ofLead({ leadId });
    if (!link || link.zohoLeadId !== zohoLeadId || link.convertedAt) return;
    const owner = await zohoOwnerOf(leadId);
    if (owner.email === link.ownerEmail) return;
    if (owner.zohoId) {
      try {
        await zoho.updateLead({ id: zohoLeadId, fields: { ownerId: owner.zohoId } });
      } catch (err) {
        if (err instanceof ZohoRecordError && err.code === 'CONVERTED_RECORD' && (await learnConversion(leadId, zohoLeadId))) return;
        throw err;
      }
    }
    await links.recordOwner({ leadId, ownerEmail: owner.email, ownerZohoId: owner.zohoId ?? null });
  }

  return { orgValues, recordFallbacks, zohoOwnerOf, parentFor, learnConversion, underParent, ensureLeadOwner };
}
