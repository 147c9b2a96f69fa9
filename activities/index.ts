import { Context } from '@temporalio/activity';
import type { Lead } from '../domain/lead';
import type { Ledger } from '../ledger/ledger';
import type { Mailer } from '../mail/mailer';
import { renderWelcome } from '../mail/templates';
import type { ZohoClient } from '../zoho/client';

export interface ActivityDeps {
  ledger: Ledger;
  mailer: Mailer;
  zoho: Pick<ZohoClient, 'upsertLead' | 'createTask'>;
}

/** Messages the workflow hands over; one object argument per activity. */
export interface RecordLeadEventInput {
  leadId: string;
  type: string;
  occurredAt: string;
  data?: Record<string, unknown>;
}

export interface SyncLeadToZohoInput {
  lead: Lead;
  status: string;
}

export interface CreateCallTaskInput {
  lead: Lead;
  zohoLeadId: string;
  touchKey: string;
  dueDate: string;
  subject: string;
  script: string;
}

export interface SendTouchEmailInput {
  lead: Lead;
  touchKey: string;
  template: 'welcome';
}

/** The key of the activity attempt's logical execution: stable across retries, unique per call. */
function executionKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}`;
}

export function createActivities({ ledger, mailer, zoho }: ActivityDeps) {
  return {
    async recordLeadEvent({ leadId, type, occurredAt, data }: RecordLeadEventInput): Promise<void> {
      await ledger.appendEvent({ leadId, type, occurredAt, data, idempotencyKey: executionKey() });
    },

    /** Upsert on Email is idempotent in Zoho itself, so a retry cannot create a second record. */
    async syncLeadToZoho({ lead, status }: SyncLeadToZohoInput): Promise<{ zohoLeadId: string }> {
      const { id } = await zoho.upsertLead({
        lead: {
          firstName: lead.firstName,
          lastName: lead.lastName,
          email: lead.email,
          phone: lead.phone,
          company: lead.company,
          jobTitle: lead.jobTitle,
          country: lead.country,
          leadSource: lead.source,
          status,
          description: `Curso: ${lead.course.name} (${lead.course.code})`,
        },
      });
      return { zohoLeadId: id };
    },

    async createCallTask(input: CreateCallTaskInput): Promise<{ taskId: string }> {
      const { ref } = await ledger.once({ key: input.touchKey, leadId: input.lead.leadId, kind: 'zoho_task' }, async () => {
        const { id } = await zoho.createTask({
          leadId: input.zohoLeadId,
          subject: input.subject,
          dueDate: input.dueDate,
          description: input.script,
          priority: input.lead.urgency === 'high' ? 'High' : 'Normal',
        });
        return id;
      });
      return { taskId: ref };
    },

    async sendTouchEmail({ lead, touchKey }: SendTouchEmailInput): Promise<{ messageId: string }> {
      const { ref } = await ledger.once({ key: touchKey, leadId: lead.leadId, kind: 'email' }, async () => {
        const mail = renderWelcome({ lead });
        const { messageId } = await mailer.send({ to: lead.email, messageId: `<${touchKey}@seguimiento>`, ...mail });
        return messageId;
      });
      return { messageId: ref };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
