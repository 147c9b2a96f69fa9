import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from './errors';

/** Webhooks prove themselves with the shared secret in `X-Webhook-Secret`. */
export function requireWebhookSecret(secret: string): RequestHandler {
  const expected = Buffer.from(secret);
  return (req, _res, next) => {
    const given = Buffer.from(req.get('x-webhook-secret') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      next(new UnauthorizedError('A valid X-Webhook-Secret header is required'));
      return;
    }
    next();
  };
}
