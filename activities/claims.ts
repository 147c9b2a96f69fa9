import { Context } from '@temporalio/activity';
import type { SendTouchEmailResult } from '../domain/effects';
import type { EffectClaim, Ledger } from '../integrations/ledger/ledger';
import { DeliveryNotAttemptedError, PermanentDeliveryError, type Mailer, type OutgoingMail } from '../integrations/mailer';
import { ZohoAuthError, ZohoRecordError, ZohoRequestError, ZohoUnavailableError } from '../integrations/zoho/client';

/*
 * Claim → act → complete, for every effect on the outside world (docs: README "Effectively once").
 *
 *   (none) ──claim──▶ claimed ──complete──▶ done        a retry returns the ref
 *                        │ ──fail────────▶ failed       proven not done, for good; a deliberate retry may claim again
 *                        │ ──release─────▶ (none)       proven not done, for now; Temporal's retry claims again
 *                        └ (no answer) ──▶ claimed      unknown: the answer was lost, or the worker died
 *
 * An unknown claim is never taken for "not done". A message is never sent again (a person contacted
 * twice is worse than one touch missed): the retry answers `uncertain`. A Zoho record is looked up by
 * the key it carries before it is created again.
 */

export interface ClaimTiming {
  /**
   * How long an unknown claim may still belong to an attempt that is running (the activities'
   * one-minute start-to-close timeout, and a margin): until then a retry waits rather than looks.
   * An attempt that ended without an answer says so on the claim, and the next one need not wait.
   */
  leaseMs: number;
  /**
   * How long after a claim a "not found" from Zoho is not trusted: its search is an index, and a
   * record saved a moment ago may not be in it yet. Zoho documents no bound; this is a judgement.
   */
  searchSettleMs: number;
  /** How long an attempt keeps trying to record a result it has (PostgreSQL briefly away). */
  completeRetryMs: number;
}

export const DEFAULT_CLAIM_TIMING: ClaimTiming = { leaseMs: 70_000, searchSettleMs: 30_000, completeRetryMs: 5_000 };

/** An earlier attempt's claim may still be acting, or Zoho's search may not show its record yet: Temporal retries later. */
export class EffectInProgressError extends Error {
  override name = 'EffectInProgressError';
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Called outside an activity (a test calling the function itself): nobody to tell.
  }
}

/**
 * Heartbeats while a slow call runs, so the attempt shows as alive in the Web UI, a cancellation
 * reaches it, and a workflow that sets a heartbeat timeout learns of a dead worker before the
 * start-to-close timeout.
 */
