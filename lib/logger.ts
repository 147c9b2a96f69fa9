import pino from 'pino';

/** Lead data never reaches the logs: these paths are redacted wherever they appear. */
const PII_PATHS = ['email', 'phone', 'firstName', 'lastName', '*.email', '*.phone', '*.firstName', '*.lastName', 'lead.email', 'req.headers.authorization'];

export function createLogger({ name, level }: { name: string; level: string }) {
  return pino({ name, level, redact: { paths: PII_PATHS, censor: '[redacted]' } });
}

export type Logger = ReturnType<typeof createLogger>;
