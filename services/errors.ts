/*
 * What a use case refuses, in its own words; api/errors.ts turns each into its HTTP answer (404, 400,
 * 409, 503), and the web pages into a Spanish message.
 */

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** Well-formed but not possible now (e.g. an outcome that makes no sense in the lead's stage). */
export class RejectedError extends Error {
  override name = 'RejectedError';
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** A dependency such as Temporal is unreachable: the request was fine, try again later. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
