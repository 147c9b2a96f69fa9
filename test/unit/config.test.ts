import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeysOf, ConfigError, parseConfig, required, secretsOf, temporalAddress } from '../../config';

const message = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

test('defaults give a working development setup', () => {
  const config = parseConfig({});
  expect(config.PORT).toBe(3000);
  expect(temporalAddress(config)).toBe('localhost:7233');
  expect(config.DATABASE_URL).toBeUndefined();
});

test('every bad variable is named with what is wrong, all at once', () => {
  const text = message({ PORT: '70000', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', API_KEY: 'short-key-of-twenty-c', MAIL_DAILY_CAP: '0' });
  expect(text).toMatch(/MAIL_DAILY_CAP: .*1/);
  expect(text).toMatch(/PORT: .*65535/);
  expect(text).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection URL/);
  expect(text).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
  expect(text).toMatch(/API_KEY: must be at least 32 characters/);
});

test('/metrics is off unless its port is set, and never on the public port', () => {
  const config = parseConfig({});
  expect([config.METRICS_PORT, config.WORKER_METRICS_PORT]).toEqual([undefined, undefined]);
  expect(parseConfig({ METRICS_PORT: '9464', WORKER_METRICS_PORT: '9465' })).toMatchObject({ METRICS_PORT: 9464, WORKER_METRICS_PORT: 9465 });
  expect(message({ METRICS_PORT: '3000' })).toMatch(/METRICS_PORT: must differ from PORT/);
  expect(message({ WORKER_METRICS_PORT: 'nine' })).toMatch(/WORKER_METRICS_PORT: /);
});

/** Distinct production secrets, 32+ characters each, as an operator would generate them. */
const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEY: 'a'.repeat(40),
  WEB_FORM_SECRET: 'b'.repeat(40),
  ZOHO_WEBHOOK_SECRET: 'c'.repeat(40),
  INBOUND_EMAIL_WEBHOOK_SECRET: 'd'.repeat(40),
  UNSUBSCRIBE_SECRET: 'e'.repeat(40),
  SESSION_SECRET: 'f'.repeat(40),
  // Production's other requirements (test/unit/mail-config.test.ts): links on https, mail signed or the relay's job.
  PUBLIC_URL: 'https://seguimiento.example.com',
  DKIM_DISABLED: 'true',
};

test('production refuses to run without each of its secrets, and names every missing one', () => {
  const text = message({ NODE_ENV: 'production' });
  for (const name of ['API_KEY', 'WEB_FORM_SECRET', 'ZOHO_WEBHOOK_SECRET', 'INBOUND_EMAIL_WEBHOOK_SECRET', 'UNSUBSCRIBE_SECRET', 'SESSION_SECRET']) {
    expect(text).toMatch(new RegExp(`  ${name}: is required in production`));
  }
  expect(parseConfig(PRODUCTION).NODE_ENV).toBe('production');
});

test('no secret may serve two purposes: production refuses shared values, rotations included', () => {
  expect(message({ ...PRODUCTION, ZOHO_WEBHOOK_SECRET: PRODUCTION.WEB_FORM_SECRET })).toMatch(/ZOHO_WEBHOOK_SECRET: must differ from WEB_FORM_SECRET/);
  expect(message({ ...PRODUCTION, SESSION_SECRET_PREVIOUS: PRODUCTION.API_KEY })).toMatch(/SESSION_SECRET_PREVIOUS: must differ from API_KEY/);
  expect(message({ ...PRODUCTION, UNSUBSCRIBE_SECRET_PREVIOUS: PRODUCTION.UNSUBSCRIBE_SECRET })).toMatch(/UNSUBSCRIBE_SECRET_PREVIOUS: must differ from UNSUBSCRIBE_SECRET/);
  // Development too: a shared value is a mistake wherever it is made.
  expect(message({ WEB_FORM_SECRET: 'g'.repeat(32), INBOUND_EMAIL_WEBHOOK_SECRET: 'g'.repeat(32) })).toMatch(/INBOUND_EMAIL_WEBHOOK_SECRET: must differ/);
});

test('a short secret is refused with the length it needs', () => {
  expect(message({ ...PRODUCTION, SESSION_SECRET: 'only-twenty-chars-xx' })).toMatch(/SESSION_SECRET: must be at least 32 characters/);
});