export async function heartbeating<T>(work: Promise<T>, everyMs = 3_000): Promise<T> {
  heartbeat();
  const timer = setInterval(heartbeat, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records the result of an effect that happened. PostgreSQL briefly away must not turn a done effect
 * into an unknown one, so it is tried for a few seconds; after that the attempt still reports the
 * result (Temporal's history keeps it) and the claim stays unknown, which can only ever prevent a
 * repeat, never cause one.
 */
async function completeOrKeep(ledger: Ledger, key: string, ref: string, timing: ClaimTiming): Promise<void> {
  const deadline = Date.now() + timing.completeRetryMs;
  for (let pause = 200; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      await ledger.complete({ key, ref });
      return;
    } catch (err) {
      if (Date.now() + pause > deadline) {
        warn('The effect happened but its claim could not be completed; it stays unknown in the ledger', { key, error: describe(err) });
        return;
      }
      await sleep(pause);
    }
  }
}

function warn(message: string, meta: Record<string, unknown>): void {
  try {
    Context.current().log.warn(message, meta);
  } catch {
    // Outside an activity there is no activity logger; the ledger row says it all the same.
  }
}

/**
 * Sends one message under its key: at most once, whatever retries, crashes or lost answers happen.
 * With `address`, the opt-outs and suppressions are checked in the claim's own transaction.
 */
export async function sendOnce(
  { ledger, mailer, timing }: { ledger: Ledger; mailer: Pick<Mailer, 'send'>; timing: ClaimTiming },
  { key, leadId, kind, address, mail }: { key: string; leadId: string; kind: string; address?: string; mail: () => OutgoingMail },
): Promise<Required<Pick<SendTouchEmailResult, 'outcome'>> & SendTouchEmailResult> {
  const draft = mail();
  const answer = address
    ? await ledger.claimMessage({ key, leadId, kind, address, ref: draft.messageId })
    : await ledger.claim({ key, leadId, kind, ref: draft.messageId });
  if (!answer.claimed) {
    if ('blocked' in answer) return { messageId: null, outcome: 'suppressed', reason: answer.blocked };
    const { existing } = answer;
    if (existing.state === 'done') return { messageId: existing.ref ?? draft.messageId, outcome: 'sent' };
    // An attempt before this one claimed the send and never recorded its answer: it may have gone out.
    return { messageId: existing.ref ?? draft.messageId, outcome: 'uncertain' };
  }
  try {
    await heartbeating(mailer.send(draft));
  } catch (err) {
    if (err instanceof PermanentDeliveryError) {
      await ledger.fail({ key, error: describe(err) }).catch(() => undefined);
      throw err;
    }
    if (err instanceof DeliveryNotAttemptedError) {
      // If even the release fails, the claim stays unknown and the retry answers `uncertain`: a missed touch, never a double.
      await ledger.release({ key }).catch(() => undefined);
      throw err;
    }
    await ledger.markUnknown({ key, error: describe(err) }).catch(() => undefined);
    return { messageId: draft.messageId, outcome: 'uncertain' };
  }
  await completeOrKeep(ledger, key, draft.messageId, timing);
  return { messageId: draft.messageId, outcome: 'sent' };
}

/** Zoho refused the request or the record: it proves nothing was written. */
function provesNothingWritten(err: unknown): 'for good' | 'for now' | false {
  if (err instanceof ZohoRecordError || err instanceof ZohoAuthError || err instanceof ZohoRequestError) return 'for good';
  if (err instanceof ZohoUnavailableError) return 'for now';
  return false;
}

/**
 * Creates one Zoho record under its key. A claim left unknown by an earlier attempt is resolved by
 * `find` (the record carries its key) before anything is created again; without `find` the create
 * itself must be safe to repeat (a conversion, which Zoho refuses twice).
 */
export async function createOnce(
  { ledger, timing }: { ledger: Ledger; timing: ClaimTiming },
  { key, leadId, kind, find, create }: { key: string; leadId: string; kind: string; find?: () => Promise<string | null>; create: () => Promise<string> },
): Promise<string> {
  const answer = await ledger.claim({ key, leadId, kind });
  if (!answer.claimed) {
    const { existing } = answer;
    if (existing.state === 'done') return existing.ref ?? '';
    const found = await resolveUnknown(existing);
    if (found !== null) return found;
  }
  let ref: string;
  try {
    ref = await heartbeating(create());
  } catch (err) {
    const proof = provesNothingWritten(err);
    if (proof === 'for good') await ledger.fail({ key, error: describe(err) }).catch(() => undefined);
    else if (proof === 'for now') await ledger.release({ key }).catch(() => undefined);
    else await ledger.markUnknown({ key, error: describe(err) }).catch(() => undefined);
    throw err;
  }
  await completeOrKeep(ledger, key, ref, timing);
  return ref;

  /** The record an earlier attempt made, or null once this attempt holds the claim to create it. */
  async function resolveUnknown(existing: EffectClaim): Promise<string | null> {
    // No note from the attempt that claimed it: it may still be running (or its worker died).
    if (existing.error === null && existing.ageMs < timing.leaseMs) {
      throw new EffectInProgressError(`${kind} ${key}: claimed ${Math.round(existing.ageMs / 1000)} s ago by an attempt that may still be running`);
    }
    if (find) {
      const found = await heartbeating(find());
      if (found) {
        await completeOrKeep(ledger, key, found, timing);
        return found;
      }
      if (existing.ageMs < timing.searchSettleMs) {
        throw new EffectInProgressError(`${kind} ${key}: not found yet, and Zoho's search may not show a record saved ${Math.round(existing.ageMs / 1000)} s ago`);
      }
    }
    if (!(await ledger.takeOver({ key, attempts: existing.attempts }))) {
      throw new EffectInProgressError(`${kind} ${key}: another attempt took the claim over`);
    }
    return null;
  }
}
