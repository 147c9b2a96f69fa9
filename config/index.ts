import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultKpiSettings, type KpiSettings } from '../domain/kpi-settings';
import { DAY_MS, defaultPolicy, type FollowUpPolicy } from '../domain/policy';
import { STAGES } from '../domain/lead';
import { routingRulesSchema } from '../domain/routing';
import type { Secret } from '../lib/secret';

export type { Secret };

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS } as const;
function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}
const optionalUrl = z.url({ message: 'must be a URL' }).optional();
/** The send activity's start-to-close timeout (workflows/lead-actions.ts); SMTP waits must end before it. */
const SEND_ACTIVITY_TIMEOUT_MS = 30_000;
const smtpTimeout = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(ms|s)$/, 'must be a duration such as 500ms or 10s')
    .default(fallback)
    .transform(durationMs)
    .refine((ms) => ms >= 1000 && ms < SEND_ACTIVITY_TIMEOUT_MS, 'must be at least 1s and less than 30s (the send activity times out at 30s)');
/** The Zoho fields Seguimiento fills from its own codes, as `Module.Field` (integrations/zoho/org-values.ts). */
export const ZOHO_VALUE_FIELDS = ['Leads.Lead_Status', 'Leads.Lead_Source', 'Leads.Country', 'Tasks.Priority', 'Tasks.Status', 'Calls.Call_Type', 'Calls.Call_Result'] as const;
/** ZOHO_VALUE_MAP: per field, our code → the org's value (or values to try in order); `"*"` the fallback. */
export const zohoValueMapSchema = z.partialRecord(
  z.enum(ZOHO_VALUE_FIELDS),
  z.record(z.string().min(1).max(60), z.union([z.string().min(1).max(120), z.array(z.string().min(1).max(120)).min(1).max(10)])),
);
export type ZohoValueMap = z.infer<typeof zohoValueMapSchema>;
/** ZOHO_STATUS_MAP: stage → this org's Lead_Status value; integrations/zoho/status-mapping.ts fills in the rest. */
const zohoStatusOverridesSchema = z.partialRecord(z.enum(STAGES), z.string().min(1).max(100));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A variable holding JSON of a known shape; the message shows an example. */
function jsonOf<T extends z.ZodType>(shape: T, example: string) {
  return z.string().transform((text, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
      return z.NEVER;
    }
    const parsed = shape.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'} ${i.message}`).join('; ')} (e.g. ${example})` });
    return z.NEVER;
  });
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The domain of `Name <local@domain>` or `local@domain`, lowercased; null when there is no usable one. */
export function domainOfAddress(from: string): string | null {
  const address = (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
  const at = address.lastIndexOf('@');
  if (at < 1) return null;
  const domain = address.slice(at + 1).toLowerCase();
  return HOSTNAME.test(domain) ? domain : null;
}

function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).type === 'private';
  } catch {
    return false;
  }
}

/** A PEM file the process can read now: a missing or unreadable certificate stops the start, not the first call. */
function isPemFile(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes('-----BEGIN ');
  } catch {
    return false;
  }
}
const pemFile = z.string().refine(isPemFile, 'must be the path of a readable PEM file (-----BEGIN …)').optional();

