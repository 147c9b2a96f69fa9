import type { RequestHandler } from 'express';
import { isSecret, type Secret } from '../lib/secret';
import { UnauthorizedError } from './errors';

/** Machine clients authenticate with `Authorization: Bearer <API_KEY>`. */
export function requireApiKey(apiKey: Secret): RequestHandler {
  return (req, _res, next) => {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (!isSecret(match?.[1] ?? '', apiKey)) {
      next(new UnauthorizedError('A valid API key is required (Authorization: Bearer <key>)'));
      return;
    }
    next();
  };
}
