import { normaliseEmail } from './lead';

/**
 * A lead's id is derived from its normalised email, so the same person arriving twice (from any
 * source) always maps to the same workflow. FNV-1a 64-bit keeps it short, stable and free of Node APIs
 * so the workflow sandbox can use it too.
 */
export function leadIdFor(email: string): string {
  const text = normaliseEmail(email);
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `L-${hash.toString(36).padStart(13, '0')}`;
}

export function leadWorkflowId({ leadId }: { leadId: string }): string {
  return `lead-${leadId}`;
}

/**
 * What every effect key of one follow-up starts with: the lead id for a person's first follow-up (so
 * keys of leads from before returns existed never change), and the lead id tagged with the follow-up's
 * start for a later one, so a new follow-up's welcome, escalations and Zoho writes are not taken for
 * the first one's and skipped.
 */
export function followUpKey({ leadId, lead }: { leadId: string; lead: { createdAt: string; returning?: unknown } }): string {
  return lead.returning ? `${leadId}.f${Date.parse(lead.createdAt).toString(36)}` : leadId;
}

/** One key per touch attempt: the ledger refuses a second send under the same key. */
export function touchKey({ leadId, step, attempt }: { leadId: string; step: number; attempt: number }): string {
  return `${leadId}:step-${step}:attempt-${attempt}`;
}

/** The Message-ID of the email a touch sends: deterministic, so a reply's In-Reply-To finds the touch. */
export function messageIdFor(touchKey: string): string {
  return `<${touchKey}@seguimiento>`;
}
