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

/**
 * The Message-ID of an email we send: deterministic, so a reply's In-Reply-To finds the touch, and
 * valid under RFC 5322 (`<dot-atom@domain>`), so receivers and relays keep it as it is. The key's
 * `:`-separated parts become the dot-atom's atoms; any character that is neither a letter, a digit
 * nor `-` is written `=XX` (its hex code; `=` alone for an empty part), so two keys never share an id
 * and `touchKeyOfMessageId` reads the key back. `domain`: the sending domain (MAIL_FROM's).
 */
export function messageIdFor(touchKey: string, domain: string): string {
  const atoms = touchKey.split(':').map((part) =>
    part === '' ? '=' : part.replace(/[^A-Za-z0-9-]/gu, (c) => [...new TextEncoder().encode(c)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')),
  );
  return `<${atoms.join('.')}@${domain}>`;
}

/**
 * The key a Message-ID of ours was made from, or null for one that is not ours in shape. Ids stored
 * before Message-IDs were valid (`<key@seguimiento>`, the key itself with its `:`) read as they are.
 */
export function touchKeyOfMessageId(messageId: string): string | null {
  const left = /^<([^@<>\s]+)@[^@<>\s]+>$/u.exec(messageId.trim())?.[1];
  if (!left) return null;
  if (left.includes(':')) return left;
  const bytes = (atom: string) => {
    const out: number[] = [];
    for (let i = 0; i < atom.length; i++) {
      if (atom[i] === '=') {
        out.push(parseInt(atom.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(atom.charCodeAt(i));
    }
    return new TextDecoder().decode(new Uint8Array(out));
  };
  return left.split('.').map((atom) => (atom === '=' ? '' : bytes(atom))).join(':');
}
