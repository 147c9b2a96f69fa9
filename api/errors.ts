import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { ConflictError, NotFoundError, RejectedError, UnavailableError } from '../services/errors';

// The use cases' failures, re-exported so that routes find every error they map in one place.
export { ConflictError, NotFoundError, RejectedError, UnavailableError };

/** The request's credentials are missing or wrong: an HTTP matter, so it lives here. */
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

/** Field path → messages, the shape every 400 carries. */
export function fieldErrors(err: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.join('.') : '(body)';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

export const notFoundRoute: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', message: 'No such endpoint' });
};

/** The one place that turns failures into HTTP answers: bad input is never a 500. */
export function errorHandler(log: { error: (obj: object, msg: string) => void }): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ZodError) {
      res.status(400).json({ error: 'validation_failed', message: 'The request has invalid fields', fields: fieldErrors(err) });
      return;
    }
    if (err instanceof RejectedError) {
      res.status(400).json({ error: 'rejected', message: err.message });
      return;
    }
    if (err instanceof ConflictError) {
      res.status(409).json({ error: 'conflict', message: err.message });
      return;
    }
    if (err instanceof NotFoundError) {
      res.status(404).json({ error: 'not_found', message: err.message });
      return;
    }
    if (err instanceof UnauthorizedError) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: err.message });
      return;
    }
    if (err instanceof UnavailableError) {
      res.status(503).json({ error: 'unavailable', message: err.message });
      return;
    }
    // body-parser's own errors (malformed JSON, too large, wrong charset) carry a 4xx status.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as { type?: string }).type ?? 'bad_request', message: (err as Error).message });
      return;
    }
    log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'Unhandled request error');
    res.status(500).json({ error: 'internal', message: 'Something went wrong on our side' });
  };
}
