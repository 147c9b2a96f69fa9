import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Ledger } from '../integrations/ledger/ledger';
import { ConflictError, UnauthorizedError } from './errors';

/** How far a delivery's timestamp may be from our clock: enough for skew, too little to replay later. */
export const WEB_FORM_TOLERANCE_SECONDS = 300;

export function webFormSignature({ secret, timestamp, rawBody }: { secret: string; timestamp: string; rawBody: Buffer | string }): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/**
 * The website's course form posts here, signing `<timestamp>.<body>` with HMAC-SHA256. A bad
 * signature, a stale timestamp or the same delivery twice is refused before anything is enrolled.
 * A delivery counts as received only once its lead is enrolled (`ledger.recordDelivery`), so a
 * sender's retry after our failure is not mistaken for a replay.
 */
export async function verifyWebForm({ secret, ledger, timestamp, signature, rawBody, now = Date.now() }: {
  secret: string; ledger: Ledger; timestamp: string | undefined; signature: string | undefined; rawBody: Buffer | undefined; now?: number;
}): Promise<void> {
  if (!timestamp || !signature || !rawBody) throw new UnauthorizedError('X-Timestamp and X-Signature headers are required');
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > WEB_FORM_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(`X-Timestamp must be within ${WEB_FORM_TOLERANCE_SECONDS} s of now`);
  }
  const expected = Buffer.from(webFormSignature({ secret, timestamp, rawBody }));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('X-Signature does not match the body');
  if (await ledger.deliverySeen({ signature })) throw new ConflictError('This delivery was already received (replay)');
}
