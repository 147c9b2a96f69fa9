import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The real entry points, started as production starts them: a bad set of secrets stops them before
 * they connect to anything, with a message naming each offending variable.
 */
const root = resolve(__dirname, '../..');
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  SMTP_URL: 'smtp://127.0.0.1:1',
  API_KEY: 'k'.repeat(40),
  WEB_FORM_SECRET: 'w'.repeat(40),
  ZOHO_WEBHOOK_SECRET: 'z'.repeat(40),
  INBOUND_EMAIL_WEBHOOK_SECRET: 'i'.repeat(40),
  UNSUBSCRIBE_SECRET: 'u'.repeat(40),
  SESSION_SECRET: 's'.repeat(40),
};

function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => (clearTimeout(timer), done({ code, stderr })));
  });
}

test.each(['api/main.ts', 'workers/main.ts'])('%s refuses to start in production when two secrets are the same, or one is short or missing', async (entry) => {
  const shared = await run(entry, { ...PRODUCTION_ENV, ZOHO_WEBHOOK_SECRET: PRODUCTION_ENV.WEB_FORM_SECRET });
  expect(shared.code).toBe(1);
  expect(shared.stderr).toContain('ZOHO_WEBHOOK_SECRET: must differ from WEB_FORM_SECRET (one secret per purpose)');

  const { SESSION_SECRET: _missing, ...withoutSession } = PRODUCTION_ENV;
  const weak = await run(entry, { ...withoutSession, UNSUBSCRIBE_SECRET: 'short-secret' });
  expect(weak.code).toBe(1);
  expect(weak.stderr).toContain('UNSUBSCRIBE_SECRET: must be at least 32 characters');
  expect(weak.stderr).toContain('SESSION_SECRET: is required in production');
}, 90_000);