/** Long enough that guessing is hopeless: 32 characters, e.g. `openssl rand -hex 32` gives 64. */
export const MIN_SECRET_LENGTH = 32;
const secret = z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`).optional();
/** `<NAME>_PREVIOUS`: while a secret is rotated, the old value is still accepted (never used to sign). */
const rotated = <N extends string>(name: N) => ({ [`${name}_PREVIOUS`]: secret }) as Record<`${N}_PREVIOUS`, typeof secret>;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port(3000),
  PUBLIC_URL: z.url({ message: 'must be a URL' }).default('http://localhost:3000'),
  /**
   * Prometheus' `GET /metrics`, each on a port of its own so the public one never serves it: the API's
   * (METRICS_PORT) and the worker's, which adds the Temporal SDK's metrics (WORKER_METRICS_PORT). Off when unset.
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * The lead worker's sticky cache and task slots (workers/lead-worker.ts), per worker process. The SDK's
   * own cache default grows with the host's memory (about 2,300 workflows on a 24 GB host) and a lead
   * in a worker costs about 1.5 MiB of resident memory over its 430 MiB at start (npm run bench:scale):
   * the default would put a worker far over the 1.5 GB goal, 500 caps the part the cache holds. Sleeping
   * leads gain nothing from the cache (their next task comes hours or days later); it serves a lead's
   * burst of tasks at a touch. The cap alone did not hold the goal in the bench (1.5 GB at 800 leads):
   * V8's heap, 4 GB here, grows before it collects; docs/scaling.md says what to try next. Workflow tasks run on one thread, so 20 slots only keep it fed; 40 activities keep
   * the ledger's 10 connections busy while others wait on SMTP or Zoho. docs/scaling.md has the numbers.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(20),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(40),
  /**
   * OpenTelemetry traces, sent over OTLP (HTTP, protobuf) when one of these is set, off otherwise (lib/tracing.ts):
   * the collector's base URL (`/v1/traces` is appended), or the traces URL itself, which wins.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as http://otel-collector:4318' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as http://otel-collector:4318/v1/traces' }).optional(),
  /** Behind a reverse proxy: how many proxies to trust for the client's address (login rate limit), e.g. 1. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  API_KEY: secret,
  ...rotated('API_KEY'),
  /** Unset: `npm start` runs a local Temporal dev server on DEV_TEMPORAL_PORT. */
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.url({ message: 'must be a URL' }).default('http://localhost:8233'),
  /**
   * Temporal Cloud or a server behind TLS (docs/operations.md): an API key, or a client certificate
   * and its key for mTLS (paths of PEM files), never both; either turns TLS on. TEMPORAL_TLS_CA (a PEM
   * file) and TEMPORAL_TLS_SERVER_NAME are for a server whose certificate the system does not trust
   * or whose name differs from TEMPORAL_ADDRESS's host; set alone they turn TLS on without a client identity.
   */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT: pemFile,
  TEMPORAL_TLS_KEY: pemFile,
  TEMPORAL_TLS_CA: pemFile,
  TEMPORAL_TLS_SERVER_NAME: z.string().regex(HOSTNAME, 'must be a host name such as temporal.internal').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  /** `Name <address>` or an address; its domain is the right-hand side of every Message-ID we send. */
  MAIL_FROM: z
    .string()
    .min(3)
    .refine((from) => domainOfAddress(from) !== null, 'must be an email address, optionally with a name: Seguimiento <seguimiento@your-domain.com>')
    .default('Seguimiento <seguimiento@example.com>'),
  /**
   * How many emails the sending mailbox (MAIL_FROM) sends in a UTC day at most: providers throttle and
   * then junk a mailbox over its limit. A mail planned for a full day goes out at the next allowed moment.
   */
  MAIL_DAILY_CAP: z.coerce.number().int().min(1).max(1_000_000).default(500),
  /**
   * DKIM signing of every mail (integrations/mailer.ts): the domain of the `d=` tag (default: MAIL_FROM's),
   * the selector whose `<selector>._domainkey.<domain>` TXT record holds the public key, and the private
   * key in PEM (a one-line value may write its line breaks as \n). Production refuses to start without
   * them unless DKIM_DISABLED=true says the relay signs instead.
   */
  DKIM_DOMAIN: z.string().regex(HOSTNAME, 'must be a domain name such as your-domain.com').optional(),
  DKIM_SELECTOR: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'must be a DKIM selector such as s2026 (letters, digits, - and .)').optional(),
  DKIM_PRIVATE_KEY: z
    .string()
    .transform((text) => text.replaceAll('\\n', '\n').trim())
    .refine(isPrivateKey, 'must be a PEM private key (-----BEGIN PRIVATE KEY----- …), line breaks may be written \\n')
    .optional(),
  DKIM_DISABLED: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true'),
  /**
   * How long the mailer waits to connect, for the greeting, and on a silent socket. All stay below the
   * send activity's 30 s start-to-close timeout, or Temporal would start a second attempt while the
   * first still waits (integrations/mailer.ts).
   */
  SMTP_CONNECTION_TIMEOUT: smtpTimeout('10s'),
  SMTP_GREETING_TIMEOUT: smtpTimeout('10s'),
  SMTP_SOCKET_TIMEOUT: smtpTimeout('20s'),
  /** Where replies go when the lead's owner has no email address of their own. */
  MAIL_REPLY_TO: z.email({ message: 'must be an email address' }).default('seguimiento@example.com'),
  // One secret per source and purpose (docs/security.md): a leak of one opens one door only.
  /** HMAC key of the website's course form (X-Signature); the web agency holds it. */
  WEB_FORM_SECRET: secret,
  ...rotated('WEB_FORM_SECRET'),
  /** X-Webhook-Secret of Zoho CRM's workflow webhook. */
  ZOHO_WEBHOOK_SECRET: secret,
  ...rotated('ZOHO_WEBHOOK_SECRET'),
  /** X-Webhook-Secret of the mail provider's inbound-email webhook. */
  INBOUND_EMAIL_WEBHOOK_SECRET: secret,
  ...rotated('INBOUND_EMAIL_WEBHOOK_SECRET'),
  /** Signs the unsubscribe link in every email (the worker signs, the API verifies). */
  UNSUBSCRIBE_SECRET: secret,
  ...rotated('UNSUBSCRIBE_SECRET'),
  /** Keys the web app's session and trusted-device tokens. */
  SESSION_SECRET: secret,
  ...rotated('SESSION_SECRET'),
  ZOHO_ACCOUNTS_URL: optionalUrl,
  ZOHO_API_DOMAIN: optionalUrl,
  ZOHO_CLIENT_ID: z.string().min(1).optional(),
  ZOHO_CLIENT_SECRET: z.string().min(1).optional(),
  ZOHO_REFRESH_TOKEN: z.string().min(1).optional(),
  /** Zoho CRM's web address, for links from the lead page. */
  ZOHO_WEB_URL: z.url({ message: 'must be a URL' }).default('https://crm.zoho.com'),
  /** The web app's first account (a director), created only while there are no accounts at all. */
  ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  ADMIN_NAME: z.string().min(1).max(100).default('Dirección comercial'),
  /** The local SMTP catcher's HTTP API (`npm start` sets it): enables the dev-only "Correo enviado" page. */
  MAIL_CATCHER_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('.data'),
  /** JSON array of routing rules, first match wins: [{"pool":"mx","countries":["MX"]}, {"pool":"b2b","profiles":["b2b"]}]. */
  ROUTING_RULES: jsonOf(routingRulesSchema, '[{"pool":"b2b","profiles":["b2b"]}]').default([]),
  /** The company's time zone: the weekly report goes out Monday 08:00 there, and days are counted there. */
  COMPANY_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/El_Salvador').default('America/El_Salvador'),
  /** What an executive costs a month, for "cost per lead managed". */
  MONTHLY_COST_PER_EXECUTIVE: z.coerce.number().min(0).default(2000),
  /** JSON object, course code → price, for the value of enrolments; other courses use DEFAULT_COURSE_PRICE. */
  COURSE_PRICES: jsonOf(z.record(z.string(), z.number().min(0)), '{"DS-101":1200}').default({}),
  DEFAULT_COURSE_PRICE: z.coerce.number().min(0).default(1000),
  /** Enrolled ÷ created before Seguimiento, for "incremental value". */
  BASELINE_CONVERSION_RATE: z.coerce.number().min(0).max(1).default(0.03),
  /** Activity goals per executive: new leads contacted a day, reactivations a week, % of outcomes with a next step. */
  GOAL_NEW_LEADS_CONTACTED_PER_DAY: z.coerce.number().min(0).default(10),
  GOAL_REACTIVATIONS_PER_WEEK: z.coerce.number().min(0).default(5),
  GOAL_NEXT_STEP_PERCENT: z.coerce.number().min(0).max(100).default(90),
  /** JSON object, stage → this org's Lead_Status value, for orgs that customised the picklist. */
  ZOHO_STATUS_MAP: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {};
      try {
        const parsed = zohoStatusOverridesSchema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: `must map stages to status names: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"engaged":"Contactado"}' });
      }
      return z.NEVER;
    }),
  /**
   * JSON object, `Module.Field` → our code → this org's picklist value (or values to try in order),
   * `"*"` the fallback; only values the org's picklist has are ever sent (integrations/zoho/org-values.ts).
   */
  ZOHO_VALUE_MAP: jsonOf(zohoValueMapSchema, '{"Leads.Lead_Source":{"web-form":"Formulario web","*":"Otro"},"Calls.Call_Result":{"contacted":"Contactado"}}').default({}),
  /** Demo mode: one cadence day lasts this long (e.g. 20s); business-hours alignment is off unless it is 1d. */
  LEAD_DAY_DURATION: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 20s, 5m, 1h or 1d')
    .default('1d')
    .transform(durationMs),
  MAX_TOUCHES_PER_WEEK: z.coerce.number().int().min(1).max(7).default(3),
  /** Who receives escalations (SLA missed, stalled leads) and, later, the weekly report. */
  DIRECTOR_EMAIL: z.email({ message: 'must be an email address' }).default('director@example.com'),
  // Ports of the local stand-ins that `npm start` runs when the matching service variable is unset.
  DEV_TEMPORAL_PORT: port(7233),
  DEV_TEMPORAL_UI_PORT: port(8233),
  DEV_POSTGRES_PORT: port(54329),
  DEV_SMTP_PORT: port(1025),
  DEV_MAIL_API_PORT: port(1080),
  DEV_ZOHO_PORT: port(4010),
});

