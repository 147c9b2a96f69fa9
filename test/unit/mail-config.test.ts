import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, dkimOf, mailDomainOf, parseConfig } from '../../config';

const message = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEY: 'a'.repeat(40),
  WEB_FORM_SECRET: 'b'.repeat(40),
  ZOHO_WEBHOOK_SECRET: 'c'.repeat(40),
  INBOUND_EMAIL_WEBHOOK_SECRET: 'd'.repeat(40),
  UNSUBSCRIBE_SECRET: 'e'.repeat(40),
  SESSION_SECRET: 'f'.repeat(40),
  PUBLIC_URL: 'https://seguimiento.example.com',
  MAIL_FROM: 'Cursos <cursos@mail.example.com>',
};
const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim();
const DKIM = { DKIM_SELECTOR: 's2026', DKIM_PRIVATE_KEY: pem.replaceAll('\n', '\\n') };

test('production refuses to start without DKIM, saying how to set it up or turn it off, and with every other problem', () => {
  const text = message({ ...PRODUCTION, SESSION_SECRET: '' });
  expect(text).toContain('DKIM_SELECTOR, DKIM_PRIVATE_KEY: are required in production to sign mail with DKIM (or set DKIM_DISABLED=true when the mail relay signs it)');
  expect(text).toContain('SESSION_SECRET: is required in production');
  expect(parseConfig({ ...PRODUCTION, ...DKIM }).NODE_ENV).toBe('production');
  // Turned off only by saying so.
  expect(dkimOf(parseConfig({ ...PRODUCTION, DKIM_DISABLED: 'true' }))).toBeNull();
  expect(message({ ...PRODUCTION, DKIM_DISABLED: 'yes' })).toMatch(/DKIM_DISABLED: must be true or false/);
});

test('production refuses an http PUBLIC_URL (and the http default)', () => {
  const env = { ...PRODUCTION, ...DKIM };
  expect(message({ ...env, PUBLIC_URL: 'http://seguimiento.example.com' })).toContain('PUBLIC_URL: must be an https:// URL in production');
  const { PUBLIC_URL: _unset, ...withoutUrl } = env;
  expect(message(withoutUrl)).toContain('PUBLIC_URL: must be an https:// URL in production');
  // Development keeps its http://localhost default.
  expect(parseConfig({}).PUBLIC_URL).toBe('http://localhost:3000');
});

test('the DKIM key may be given with \\n escapes; the signing domain defaults to MAIL_FROM\'s and must align with it', () => {
  expect(dkimOf(parseConfig({ ...PRODUCTION, ...DKIM }))).toEqual({ domainName: 'mail.example.com', keySelector: 's2026', privateKey: pem });
  expect(dkimOf(parseConfig({ ...PRODUCTION, ...DKIM, DKIM_DOMAIN: 'example.com' }))?.domainName).toBe('example.com');
  expect(message({ ...PRODUCTION, ...DKIM, DKIM_DOMAIN: 'other.example.org' })).toContain("DKIM_DOMAIN: must be MAIL_FROM's domain (mail.example.com) or a parent of it");
  expect(message({ ...PRODUCTION, DKIM_SELECTOR: 's2026' })).toContain('DKIM_SELECTOR, DKIM_PRIVATE_KEY: set both to sign mail with DKIM (DKIM_PRIVATE_KEY is missing)');
  const bad = message({ ...PRODUCTION, DKIM_SELECTOR: 's2026', DKIM_PRIVATE_KEY: 'not-a-key' });
  expect(bad).toMatch(/DKIM_PRIVATE_KEY: must be a PEM private key/);
  expect(bad).not.toContain('not-a-key'); // a key's value never lands in a log
  expect(message({ ...PRODUCTION, ...DKIM, DKIM_DISABLED: 'true' })).toContain('DKIM_DISABLED: is true while DKIM settings are given');
});

test('MAIL_FROM names the Message-ID domain, and must be an address', () => {
  expect(mailDomainOf(parseConfig({}))).toBe('example.com');
  expect(mailDomainOf(parseConfig({ MAIL_FROM: 'Cursos <Cursos@Mail.Example.com>' }))).toBe('mail.example.com');
  expect(mailDomainOf(parseConfig({ MAIL_FROM: 'cursos@example.org' }))).toBe('example.org');
  expect(message({ MAIL_FROM: 'Seguimiento' })).toMatch(/MAIL_FROM: must be an email address/);
  expect(message({ MAIL_FROM: 'Seguimiento <x@bad_domain>' })).toMatch(/MAIL_FROM: must be an email address/);
});
