/**
 * Errors the Zoho client throws. Their `name`s are a contract: the Temporal worker lists the
 * non-retryable ones in `nonRetryableErrorTypes`, and Temporal reads the type from `name`.
 * Messages carry Zoho's codes and field names, never the values we sent (those may be personal data).
 */

/** Zoho refused one record: a missing mandatory field, invalid data, an unknown id. Retrying cannot help. */
export class ZohoRecordError extends Error {
  override name = 'ZohoRecordError' as const;
  readonly code: string;
  /** The field Zoho blamed (its `api_name`), when it named one. */
  readonly apiName: string | undefined;
  readonly jsonPath: string | undefined;
  /** Position of the record in the batch we sent. */
  readonly index: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(init: {
    code: string;
    message: string;
    apiName?: string | undefined;
    jsonPath?: string | undefined;
    index?: number | undefined;
    details?: Record<string, unknown>;
  }) {
    super(`Zoho rejected the record: ${init.code}${init.apiName ? ` (${init.apiName})` : ''}: ${init.message}`);
    this.code = init.code;
    this.apiName = init.apiName;
    this.jsonPath = init.jsonPath;
    this.index = init.index;
    this.details = init.details ?? {};
  }
}

/** Our credentials are wrong or lack a scope: a person has to fix the configuration. */
export class ZohoAuthError extends Error {
  override name = 'ZohoAuthError' as const;
  readonly code: string;

  constructor(code: string, message: string) {
    super(`Zoho authentication failed: ${code}: ${message}`);
    this.code = code;
  }
}

/** Zoho refused the request itself (bad URL, module, query, or an answer we cannot read). */
export class ZohoRequestError extends Error {
  override name = 'ZohoRequestError' as const;
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(`Zoho request failed with HTTP ${status}: ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** Zoho is rate limiting us or failing; worth trying again later, so Temporal retries it. */
export class ZohoUnavailableError extends Error {
  override name = 'ZohoUnavailableError' as const;
  /** HTTP status of the last attempt; undefined when the network failed. */
  readonly status: number | undefined;
  readonly attempts: number;
  /** What Zoho asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { status?: number | undefined; attempts: number; retryAfterMs?: number | undefined; cause?: unknown }) {
    const what = init.status === undefined ? 'network error' : `HTTP ${init.status}`;
    super(`Zoho unavailable after ${init.attempts} attempt(s): ${what}`, { cause: init.cause });
    this.status = init.status;
    this.attempts = init.attempts;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * A create (a Task, a Call, a Note, a conversion) whose request left and whose answer never came
 * (a timeout, a connection lost, a 5xx that may follow a commit): Zoho may have saved it. The client
 * never repeats such a write itself; Temporal retries the activity, which looks the record up by the
 * key it carries before creating it again.
 */
export class ZohoOutcomeUnknownError extends Error {
  override name = 'ZohoOutcomeUnknownError' as const;
  readonly status: number | undefined;

  constructor(init: { status?: number | undefined; cause?: unknown }) {
    super(`Zoho may have saved the write, its answer was lost: ${init.status === undefined ? 'no answer' : `HTTP ${init.status}`}`, { cause: init.cause });
    this.status = init.status;
  }
}

/** For the worker's `nonRetryableErrorTypes`. */
export const ZOHO_NON_RETRYABLE_ERROR_TYPES = ['ZohoRecordError', 'ZohoAuthError', 'ZohoRequestError'] as const;