export type Config = z.infer<typeof schema>;

/** The KPI settings (docs/kpis.md) this deployment configured; caps come from the accounts. */
export function kpiSettingsOf(config: Config, caps: Record<string, number> = {}): KpiSettings {
  return {
    ...defaultKpiSettings,
    caps,
    monthlyCostPerExecutive: config.MONTHLY_COST_PER_EXECUTIVE,
    coursePrices: config.COURSE_PRICES,
    defaultCoursePrice: config.DEFAULT_COURSE_PRICE,
    baselineConversionRate: config.BASELINE_CONVERSION_RATE,
    targets: {
      newLeadsContactedPerDay: config.GOAL_NEW_LEADS_CONTACTED_PER_DAY,
      reactivationsPerWeek: config.GOAL_REACTIVATIONS_PER_WEEK,
      nextStepPercent: config.GOAL_NEXT_STEP_PERCENT,
    },
  };
}

/** Thrown for a bad environment; its message names every offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The dev key is public knowledge: it exists so a newcomer's first curl works, never for production. */
export const DEV_API_KEY = 'dev-api-key-change-me';

export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as shells and compose files commonly produce them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  // Secrets are plain text, so their problems are found on the raw values and reported with the rest.
  const secretProblems = [...secretProblemsOf(present), ...deliveryProblemsOf(present), ...temporalProblemsOf(present)];
  if (!result.success || secretProblems.length) {
    const lines = [...(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []), ...secretProblems];
    throw new ConfigError(`Invalid configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  const config = result.data;
  if (Boolean(config.ADMIN_EMAIL) !== Boolean(config.ADMIN_PASSWORD)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_EMAIL, ADMIN_PASSWORD: set both or neither');
  }
  if (config.METRICS_PORT === config.PORT) {
    throw new ConfigError('Invalid configuration:\n  METRICS_PORT: must differ from PORT (the public port never serves /metrics)');
  }
  const zoho = [config.ZOHO_CLIENT_ID, config.ZOHO_CLIENT_SECRET, config.ZOHO_REFRESH_TOKEN];
  if (zoho.some(Boolean) && !zoho.every(Boolean)) {
    throw new ConfigError(
      'Invalid configuration:\n  ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN: set all three or none',
    );
  }
  return config;
}

/** The only place in the product that reads process.env. */
export function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export interface Secrets {
  webForm: Secret;
  zohoWebhook: Secret;
  inboundEmailWebhook: Secret;
  unsubscribe: Secret;
  session: Secret;
}

const SECRET_VARIABLES = {
  webForm: 'WEB_FORM_SECRET',
  zohoWebhook: 'ZOHO_WEBHOOK_SECRET',
  inboundEmailWebhook: 'INBOUND_EMAIL_WEBHOOK_SECRET',
  unsubscribe: 'UNSUBSCRIBE_SECRET',
  session: 'SESSION_SECRET',
} as const satisfies Record<keyof Secrets, keyof Config>;
type SecretVariable = (typeof SECRET_VARIABLES)[keyof Secrets] | 'API_KEY';

/** Development stand-ins, public on purpose (and different from each other); production must set its own. */
const devSecret = (name: SecretVariable) => (name === 'API_KEY' ? DEV_API_KEY : `dev-${name.toLowerCase().replaceAll('_', '-')}-change-me`);

/**
 * Production needs every secret set, and no value may serve two purposes (including a previous value
 * still accepted during a rotation): one leaked key must not open a second door.
 */
function secretProblemsOf(env: Record<string, string | undefined>): string[] {
  const names: SecretVariable[] = ['API_KEY', ...Object.values(SECRET_VARIABLES)];
  const problems: string[] = [];
  // The one shared secret of earlier releases: left set, it would silently protect nothing.
  if (env.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET: no longer used: set WEB_FORM_SECRET, ZOHO_WEBHOOK_SECRET and INBOUND_EMAIL_WEBHOOK_SECRET, each to its own value (docs/security.md)');
  if (env.NODE_ENV === 'production') {
    for (const name of names) {
      if (!env[name]) problems.push(`${name}: is required in production`);
      else if (env[name] === devSecret(name)) problems.push(`${name}: is the public development value`);
    }
  }
  const owners = new Map<string, string>();
  for (const name of names) {
    for (const variable of [name, `${name}_PREVIOUS`] as const) {
      const value = env[variable];
      if (!value) continue;
      const owner = owners.get(value);
      if (owner) problems.push(`${variable}: must differ from ${owner} (one secret per purpose)`);
      else owners.set(value, variable);
    }
  }
  return problems;
}

/**
 * What receivers and people's mail clients need from a production deployment: links on https (the
 * unsubscribe link, one-click unsubscribe, session cookies), and DKIM-signed mail (Gmail's and Yahoo's
 * bulk-sender rules; RFC 8058 one-click counts only when the signature covers List-Unsubscribe).
 * Read on the raw values, so these are reported together with every other problem.
 */
function deliveryProblemsOf(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const dkim = ['DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const;
  const dkimSet = dkim.filter((name) => env[name]);
  const disabled = env.DKIM_DISABLED === 'true';
  if (dkimSet.length === 1) problems.push(`${dkim.join(', ')}: set both to sign mail with DKIM (${dkim.find((name) => !env[name])} is missing)`);
  if (disabled && (dkimSet.length || env.DKIM_DOMAIN)) problems.push('DKIM_DISABLED: is true while DKIM settings are given: remove one or the other');
  const from = domainOfAddress(env.MAIL_FROM ?? 'seguimiento@example.com');
  const signing = env.DKIM_DOMAIN?.toLowerCase();
  // DMARC passes on DKIM only when the signing domain is the From domain or one of its parents.
  if (signing && from && from !== signing && !from.endsWith(`.${signing}`)) {
    problems.push(`DKIM_DOMAIN: must be MAIL_FROM's domain (${from}) or a parent of it, or DMARC will not count the signature`);
  }
  if (env.NODE_ENV === 'production') {
    if (!env.PUBLIC_URL?.startsWith('https://')) problems.push('PUBLIC_URL: must be an https:// URL in production (links in mail, one-click unsubscribe, session cookies)');
    if (!disabled && dkimSet.length === 0) {
      problems.push('DKIM_SELECTOR, DKIM_PRIVATE_KEY: are required in production to sign mail with DKIM (or set DKIM_DISABLED=true when the mail relay signs it)');
    }
  }
  return problems;
}

