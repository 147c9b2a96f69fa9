import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A secret and, while it is being rotated, the value before it. Checks accept either, so senders can
 * move to the new value at their own pace; signing always uses `current` (docs/security.md).
 */
export interface Secret {
  current: string;
  previous?: string;
}

export const valuesOf = (secret: Secret): string[] => (secret.previous ? [secret.current, secret.previous] : [secret.current]);

/** Constant-time equality of two strings (the length may leak, the content not). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `given` is the secret itself (a shared header value, an API key). */
export function isSecret(given: string, secret: Secret): boolean {
  // Every value is compared, so timing does not tell which one matched.
  return valuesOf(secret).map((value) => sameText(given, value)).includes(true);
}

export function hmacHex(key: string, ...parts: (string | Buffer)[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
}
