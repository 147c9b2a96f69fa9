import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from './errors';

/** Machine clients authenticate with `Authorization: Bearer <API_KEY>`. */
export function requireApiKey(apiKey: string): RequestHandler {
  const expected = Buffer.from(apiKey);
  return (req, _res, next) => {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      next(new UnauthorizedError('A valid API key is required (Authorization: Bearer <key>)'));
      return;
    }
    next();
  };
}
