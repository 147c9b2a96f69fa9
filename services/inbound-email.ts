import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { COUNTRY_TIME_ZONES } from '../domain/calendar';
import { leadIdFor, leadWorkflowId } from '../domain/ids';
import { pauseUntilOf, readInboundMail } from '../domain/inbound-mail';
import type { Country } from '../domain/lead';
import { outcomeSignal } from '../domain/messages';
import { LeadViews } from '../integrations/ledger/lead-views';
import type { Ledger } from '../integrations/ledger/ledger';
import { NotFoundError, RejectedError } from './errors';
import type { LeadService } from './lead-service';

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
  /**
   * The message's headers, name → value (any case; the last value of a repeated header is enough):
   * `Auto-Submitted`, `X-Autoreply`, `Precedence` tell an auto-reply, and `Content-Type:
   * multipart/report; report-type=delivery-status` a bounce, whose delivery-status part belongs in `text`.
   */
  headers: z
    .record(z.string().min(1).max(200), z.string().max(10_000))
    .refine((h) => Object.keys(h).length <= 200, 'must have at most 200 headers')
    .optional()
    .describe('The message headers, name → value (any case). Auto-Submitted (RFC 3834), X-Autoreply, X-Autorespond and Precedence mark an auto-reply; '
      + 'Content-Type multipart/report; report-type=delivery-status a bounce (RFC 3464), whose delivery-status fields (Action, Status, Final-Recipient) '
      + 'and returned headers (Message-ID) go in text.'),
});

const ids = (value: string | string[] | undefined) => (Array.isArray(value) ? value : (value ?? '').split(/\s+/)).filter(Boolean);
const addressOf = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

export interface InboundEmailDeps {
  body: unknown;
  ledger: Ledger;
  temporal: Client;
  /** Pauses go through the same update as a person's pause (validated by the workflow, idempotent). */
  leads: Pick<LeadService, 'runCommand'>;
  now?: Date;
}

/**
 * An inbound message about one of our leads, read for what it is:
 * - a person's reply (matched by In-Reply-To/References, or by a known lead's address) ends the lead's
 *   automatic cadence with a `replied` outcome;
 * - an auto-reply (out of office) pauses the lead until the return date it states, or for a week;
 * - a delivery status notification for one of our mails (matched by the returned message's id or
 *   the failed recipient) that failed for good suppresses the address and records `wrong_contact`,
 *   which stops automatic touches until a person fixes the contact; a transient one changes nothing.
 */
export async function handleInboundEmail({ body, ledger, temporal, leads, now = new Date() }: InboundEmailDeps) {
  const mail = inboundEmailSchema.parse(body);
  const reading = readInboundMail(mail);
  const isKnown = async (leadId: string) => temporal.workflow.getHandle(leadWorkflowId({ leadId })).describe().then(() => true, () => false);

  let leadId: string | null = null;
  let matchedBy: 'thread' | 'sender' | 'recipient' = 'thread';
  const thread = [...ids(mail.inReplyTo), ...ids(mail.references), ...(reading.kind === 'bounce' ? reading.returnedMessageIds : [])];
  for (const id of thread) {
    leadId = await ledger.leadOfMessage({ messageId: id });
    if (leadId) break;
  }
  if (!leadId) {
    // A bounce comes from the receiving system, never from the lead: only the failed recipient names them.
    matchedBy = reading.kind === 'bounce' ? 'recipient' : 'sender';
    const addresses = reading.kind === 'bounce' ? [reading.finalRecipient, reading.originalRecipient] : [addressOf(mail.from)];
    for (const address of addresses) {
      const candidate = address ? leadIdFor(address) : null;
      if (candidate && (await isKnown(candidate))) {
        leadId = candidate;
        break;
      }
    }
  }
  if (!leadId) throw new NotFoundError('No lead matches this message (neither its thread nor its sender): nothing was changed');
  const matched = { matched: true as const, leadId, matchedBy };

  if (reading.kind === 'auto_reply') {
    const view = await new LeadViews(ledger.pool).get({ leadId }).catch(() => null);
    const timeZone = view ? (COUNTRY_TIME_ZONES[view.country as Country] ?? null) : null;
    const { until, returnDate } = pauseUntilOf({ subject: mail.subject, text: mail.text, now, timeZone });
    const answer = { ...matched, kind: 'auto_reply' as const, signal: reading.signal, returnDate, pausedUntil: until.toISOString() };
    try {
      // One pause per message: a provider's second delivery of it is the same update.
      await leads.runCommand(
        leadId,
        { type: 'pause', until: until.toISOString(), note: `Respuesta automática (inbound-email): ${reading.signal}`.slice(0, 500) },
        { idempotencyKey: deliveryKey(mail) },
      );
      return { ...answer, applied: true };
    } catch (err) {
      if (!(err instanceof RejectedError)) throw err;
      // Already paused (a person's pause is not shortened) or closed: nothing to do.
      return { ...answer, applied: false, message: `The pause was not applied: ${err.message}` };
    }
  }

  if (reading.kind === 'bounce') {
    const { status, permanent, finalRecipient } = reading;
    const answer = { ...matched, kind: 'bounce' as const, status, permanent };
    if (!permanent) return { ...answer, applied: false, message: 'A transient delivery failure: nothing was changed' };
    // Where every message leaves, the address is refused from now on, whichever lead carries it.
    if (finalRecipient) await ledger.addSuppression({ address: finalRecipient, reason: 'bounced', at: now.toISOString(), detail: `DSN ${status ?? 'failed'}` });
    const note = `El correo rebotó de forma permanente (estado ${status ?? 'failed'}): revisar la dirección de correo.`;
    return { ...answer, ...(await signal(temporal, leadId, { type: 'wrong_contact', by: 'inbound-email', note })) };
  }

  return { ...matched, kind: 'reply' as const, ...(await signal(temporal, leadId, { type: 'replied', by: 'inbound-email', note: mail.subject?.slice(0, 200) })) };
}

async function signal(temporal: Client, leadId: string, outcome: { type: 'replied' | 'wrong_contact'; by: string; note?: string }) {
  try {
    await temporal.workflow.getHandle(leadWorkflowId({ leadId })).signal(outcomeSignal, outcome);
    return { delivered: true };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return { delivered: false, message: 'The lead is closed: the message was not applied' };
  }
}

/** The same message delivered twice by the provider is one request (its Message-ID, else its content). */
function deliveryKey(mail: z.infer<typeof inboundEmailSchema>): string {
  const identity = mail.messageId?.trim() || JSON.stringify([mail.from, mail.subject, mail.text]);
  return `inbound-email:${createHash('sha256').update(identity).digest('hex')}`;
}
