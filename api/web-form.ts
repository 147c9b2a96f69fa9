import type { Ledger } from '../integrations/ledger/ledger';
import { hmacHex, sameText, valuesOf, type Secret } from '../lib/secret';
import { ConflictError, UnauthorizedError } from './errors';

/** How far a delivery's timestamp may be from our clock: enough for skew, too little to replay later. */
export const WEB_FORM_TOLERANCE_SECONDS = 300;
/** A claim whose request died mid-way (a crash) is given up after this long; the tolerance is longer. */
const ABANDONED_CLAIM_SECONDS = 120;

export function webFormSignature({ secret, timestamp, rawBody }: { secret: string; timestamp: string; rawBody: Buffer | string }): string {
  return `sha256=${hmacHex(secret, `${timestamp}.`, rawBody)}`;
}

/**
 * The website's course form posts here, signing `<timestamp>.<body>` with HMAC-SHA256 under its own
 * key (WEB_FORM_SECRET, or the previous one during a rotation). A bad signature or a stale timestamp
 * is refused; then the delivery is claimed atomically, so of two identical deliveries only one goes
 * on. `enrol` runs under the claim: if it fails, the claim is released so the sender's retry works.
 */
export async function underWebFormClaim<T>({ secret, ledger, timestamp, signature, rawBody, now = Date.now() }: {
  secret: Secret; ledger: Ledger; timestamp: string | undefined; signature: string | undefined; rawBody: Buffer | undefined; now?: number;
}, enrol: () => Promise<T>): Promise<T> {
  if (!timestamp || !signature || !rawBody) throw new UnauthorizedError('X-Timestamp and X-Signature headers are required');
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > WEB_FORM_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(`X-Timestamp must be within ${WEB_FORM_TOLERANCE_SECONDS} s of now`);
  }
  const matches = valuesOf(secret).map((key) => sameText(signature, webFormSignature({ secret: key, timestamp, rawBody })));
  if (!matches.includes(true)) throw new UnauthorizedError('X-Signature does not match the body');
  if (!(await ledger.claimDelivery({ signature, staleSeconds: ABANDONED_CLAIM_SECONDS }))) {
    throw new ConflictError('This delivery was already received (replay)');
  }
  let result: T;
  try {
    result = await enrol();
  } catch (err) {
    await ledger.releaseDelivery({ signature }).catch(() => undefined);
    throw err;
  }
  // If this write fails the claim expires instead; a late replay then finds the lead already enrolled.
  await ledger.completeDelivery({ signature }).catch(() => undefined);
  return result;
}