test('the old shared WEBHOOK_SECRET stops the start and says what replaced it', () => {
  expect(message({ ...PRODUCTION, WEBHOOK_SECRET: 'h'.repeat(40) })).toMatch(/WEBHOOK_SECRET: no longer used: set WEB_FORM_SECRET, ZOHO_WEBHOOK_SECRET and INBOUND_EMAIL_WEBHOOK_SECRET/);
});

test('a previous value is accepted alongside the current one while a secret is rotated', () => {
  const config = parseConfig({ ...PRODUCTION, API_KEY_PREVIOUS: 'p'.repeat(40), WEB_FORM_SECRET_PREVIOUS: 'q'.repeat(40) });
  expect(apiKeysOf(config)).toEqual({ current: PRODUCTION.API_KEY, previous: 'p'.repeat(40) });
  expect(secretsOf(config).webForm).toEqual({ current: PRODUCTION.WEB_FORM_SECRET, previous: 'q'.repeat(40) });
  expect(secretsOf(config).session).toEqual({ current: PRODUCTION.SESSION_SECRET });
});

test('development stand-ins are public but still one per purpose', () => {
  const values = Object.values(secretsOf(parseConfig({}))).map((s) => s.current);
  expect(new Set(values).size).toBe(values.length);
});

test('Zoho credentials come as a set', () => {
  expect(message({ ZOHO_CLIENT_ID: 'abc' })).toMatch(/set all three or none/);
});

test('empty variables mean unset, as compose files produce them', () => {
  expect(parseConfig({ PUBLIC_URL: '', PORT: '' }).PUBLIC_URL).toBe('http://localhost:3000');
});

test('a process that needs a service says which variable is missing', () => {
  expect(() => required(parseConfig({}), 'SMTP_URL')).toThrow(/SMTP_URL: is required/);
});

test('ZOHO_STATUS_MAP overrides Lead_Status values per stage, and a bad one is named', () => {
  expect(parseConfig({ ZOHO_STATUS_MAP: '{"engaged":"En conversación"}' }).ZOHO_STATUS_MAP).toEqual({ engaged: 'En conversación' });
  expect(message({ ZOHO_STATUS_MAP: '{"flying":"x"}' })).toMatch(/ZOHO_STATUS_MAP: must map stages to status names/);
  expect(message({ ZOHO_STATUS_MAP: 'not json' })).toMatch(/ZOHO_STATUS_MAP: must be a JSON object/);
});

describe('Temporal Cloud: an API key or a client certificate, whole, never both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seguimiento-config-'));
  const pem = (name: string, label: string) => {
    const path = join(dir, name);
    writeFileSync(path, `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`);
    return path;
  };
  const cert = pem('client.pem', 'CERTIFICATE');
  const key = pem('client.key', 'PRIVATE KEY');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('plain by default; an API key, or a certificate with its key, is taken', () => {
    const plain = parseConfig({});
    expect([plain.TEMPORAL_API_KEY, plain.TEMPORAL_TLS_CERT, plain.TEMPORAL_TLS_KEY]).toEqual([undefined, undefined, undefined]);
    expect(parseConfig({ TEMPORAL_API_KEY: 'cloud-api-key' }).TEMPORAL_API_KEY).toBe('cloud-api-key');
    expect(parseConfig({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key })).toMatchObject({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key });
  });

  test('a certificate without its key, or a key without its certificate, stops the start and says which is missing', () => {
    expect(message({ TEMPORAL_TLS_CERT: cert })).toMatch(/TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY: set both for mTLS \(TEMPORAL_TLS_KEY is missing\)/);
    expect(message({ TEMPORAL_TLS_KEY: key })).toMatch(/\(TEMPORAL_TLS_CERT is missing\)/);
  });

  test('an API key together with a client certificate is refused', () => {
    expect(message({ TEMPORAL_API_KEY: 'cloud-api-key', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key }))
      .toMatch(/TEMPORAL_API_KEY, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY: use an API key or a client certificate, not both/);
  });

  test('a path that is not a readable PEM file is named at start, not at the first call', () => {
    const text = message({ TEMPORAL_TLS_CERT: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: pem('ca.txt', 'NOTHING').replace('ca.txt', 'nope.txt') });
    expect(text).toMatch(/TEMPORAL_TLS_CERT: must be the path of a readable PEM file/);
    expect(text).toMatch(/TEMPORAL_TLS_CA: must be the path of a readable PEM file/);
    expect(message({ TEMPORAL_TLS_SERVER_NAME: 'not a host' })).toMatch(/TEMPORAL_TLS_SERVER_NAME: must be a host name/);
  });
});
