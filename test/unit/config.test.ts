import { ConfigError, parseConfig, required, temporalAddress } from '../../config';

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
  const text = message({ PORT: '70000', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', API_KEY: 'short' });
  expect(text).toMatch(/PORT: .*65535/);
  expect(text).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection URL/);
  expect(text).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
  expect(text).toMatch(/API_KEY: must be at least 16 characters/);
});

test('production refuses to run on the public development API key', () => {
  expect(message({ NODE_ENV: 'production' })).toMatch(/API_KEY: is required in production/);
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
