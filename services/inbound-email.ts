import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { outcomeSignal } from '../domain/messages';
import type { Ledger } from '../integrations/ledger/ledger';
import { NotFoundError } from './errors';

const messageIds = z.union([z.string(), z.array(z.string())]).optional();

/** A provider-neutral inbound message, as mail providers' inbound webhooks can be mapped to. */
export const inboundEmailSchema = z.object({
  from: z.string().min(3).max(500),
  to: z.union([z.string(), z.array(z.string())]).optional(),
  subject: z.string().max(1000).optional(),
  messageId: z.string().max(1000).optional(),
  inReplyTo: messageIds,
  references: messageIds,
  text: z.string().max(100_000).optional(),
});

const ids = (value: string | string[] | undefined) => (Array.isArray(value) ? value : (value ?? '').split(/\s+/)).filter(Boolean);
const addressOf = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

/**
 * A reply to one of our emails (matched by In-Reply-To/References) or a message from a known lead
 * ends that lead's automatic cadence: the workflow gets a `replied` outcome.
 */
export async function handleInboundEmail({ body, ledger, temporal }: { body: unknown; ledger: Ledger; temporal: Client }) {
  const mail = inboundEmailSchema.parse(body);
  let leadId: string | null = null;
  let matchedBy: 'thread' | 'sender' = 'thread';
  for (const id of [...ids(mail.inReplyTo), ...ids(mail.references)]) {
    leadId = await ledger.leadOfMessage({ messageId: id });
    if (leadId) break;
  }
  if (!leadId) {
    matchedBy = 'sender';
    const candidate = leadIdFor(addressOf(mail.from));
    const known = await temporal.workflow.getHandle(leadWorkflowId({ leadId: candidate })).describe().then(() => true, () => false);
    if (known) leadId = candidate;
  }
  if (!leadId) throw new NotFoundError('No lead matches this message (neither its thread nor its sender): nothing was changed');
  try {
    await temporal.workflow.getHandle(leadWorkflowId({ leadId })).signal(outcomeSignal, { type: 'replied', by: 'inbound-email', note: mail.subject?.slice(0, 200) });
    return { matched: true, leadId, matchedBy, delivered: true };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return { matched: true, leadId, matchedBy, delivered: false, message: 'The lead is closed: the reply was not applied' };
  }
}
