import { createHmac } from 'node:crypto';
import { sameText, valuesOf, type Secret } from './secret';

/**
 * The token in every unsubscribe link: the lead id plus an HMAC of it, so a link opts out exactly
 * the lead it was sent to and cannot be forged for another.
 */
export function unsubscribeToken({ leadId, secret }: { leadId: string; secret: string }): string {
  return `${leadId}.${signature(leadId, secret)}`;
}

/**
 * The lead id a token was issued for, or null if the token was not issued by us. Links signed with
 * the previous secret keep working while it is rotated (mails already sent carry them).
 */
export function verifyUnsubscribeToken({ token, secret }: { token: string; secret: Secret }): string | null {
  const [leadId, given] = token.split('.');
  if (!leadId || !given || !/^L-[0-9a-z]{13}$/.test(leadId)) return null;
  return valuesOf(secret).map((key) => sameText(given, signature(leadId, key))).includes(true) ? leadId : null;
}

function signature(leadId: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${leadId}`).digest('base64url').slice(0, 32);
}
