import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import request from 'supertest';
import type { SentMailbox } from '../../api/web';
import type { ActivityDeps } from '../../activities';
import { createApp } from '../../api/app';
import type { Secrets } from '../../config';
import { Accounts } from '../../api/web/accounts';
import { defaultPolicy } from '../../domain/policy';
import { defaultKpiSettings } from '../../services/analytics/kpis';
import type { RoutingRule } from '../../domain/routing';
import { Ledger } from '../../integrations/ledger/ledger';
import { createLogger } from '../../lib/logger';
import { MailCatcher, parseMail } from '../../dev/smtp-catcher/catcher';
import { createMailer, type Mailer } from '../../integrations/mailer';
import { ZohoClient } from '../../integrations/zoho/client';
import { zohoStatusMap } from '../../integrations/zoho/status-mapping';
import { createZohoSandbox, defaultOrg, type ZohoSandbox } from '../../dev/zoho-sandbox/app';
import { createLeadWorker, emailRenderers } from '../../workers/lead-worker';
import { startTestPostgres, type TestPostgres } from './postgres';
import { devServerEnv } from './temporal';

export const API_KEY = 'integration-test-api-key-000000000001';
/** One secret per purpose, as production has them (config/index.ts refuses shared ones). */
export const SECRETS = {
  webForm: 'integration-web-form-secret-000000001',
  zohoWebhook: 'integration-zoho-webhook-secret-000001',
  inboundEmailWebhook: 'integration-inbound-email-secret-00001',
  unsubscribe: 'integration-unsubscribe-secret-0000001',
  session: 'integration-session-secret-00000000001',
} as const;
/** The app's form of the secrets: no rotation under way. */
export const secretsFor = (values: Record<keyof Secrets, string>): Secrets =>
  Object.fromEntries(Object.entries(values).map(([purpose, current]) => [purpose, { current }])) as unknown as Secrets;
export const PUBLIC_URL = 'http://localhost:3000';
/** The domain of the stack's MAIL_FROM (seguimiento@example.com): our Message-IDs end in it. */
export const MAIL_DOMAIN = 'example.com';
export const TEAM_EXECUTIVE = 'equipo.seguimiento@empresa.example';
const credentials = { clientId: 'it-client', clientSecret: 'it-secret', refreshToken: 'it-refresh' };

/**
 * The whole product on real servers, in one test process: Temporal dev server (the `temporal` CLI),
 * PostgreSQL, an SMTP server, the Zoho sandbox over HTTP, the worker and the API. Nothing mocked.
 */
export interface Stack {
  env: TestWorkflowEnvironment;
  ledger: Ledger;
  catcher: MailCatcher;
  smtpPort: number;
  sandbox: ZohoSandbox;
  zohoUrl: string;
  /** The HTTP app itself, for tests that need a real listening server (the browser tests). */
  app: Express;
  api: ReturnType<typeof request>;
  activityDeps: ActivityDeps;
  databaseUrl: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack({ worker: withWorker = true, routingRules = [] }: { worker?: boolean; routingRules?: RoutingRule[] } = {}): Promise<Stack> {
  const [env, pg] = (await Promise.all([devServerEnv(), startTestPostgres()])) as [TestWorkflowEnvironment, TestPostgres];
  const ledger = Ledger.connect(pg.databaseUrl);
  await ledger.migrate();
  // The team's executive, in the default pool, so that routing gives every new lead an owner.
  await new Accounts(ledger.pool).create({ email: TEAM_EXECUTIVE, name: 'Equipo de seguimiento', role: 'executive', password: 'team-executive-password' });
  await ledger.pool.query('UPDATE users SET cap = 100000 WHERE email = $1', [TEAM_EXECUTIVE]);
  const catcher = new MailCatcher();
  const smtpPort = await catcher.listen(0);
  const mailer: Mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Seguimiento <seguimiento@example.com>' });
  let zohoUrl = '';
  // The team's executive is a user of the Zoho org, as executives are in production: tasks and leads are theirs.
  const teamZohoUser = { id: '6310180000000412049', first_name: 'Equipo', last_name: 'Seguimiento', email: TEAM_EXECUTIVE, status: 'active' as const };
  const sandbox = createZohoSandbox({ ...credentials, publicUrl: () => zohoUrl, org: { users: [...defaultOrg().users, teamZohoUser] } });
  const zohoServer: Server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise((ok) => zohoServer.once('listening', ok));
  zohoUrl = `http://127.0.0.1:${(zohoServer.address() as AddressInfo).port}`;
  const zoho = new ZohoClient({ accountsUrl: zohoUrl, ...credentials });
  const namespace = env.namespace ?? 'default';
  const activityDeps: ActivityDeps = {
    ledger, mailer, zoho,
    emails: emailRenderers,
    directorEmail: 'director@example.com',
    temporalUiUrl: 'http://localhost:8233',
    namespace,
    publicUrl: PUBLIC_URL,
    unsubscribeSecret: SECRETS.unsubscribe,
    mailDomain: MAIL_DOMAIN,
    teamReplyTo: 'equipo@example.com',
    zohoStatus: zohoStatusMap(),
    routingRules,
    temporal: env.client,
  };
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createLeadWorker({
      connection: env.nativeConnection, namespace, deps: activityDeps,
      reports: { ledger, mailer, directorEmail: 'director@example.com', publicUrl: PUBLIC_URL, kpiSettings: defaultKpiSettings, timeZone: 'America/El_Salvador' },
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  if (withWorker) await startWorker();
  // Real days, but without business-hours alignment, so the first touches happen now rather than at 09:00.
  const policy = { ...defaultPolicy(), calendarAligned: false };
  const log = createLogger({ name: 'api-test', level: 'silent' });
  const app = createApp({
    temporal: env.client, ledger, secrets: secretsFor(SECRETS), zohoStatus: zohoStatusMap(), apiKey: { current: API_KEY }, publicUrl: PUBLIC_URL, policy, log,
    links: { temporalUiUrl: 'http://localhost:8233', namespace, zohoWebUrl: 'https://crm.zoho.com' },
    routingRules,
    sentMail: catcherMailbox(catcher),
  });
  const api = request(app);
  return {
    env, ledger, catcher, smtpPort, sandbox, zohoUrl, app, api, activityDeps, databaseUrl: pg.databaseUrl, startWorker, stopWorker,
    async stop() {
      await stopWorker();
      await env.teardown();
      mailer.close();
      await catcher.close();
      zohoServer.closeAllConnections();
      await new Promise((ok) => zohoServer.close(ok));
      await ledger.close();
      await pg.stop();
    },
  };
}

/** The in-process catcher as the "Correo enviado" page reads it (npm start uses its HTTP API instead). */
function catcherMailbox(catcher: MailCatcher): SentMailbox {
  return {
    async list() {
      const mails = await Promise.all(catcher.list().map(async (m) => ({ m, parsed: await parseMail(m) })));
      return mails.reverse().map(({ m, parsed }) => ({
        id: m.id, receivedAt: m.receivedAt, to: m.envelope.to, subject: parsed.subject ?? '', text: parsed.text ?? '', hasHtml: Boolean(parsed.html),
      }));
    },
    async html(id) {
      const mail = catcher.list().find((m) => m.id === id);
      return mail ? ((await parseMail(mail)).html || null) : null;
    },
  };
}

export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
