import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What a client may send as an idempotency key: a UUID, a ULID, base64 or hex of random bytes fit;
 * at least 8 characters so that a small counter restarting from 1 is not taken for a retry.
 */
export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9._~:+/=-]{8,255}$';
export const idempotencyKeySchema = z
  .string()
  .min(8, 'must be at least 8 characters (a UUID or 128 random bits are good keys)')
  .max(255, 'must be at most 255 characters')
  .regex(new RegExp(IDEMPOTENCY_KEY_PATTERN), 'may contain only letters, digits and . _ ~ : + / = -');

/** The key as one field of a request: a bad one is a field-level validation error under that field's name. */
export function parseIdempotencyKey(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  return z.object({ [field]: idempotencyKeySchema }).parse({ [field]: value })[field] as string;
}

/** The updates a key may name; each has its own namespace, so one key on two endpoints is two requests. */
export type UpdateKind = 'outcome' | 'command' | 'cadence';

/**
 * The Temporal update id for a client's key. Hashed, so that whatever a client puts in its keys stays
 * out of Temporal's history, and every id has the same short length (Temporal allows 1,000 characters).
 * Update ids are per workflow execution, and each lead has its own, so leads never collide.
 */
export function updateIdFor(kind: UpdateKind, key: string): string {
  return `${kind}:${createHash('sha256').update(key).digest('hex')}`;
}

/** A hash of what was asked, insensitive to key order, to recognise the same request under the same key. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