/** How the app proves who it is to Temporal: one way, whole (docs/operations.md, "Temporal Cloud"). */
function temporalProblemsOf(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const pair = ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const;
  const given = pair.filter((name) => env[name]);
  if (given.length === 1) problems.push(`${pair.join(', ')}: set both for mTLS (${pair.find((name) => !env[name])} is missing)`);
  if (env.TEMPORAL_API_KEY && given.length) problems.push(`TEMPORAL_API_KEY, ${given.join(', ')}: use an API key or a client certificate, not both`);
  return problems;
}

/** The domain of MAIL_FROM: the right-hand side of our Message-IDs. */
export function mailDomainOf(config: Config): string {
  return domainOfAddress(config.MAIL_FROM)!;
}

/** The lead worker's cache and slots, in the SDK's words (see WORKER_MAX_CACHED_WORKFLOWS). */
export function workerTuningOf(config: Config) {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  };
}

/** MAIL_FROM's address alone, lower case: the mailbox whose daily cap the mails share. */
export function mailboxOf(config: Config): string {
  return (/<([^<>]+)>\s*$/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM).trim().toLowerCase();
}

/** How the mailer signs, or null when it does not (development, or DKIM_DISABLED=true). */
export function dkimOf(config: Config): { domainName: string; keySelector: string; privateKey: string } | null {
  if (config.DKIM_DISABLED || !config.DKIM_SELECTOR || !config.DKIM_PRIVATE_KEY) return null;
  return { domainName: config.DKIM_DOMAIN?.toLowerCase() ?? mailDomainOf(config), keySelector: config.DKIM_SELECTOR, privateKey: config.DKIM_PRIVATE_KEY };
}

