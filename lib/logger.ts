import pino from 'pino';

/**
 * Lead data and credentials never reach the logs: these paths are redacted wherever they appear
 * (docs/security.md lists what the logs never contain).
 */
const REDACTED_PATHS = [
  'email', 'phone', 'firstName', 'lastName', '*.email', '*.phone', '*.firstName', '*.lastName', 'lead.email',
  'password', '*.password', 'token', '*.token',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-webhook-secret"]', 'req.headers["x-signature"]',
];

export function createLogger({ name, level, destination }: { name: string; level: string; destination?: pino.DestinationStream }) {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export type Logger = ReturnType<typeof createLogger>;
