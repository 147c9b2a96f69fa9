import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SandboxAuth } from './auth';
import { crmRouter } from './crm';
import { SandboxFaults, chaosSpecSchema, faultSpecSchema, type ChaosSpec, type FaultSpec } from './faults';
import { applyOrgPatch, defaultOrg, orgPatchSchema, type OrgPatch, type SandboxOrg } from './org';
import { zohoErrors } from './responses';
import { SandboxStore, isSandboxModule, type SandboxModule, type ZohoRecord } from './store';

export { SANDBOX_USERS, SANDBOX_CURRENT_USER } from './fields';
export { SANDBOX_MODULES, type SandboxModule, type ZohoRecord } from './store';
export type { ChaosSpec, FaultSpec } from './faults';
export { defaultOrg, type OrgPatch, type PicklistValue, type SandboxOrg, type SandboxUser } from './org';

/**
 * A local stand-in for Zoho CRM v8 and Zoho Accounts: same paths, auth, envelopes and error codes,
 * so the whole product runs and is tested without a Zoho org. Not a mock: it keeps records, enforces
 * mandatory fields and token expiry, and can be told to fail like Zoho does.
 */

export interface ZohoSandboxOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** JSON file the records are kept in across restarts; in memory only when absent. */
  statePath?: string;
  /** Base URL handed out as `api_domain`; defaults to the one the token request arrived on. */
  publicUrl?: () => string;
  tokenTtlSeconds?: number;
  /** Changes to the default org (org.ts): its users and picklist values. */
  org?: OrgPatch;
  now?: () => Date;
  logger?: Logger;
}

export interface SandboxRequestLogEntry {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** Filled in when the response is sent. */
  status?: number;
  /** The call did its work and its answer was lost on purpose (a `lost-answer` fault). */
  answerLost?: 'delay' | 'destroy';
}

export interface ZohoSandbox {
  app: express.Express;
  state: SandboxStore;
  faults: SandboxFaults;
  injectFault(spec: FaultSpec): void;
  /** A share of calls failing at random (429, 500, answer lost); null stops it. */
  setChaos(spec: ChaosSpec | null): void;
  expireTokens(): void;
  /** Refresh grants answer invalid_code from now on, and issued access tokens stop working. */
  revokeRefreshToken(): void;
  restoreRefreshToken(): void;
  records(module: SandboxModule): ZohoRecord[];
  requests(): SandboxRequestLogEntry[];
  /** Changes the org's users or picklists from now on (what is given replaces what was there). */
  setOrg(patch: OrgPatch): void;
  org(): SandboxOrg;
  /** Wipes records, faults, the request log and org changes made since start. */
  reset(): void;
}

const MAX_LOGGED_REQUESTS = 1000;
// Secrets never enter the request log, which tests print when they fail.
const SECRET_KEYS = new Set(['client_secret', 'refresh_token', 'code', 'access_token']);

function redact(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : v]));
}

