import type { RequestHandler } from 'express';
import { isSecret, type Secret } from '../lib/secret';
import { UnauthorizedError } from './errors';

/** A webhook proves itself with its own secret in `X-Webhook-Secret`: each source has a different one. */
export function requireWebhookSecret(secret: Secret): RequestHandler {
  return (req, _res, next) => {
    if (!isSecret(req.get('x-webhook-secret') ?? '', secret)) {
      next(new UnauthorizedError('A valid X-Webhook-Secret header is required'));
      return;
    }
    next();
  };
}
