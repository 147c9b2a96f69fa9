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

/** One key per touch attempt: the ledger refuses a second send under the same key. */
export function touchKey({ leadId, step, attempt }: { leadId: string; step: number; attempt: number }): string {
  return `${leadId}:step-${step}:attempt-${attempt}`;
}

/** The Message-ID of the email a touch sends: deterministic, so a reply's In-Reply-To finds the touch. */
export function messageIdFor(touchKey: string): string {
  return `<${touchKey}@seguimiento>`;
}