export function createZohoSandbox(opts: ZohoSandboxOptions): ZohoSandbox {
  const now = opts.now ?? (() => new Date());
  const state = new SandboxStore(opts.statePath);
  const faults = new SandboxFaults();
  const auth = new SandboxAuth(opts, () => now().getTime(), opts.tokenTtlSeconds ?? 3600);
  let log: SandboxRequestLogEntry[] = [];
  const startOrg = opts.org ? applyOrgPatch(defaultOrg(), orgPatchSchema.parse(opts.org)) : defaultOrg();
  let org = structuredClone(startOrg);

  function record(req: Request, res: Response): SandboxRequestLogEntry {
    const entry: SandboxRequestLogEntry = {
      at: now().toISOString(),
      method: req.method,
      path: req.path,
      query: redact({ ...(req.query as Record<string, unknown>) }) as Record<string, unknown>,
      body: redact(req.body),
    };
    log.push(entry);
    if (log.length > MAX_LOGGED_REQUESTS) log = log.slice(-MAX_LOGGED_REQUESTS);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    return entry;
  }

  /** The handler runs (and commits its write); its answer is then held past the client's patience, or never sent. */
  function loseAnswer(res: Response, entry: SandboxRequestLogEntry, { mode, delayMs }: { mode: 'delay' | 'destroy'; delayMs: number }): void {
    entry.answerLost = mode;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (mode === 'destroy') res.socket?.destroy();
      else setTimeout(() => end(...args), delayMs).unref();
      return res;
    }) as Response['end'];
  }

  const isControl = (req: Request) => req.path.startsWith('/__sandbox');

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));
  app.use('/oauth', express.urlencoded({ extended: false }));

  app.use((req, res, next) => {
    if (isControl(req)) return next();
    const entry = record(req, res);
    const fault = faults.next(req.path, req.method);
    if (!fault) return next();
    if ('lose' in fault) {
      loseAnswer(res, entry, fault.lose);
      return next();
    }
    res.status(fault.respond.status).set(fault.respond.headers).json(fault.respond.body);
  });

  app.post('/oauth/v2/token', (req, res) => {
    // Zoho's own examples put the grant in the query string; form bodies work too.
    const params = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    const grant = auth.grant(params);
    if (!grant.ok) {
      res.status(200).json({ error: grant.error });
      return;
    }
    res.status(200).json({
      access_token: grant.accessToken,
      scope: 'ZohoCRM.modules.ALL',
      api_domain: opts.publicUrl?.() ?? `${req.protocol}://${req.get('host')}`,
      token_type: 'Bearer',
      expires_in: grant.expiresIn,
    });
  });

  app.use('/crm/v8', (req, res, next) => {
    const check = auth.check(req.get('authorization'));
    if (check === 'ok') return next();
    res.status(401).json(check === 'missing' ? zohoErrors.authenticationFailure() : zohoErrors.invalidToken());
  });
  app.use('/crm/v8', crmRouter({ store: state, now, org: () => org }));

  const controls = {
    injectFault: (spec: FaultSpec) => faults.add(spec),
    setChaos: (spec: ChaosSpec | null) => faults.setChaos(spec),
    expireTokens: () => auth.expireAll(),
    revokeRefreshToken: () => auth.revokeRefreshToken(),
    restoreRefreshToken: () => auth.restoreRefreshToken(),
    records: (module: SandboxModule) => state.list(module),
    requests: () => log.map((e) => ({ ...e })),
    setOrg: (patch: OrgPatch) => {
      org = applyOrgPatch(org, orgPatchSchema.parse(patch));
    },
    org: () => structuredClone(org),
    reset: () => {
      // Tokens survive a reset: it wipes the data, not the sessions of clients already connected.
      state.reset();
      faults.clear();
      log = [];
      org = structuredClone(startOrg);
    },
  };

  /*
   * The control API (never part of Zoho; tests, `npm start` and the chaos run use it):
   *   POST   /__sandbox/faults          queue a fault for the next matching calls (faults.ts):
   *                                      {"status":429,"times":3,"path":"/crm/v8/Tasks","retryAfterSeconds":2}, or
   *                                      {"kind":"lost-answer","mode":"destroy"|"delay","delayMs":30000,"path":"/crm/v8/Tasks","method":"POST"}
   *                                      (the write is committed, the answer lost: "saved, then the answer never came")
   *   GET    /__sandbox/faults          the faults still queued
   *   POST   /__sandbox/chaos           {"rate":0.1,"kinds":["429","500","lost-answer"],"seed":1}: that share of /crm calls fails at random
   *   GET    /__sandbox/chaos           the chaos settings, or null;  DELETE /__sandbox/chaos stops it
   *   POST   /__sandbox/revoke-refresh-token   refresh grants answer {"error":"invalid_code"} (HTTP 200, as Zoho does) and
   *                                      issued access tokens stop working;  POST /__sandbox/restore-refresh-token undoes it
   *   POST   /__sandbox/expire-tokens   every access token expires now
   *   GET    /__sandbox/org             the org's users and picklists;  PATCH /__sandbox/org with
   *                                      {"picklists":{"Leads":{"Lead_Source":[{"display_value":"Web","actual_value":"Web"}]}},"users":[…]}
   *                                      replaces what it names (a picklist set to null becomes free text)
   *   GET    /__sandbox/records/:module, GET /__sandbox/requests, POST /__sandbox/reset
   */
  app.get('/__sandbox/org', (_req, res) => {
    res.json({ org: controls.org() });
  });
  app.patch('/__sandbox/org', (req, res) => {
    const parsed = orgPatchSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid org', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    controls.setOrg(parsed.data);
    res.json({ org: controls.org() });
  });
  app.post('/__sandbox/faults', (req, res) => {
    const parsed = faultSpecSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid fault', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    controls.injectFault(parsed.data);
    res.status(201).json({ pending: faults.pending() });
  });
  app.get('/__sandbox/faults', (_req, res) => {
    res.json({ pending: faults.pending() });
  });
  app.post('/__sandbox/expire-tokens', (_req, res) => {
    controls.expireTokens();
    res.status(204).end();
  });
  app.post('/__sandbox/chaos', (req, res) => {
    const parsed = chaosSpecSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid chaos', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    controls.setChaos(parsed.data);
    res.status(201).json({ chaos: faults.chaosSettings() });
  });
  app.get('/__sandbox/chaos', (_req, res) => {
    res.json({ chaos: faults.chaosSettings() });
  });
  app.delete('/__sandbox/chaos', (_req, res) => {
    controls.setChaos(null);
    res.status(204).end();
  });
  app.post('/__sandbox/revoke-refresh-token', (_req, res) => {
    controls.revokeRefreshToken();
    res.status(204).end();
  });
  app.post('/__sandbox/restore-refresh-token', (_req, res) => {
    controls.restoreRefreshToken();
    res.status(204).end();
  });
  app.get('/__sandbox/records/:module', (req, res) => {
    const module = String(req.params.module);
    if (!isSandboxModule(module)) {
      res.status(404).json({ error: `unknown module ${module}` });
      return;
    }
    res.json({ data: controls.records(module) });
  });
  app.get('/__sandbox/requests', (_req, res) => {
    res.json({ requests: controls.requests() });
  });
  app.post('/__sandbox/reset', (_req, res) => {
    controls.reset();
    res.status(204).end();
  });

  app.use((_req, res) => {
    res.status(404).json(zohoErrors.invalidUrl());
  });

  // Express 5 needs all four parameters to recognise an error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, type } = err as { status?: unknown; type?: unknown };
    // body-parser errors carry a `type`; they fire before the request log middleware, so log here.
    if (typeof type === 'string' && typeof status === 'number' && status < 500) {
      if (!isControl(req)) record(req, res);
      res.status(status).json(zohoErrors.invalidBody());
      return;
    }
    opts.logger?.error({ err, path: req.path }, 'Zoho sandbox failed a request');
    res.status(500).json(zohoErrors.internal());
  });

  return { app, state, faults, ...controls };
}
