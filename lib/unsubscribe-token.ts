import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in every unsubscribe link: the lead id plus an HMAC of it, so a link opts out exactly
 * the lead it was sent to and cannot be forged for another.
 */
export function unsubscribeToken({ leadId, secret }: { leadId: string; secret: string }): string {
  return `${leadId}.${signature(leadId, secret)}`;
}

/** The lead id a token was issued for, or null if the token was not issued by us. */
export function verifyUnsubscribeToken({ token, secret }: { token: string; secret: string }): string | null {
  const [leadId, given] = token.split('.');
  if (!leadId || !given || !/^L-[0-9a-z]{13}$/.test(leadId)) return null;
  const expected = Buffer.from(signature(leadId, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? leadId : null;
}

function signature(leadId: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${leadId}`).digest('base64url').slice(0, 32);
}