function secretOf(config: Config, name: SecretVariable): Secret {
  const previous = config[`${name}_PREVIOUS`];
  return { current: config[name] ?? devSecret(name), ...(previous ? { previous } : {}) };
}

export function secretsOf(config: Config): Secrets {
  return Object.fromEntries(Object.entries(SECRET_VARIABLES).map(([purpose, name]) => [purpose, secretOf(config, name)])) as unknown as Secrets;
}

/** The API keys accepted: the current one and, during a rotation, the previous one. */
export const apiKeysOf = (config: Config): Secret => secretOf(config, 'API_KEY');

export function temporalAddress(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'DEV_TEMPORAL_PORT'>): string {
  return config.TEMPORAL_ADDRESS ?? `localhost:${config.DEV_TEMPORAL_PORT}`;
}

/** Where spans go (OTLP over HTTP), as the OpenTelemetry specification reads these variables; null: tracing is off. */
export function otlpTracesUrlOf(config: Config): string | null {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return null;
}

/** A service the process cannot run without; `npm start` fills these in for its local stand-ins. */
export function required<K extends keyof Config>(config: Config, name: K): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined || value === null) {
    throw new ConfigError(`Invalid configuration:\n  ${String(name)}: is required (npm start sets it for its local stand-in)`);
  }
  return value as NonNullable<Config[K]>;
}

/** The environment a child process of `npm start` inherits, with the stand-ins' addresses filled in. */
export function environmentWith(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

export function policyOf(config: Config): FollowUpPolicy {
  return defaultPolicy({ dayMs: config.LEAD_DAY_DURATION, weeklyCap: config.MAX_TOUCHES_PER_WEEK });
}

/** Development's first account, public on purpose like the dev API key; production must name its own. */
export const DEV_ADMIN = { email: 'admin@seguimiento.local', password: 'seguimiento-dev' } as const;

/** The first director account to create on an empty database, or null when production names none. */
export function firstAdminOf(config: Config): { email: string; password: string; name: string; role: 'director' } | null {
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) return { email: config.ADMIN_EMAIL.toLowerCase(), password: config.ADMIN_PASSWORD, name: config.ADMIN_NAME, role: 'director' };
  return config.NODE_ENV === 'production' ? null : { ...DEV_ADMIN, name: config.ADMIN_NAME, role: 'director' };
}
