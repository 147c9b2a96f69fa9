import pLimit from 'p-limit';
import { ZohoAuthError, ZohoOutcomeUnknownError, ZohoRecordError, ZohoRequestError, ZohoUnavailableError } from './errors';
import { ZohoTokenSource, safeJson, type AccessToken } from './oauth';
import { MIN_REQUEST_MS, parseRetryAfter, withRetries, type RetryRuntime } from './retry';
import {
  apiErrorSchema,
  convertEnvelopeSchema,
  fieldsAnswerSchema,
  leadListSchema,
  recordListSchema,
  usersAnswerSchema,
  writeEnvelopeSchema,
  type LeadRecord,
} from './schemas';
import type {
  AddNoteInput,
  ParentInput,
  ZohoFieldMeta,
  ZohoMetadataModule,
  ZohoParent,
  ZohoUser,
  ConvertLeadInput,
  ConvertLeadResult,
  CreateTaskInput,
  LogCallInput,
  ZohoClientDeps,
  ZohoClientOptions,
  ZohoLead,
  ZohoLeadInput,
  ZohoLeadUpdate,
  ZohoModule,
  ZohoWriteResult,
} from './types';

export { ZohoAuthError, ZohoOutcomeUnknownError, ZohoRecordError, ZohoRequestError, ZohoUnavailableError, ZOHO_NON_RETRYABLE_ERROR_TYPES } from './errors';
export type * from './types';

/**
 * A thin typed client for the few Zoho CRM v8 calls this project makes. It owns the OAuth token,
 * retries what Zoho says is temporary, caps concurrency, and turns Zoho's per-record answers into
 * typed results or named errors. Every record write sends `trigger: []`: Zoho workflows, approvals and
 * blueprints must not fire from our automated writes (and double-email a lead). Lead conversion and
 * Notes are the exceptions: convert_lead.json and notes.json document no `trigger`, so none is sent there.
 *
 * Retries: reads, the upsert on Email and updates by id are idempotent, so they are retried here
 * (bounded by `callBudgetMs`, well inside the activity's timeout). Creates (Tasks, Calls, Notes, a
 * conversion) are retried here only after an answer that proves nothing was written: a 429, a token
 * Zoho refused, a connection that never opened. A timeout, a lost connection or a 5xx after the
 * request left is ZohoOutcomeUnknownError, and Temporal retries the activity, which asks Zoho whether
 * the record exists (by the key the record carries, `effectMarker`) before creating it again.
 */

/** The line a record we create carries in its Description (a Note: its content) so a retry can find it. */
export function effectMarker(key: string): string {
  return `[seguimiento:${key}]`;
}

/** Modules the client creates records in, with the text that carries the marker. */
const MARKED_MODULES = {
  Tasks: { text: 'Description' },
  Calls: { text: 'Description' },
  Notes: { text: 'Note_Content' },
} as const;
export type MarkedModule = keyof typeof MARKED_MODULES;

/** The lookup a record of `module` uses to hang under `parent`: a Contact is the "who" of an activity, anything else its "what". */
function parentLookup(module: MarkedModule, parent: ZohoParent): string {
  if (module === 'Notes') return 'Parent_Id';
  return parent.module === 'Contacts' ? 'Who_Id' : 'What_Id';
}

function parentOf(input: ParentInput): ZohoParent {
  return input.parent ?? { module: 'Leads', id: input.leadId };
}

/** Errors a connection raises before anything of ours was sent on it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function neverSent(err: unknown): boolean {
  // fetch (undici) wraps the socket's error: TypeError("fetch failed", { cause: { code } }).
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NOT_CONNECTED.has(e.code)) return true;
  }
  return false;
}

/** A search's page size: the most Zoho answers at once. Pages beyond MAX_LOOKUP_PAGES are not read. */
const LOOKUP_PER_PAGE = 200;
const MAX_LOOKUP_PAGES = 5;
/** 2,000 users: more than any org this product serves. */
const MAX_USER_PAGES = 10;

interface ZohoResponse {
  status: number;
  body: unknown;
}

const DEFAULTS = {
  maxConcurrent: 5,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
  requestTimeoutMs: 10_000,
  callBudgetMs: 25_000,
};

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const TOKEN_REFUSED = new Set(['INVALID_TOKEN', 'AUTHENTICATION_FAILURE']);

function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Zoho wants "yyyy-MM-ddTHH:mm:ss±HH:mm": no milliseconds, no "Z". */
function zohoDateTime(iso: string, apiName: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    throw new ZohoRecordError({ code: 'INVALID_DATA', apiName, message: 'not an ISO 8601 date-time' });
  }
  return `${at.toISOString().slice(0, 19)}+00:00`;
}

/** Calls store their length as "mm:ss"; minutes run past 59 rather than rolling into hours. */
function callDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new ZohoRecordError({ code: 'INVALID_DATA', apiName: 'Call_Duration', message: 'duration must be a non-negative number of seconds' });
  }
  const whole = Math.round(seconds);
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

function related(parent: ZohoParent) {
  if (parent.module !== 'Contacts') return { What_Id: { id: parent.id }, $se_module: parent.module };
  return { Who_Id: { id: parent.id }, ...(parent.dealId ? { What_Id: { id: parent.dealId }, $se_module: 'Deals' } : {}) };
}

/** A lookup Zoho answers as an id or as { id, name }. */
function lookupId(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return null;
}

function toLead(r: LeadRecord): ZohoLead {
  const lead: ZohoLead = { id: r.id, lastName: r.Last_Name ?? '' };
  const optional: Array<[keyof ZohoLead, string | null | undefined]> = [
    ['firstName', r.First_Name],
    ['email', r.Email],
    ['phone', r.Phone],
    ['company', r.Company],
    ['jobTitle', r.Designation],
    ['country', r.Country],
    ['leadSource', r.Lead_Source],
    ['description', r.Description],
    ['status', r.Lead_Status],
    ['ownerId', r.Owner?.id],
    ['createdTime', r.Created_Time],
    ['modifiedTime', r.Modified_Time],
  ];
  for (const [key, value] of optional) if (value !== null && value !== undefined) (lead as unknown as Record<string, unknown>)[key] = value;
  if (typeof r.Email_Opt_Out === 'boolean') lead.emailOptOut = r.Email_Opt_Out;
  if (r.$converted === true) {
    const d = r.$converted_detail ?? {};
    lead.converted = { contactId: lookupId(d.contact), accountId: lookupId(d.account), dealId: lookupId(d.deal) };
  }
  return lead;
}

function recordErrorFrom(item: { code: string; message: string; details: Record<string, unknown> }, index?: number): ZohoRecordError {
  const { api_name, json_path } = item.details;
  return new ZohoRecordError({
    code: item.code,
    message: item.message,
    apiName: typeof api_name === 'string' ? api_name : undefined,
    jsonPath: typeof json_path === 'string' ? json_path : undefined,
    index,
    details: item.details,
  });
}

/** A top-level Zoho error: blamed on a field it is about a record, otherwise about the request. */
function topLevelError(res: ZohoResponse): Error {
  const parsed = apiErrorSchema.safeParse(res.body);
  if (!parsed.success) return new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered with an unknown shape');
  const error = parsed.data;
  if (typeof error.details.api_name === 'string') return recordErrorFrom(error);
  return new ZohoRequestError(res.status, error.code, error.message);
}

/**
 * Convert answers a bad lead id in the URL at the top level, blaming `resource_path_index` 1 (the id).
 * That is about the record, not the request: unknown and already converted leads are ZohoRecordErrors.
 */
function convertError(res: ZohoResponse): Error {
  const parsed = apiErrorSchema.safeParse(res.body);
  const error = parsed.success ? parsed.data : undefined;
  if (error?.code === 'ID_ALREADY_CONVERTED') {
    return new ZohoRecordError({ code: error.code, message: 'the lead was already converted', details: error.details });
  }
  if (error?.details.resource_path_index === 1) {
    return new ZohoRecordError({ code: error.code, message: `no lead has this id (${error.message})`, details: error.details });
  }
  return topLevelError(res);
}

export class ZohoClient {
  private readonly tokens: ZohoTokenSource;
  /** Zoho limits concurrent calls per org; this keeps one process well under it, first come first served. */
  private readonly limiter: pLimit.Limit;
  private readonly retry: RetryRuntime;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly requestTimeoutMs: number;
  private readonly callBudgetMs: number;

  constructor(opts: ZohoClientOptions, deps: ZohoClientDeps = {}) {
    const settings = { ...DEFAULTS, ...compact({ ...opts }) } as typeof DEFAULTS & ZohoClientOptions;
    this.fetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = deps.now ?? Date.now;
    this.requestTimeoutMs = settings.requestTimeoutMs;
    this.callBudgetMs = settings.callBudgetMs;
    this.limiter = pLimit(settings.maxConcurrent);
    const logger = deps.logger;
    this.retry = {
      maxAttempts: settings.maxAttempts,
      maxRetryAfterMs: settings.maxRetryAfterMs,
      policy: { baseDelayMs: settings.baseDelayMs, maxDelayMs: settings.maxDelayMs },
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: deps.random ?? Math.random,
      now: this.now,
      ...(logger ? { onRetry: (info) => logger.warn(info, 'Zoho call failed; retrying') } : {}),
    };
    this.tokens = new ZohoTokenSource(
      {
        accountsUrl: opts.accountsUrl,
        apiDomain: opts.apiDomain,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        refreshToken: opts.refreshToken,
        requestTimeoutMs: settings.requestTimeoutMs,
        budgetMs: settings.callBudgetMs,
      },
      { ...this.retry, fetch: this.fetch, now: this.now },
    );
  }

  async findLeadByEmail({ email }: { email: string }): Promise<ZohoLead | null> {
    const res = await this.call('GET', '/crm/v8/Leads/search', { query: { email, per_page: String(LOOKUP_PER_PAGE) } });
    const leads = this.readLeads(res);
    // Zoho's email search also matches Secondary_Email; the primary address wins when both exist.
    const wanted = email.trim().toLowerCase();
    const lead = leads.find((l) => l.Email?.toLowerCase() === wanted) ?? leads[0];
    return lead ? toLead(lead) : null;
  }

  async getLead({ id }: { id: string }): Promise<ZohoLead | null> {
    // converted=both: a lead a person converted in Zoho is still read, and says what it became.
    const res = await this.call('GET', `/crm/v8/Leads/${encodeURIComponent(id)}`, { query: { converted: 'both' } });
    const [lead] = this.readLeads(res);
    return lead ? toLead(lead) : null;
  }

  /** Insert or update on Email, in one call: a retry after a lost answer updates instead of duplicating. */
  async upsertLead({ lead }: { lead: ZohoLeadInput }): Promise<{ id: string; action: 'insert' | 'update' }> {
    const record = compact({
      First_Name: lead.firstName,
      Last_Name: lead.lastName,
      Email: lead.email,
      Phone: lead.phone,
      Company: lead.company,
      Designation: lead.jobTitle,
      Country: lead.country,
      Lead_Source: lead.leadSource,
      Description: lead.description,
      Lead_Status: lead.status,
      Owner: lead.ownerId === undefined ? undefined : { id: lead.ownerId },
    });
    const res = await this.call('POST', '/crm/v8/Leads/upsert', {
      body: { data: [record], duplicate_check_fields: ['Email'], trigger: [] },
    });
    const result = this.single(res);
    return { id: result.id, action: result.action ?? (res.status === 201 ? 'insert' : 'update') };
  }

  async updateLead({ id, fields }: { id: string; fields: ZohoLeadUpdate }): Promise<{ id: string }> {
    const record = compact({
      Lead_Status: fields.status,
      Owner: fields.ownerId === undefined ? undefined : { id: fields.ownerId },
      Email_Opt_Out: fields.emailOptOut,
      Description: fields.description,
    });
    if (Object.keys(record).length === 0) return { id };
    const res = await this.call('PUT', `/crm/v8/Leads/${encodeURIComponent(id)}`, { body: { data: [record], trigger: [] } });
    return { id: this.single(res).id };
  }

  /**
   * Converts a lead on hand-off to the closer: Zoho makes a Contact (and an Account when the lead has
   * a Company) and retires the lead. Zoho's own notification emails are turned off, as for our other writes.
   */
  async convertLead({ leadId, assignTo }: ConvertLeadInput): Promise<ConvertLeadResult> {
    const converter = compact({
      notify_lead_owner: false,
      notify_new_entity_owner: false,
      assign_to: assignTo === undefined ? undefined : { id: assignTo },
    });
    // Not repeated after an unknown answer: the activity converts again, and Zoho answers
    // ID_ALREADY_CONVERTED if the first one went through.
    const res = await this.call('POST', `/crm/v8/Leads/${encodeURIComponent(leadId)}/actions/convert`, { body: { data: [converter] }, create: true });
    const envelope = convertEnvelopeSchema.safeParse(res.body);
    if (!envelope.success) throw convertError(res);
    const [first] = envelope.data.data;
    if (!first) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered a conversion with no result');
    if (first.status === 'error') throw recordErrorFrom(first, 0);
    const { Contacts, Accounts, Deals } = first.details;
    return { contactId: Contacts.id, accountId: Accounts?.id ?? null, dealId: Deals?.id ?? null };
  }

  async createTask(input: CreateTaskInput): Promise<{ id: string }> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.dueDate)) {
      throw new ZohoRecordError({ code: 'INVALID_DATA', apiName: 'Due_Date', message: 'due date must be YYYY-MM-DD' });
    }
    const record = compact({
      Subject: input.subject,
      Due_Date: input.dueDate,
      Description: input.description,
      Priority: input.priority,
      Status: input.status ?? 'Not Started',
      Owner: input.ownerId === undefined ? undefined : { id: input.ownerId },
      ...related(parentOf(input)),
    });
    return this.insertOne('Tasks', record);
  }

  async logCall(input: LogCallInput): Promise<{ id: string }> {
    const record = compact({
      Subject: input.subject,
      Call_Type: input.callType,
      Call_Start_Time: zohoDateTime(input.startTime, 'Call_Start_Time'),
      Call_Duration: callDuration(input.durationSeconds),
      Call_Result: input.result,
      Description: input.description,
      Owner: input.ownerId === undefined ? undefined : { id: input.ownerId },
      ...related(parentOf(input)),
    });
    return this.insertOne('Calls', record);
  }

  /**
   * The Task, Call or Note under this lead whose text carries `effectMarker(key)`, or null. It searches
   * the module by its lookup to the lead (module_search.json: `criteria`, `per_page`; Notes are among
   * v8's searchable modules) and reads the marker itself, so it never depends on how Zoho matches
   * text. Zoho's search is an index: a record saved a moment ago may not be found yet, which is why
   * the activity does not trust a "not found" on a young claim (activities/claims.ts).
   */
  async findMarked(input: { module: MarkedModule; key: string } & ParentInput): Promise<{ id: string } | null> {
    const { module, key } = input;
    const { text } = MARKED_MODULES[module];
    const target = parentOf(input);
    const lookup = parentLookup(module, target);
    const marker = effectMarker(key);
    // One budget for every page: the look-up and the create after it must fit in one activity attempt.
    const deadline = this.now() + this.callBudgetMs;
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page++) {
      const res = await this.call('GET', `/crm/v8/${module}/search`, {
        query: { criteria: `(${lookup}:equals:${target.id})`, fields: text, per_page: String(LOOKUP_PER_PAGE), page: String(page) },
        deadline,
      });
      if (res.status === 204) return null;
      if (res.status !== 200) throw topLevelError(res);
      const parsed = recordListSchema.safeParse(res.body);
      if (!parsed.success) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered a search with an unknown shape');
      const hit = parsed.data.data.find((r) => typeof r[text] === 'string' && (r[text] as string).includes(marker));
      if (hit) return { id: hit.id };
      if (!parsed.data.info?.more_records) return null;
    }
    return null;
  }

  async addNote(input: AddNoteInput): Promise<{ id: string }> {
    const parent = parentOf(input);
    // v8 names the parent's module inside Parent_Id (earlier versions used $se_module beside it).
    // notes.json's body takes `data` only: no `trigger` (a Note fires no workflow of its own).
    const record = { Note_Title: input.title, Note_Content: input.content, Parent_Id: { module: { api_name: parent.module }, id: parent.id } };
    const res = await this.call('POST', '/crm/v8/Notes', { body: { data: [record] }, create: true });
    return { id: this.single(res).id };
  }

  /** The org's fields of a module with their picklist values (fields.json; scope ZohoCRM.settings.fields.READ). */
  async fieldsOf({ module }: { module: ZohoMetadataModule }): Promise<ZohoFieldMeta[]> {
    const res = await this.call('GET', '/crm/v8/settings/fields', { query: { module } });
    if (res.status !== 200) throw topLevelError(res);
    const parsed = fieldsAnswerSchema.safeParse(res.body);
    if (!parsed.success) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered the field metadata with an unknown shape');
    return parsed.data.fields.map((f) => ({
      apiName: f.api_name,
      dataType: f.data_type,
      ...(f.data_type === 'picklist' || f.data_type === 'multiselectpicklist'
        ? { picklist: (f.pick_list_values ?? []).map((v) => ({ display: v.display_value, actual: v.actual_value })) }
        : {}),
    }));
  }

  /** The org's active users (users.json; scope ZohoCRM.users.READ), every page of them. */
  async activeUsers(): Promise<ZohoUser[]> {
    const users: ZohoUser[] = [];
    for (let page = 1; page <= MAX_USER_PAGES; page++) {
      const res = await this.call('GET', '/crm/v8/users', { query: { type: 'ActiveUsers', page: String(page), per_page: String(LOOKUP_PER_PAGE) } });
      if (res.status === 204) break;
      if (res.status !== 200) throw topLevelError(res);
      const parsed = usersAnswerSchema.safeParse(res.body);
      if (!parsed.success) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered the users with an unknown shape');
      for (const u of parsed.data.users) if (u.id && u.email) users.push({ id: u.id, email: u.email, fullName: u.full_name ?? u.email });
      if (!parsed.data.info?.more_records) break;
    }
    return users;
  }

  /**
   * Inserts up to 100 records in Zoho's own field names, one result per record in order. Zoho writes
   * the good ones and refuses the rest (HTTP 207), so a batch never fails as a whole for one bad record.
   */
  async createRecords({ module, records }: { module: ZohoModule; records: Array<Record<string, unknown>> }): Promise<ZohoWriteResult[]> {
    const res = await this.call('POST', `/crm/v8/${module}`, { body: { data: records, trigger: [] }, create: true });
    return this.readWrite(res);
  }

  private async insertOne(module: ZohoModule, record: Record<string, unknown>): Promise<{ id: string }> {
    const res = await this.call('POST', `/crm/v8/${module}`, { body: { data: [record], trigger: [] }, create: true });
    return { id: this.single(res).id };
  }

  private single(res: ZohoResponse): { id: string; action: 'insert' | 'update' | undefined } {
    const [first] = this.readWrite(res);
    if (!first) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered a write with no result');
    if (!first.ok) throw first.error;
    return first;
  }

  private readWrite(res: ZohoResponse): ZohoWriteResult[] {
    const envelope = writeEnvelopeSchema.safeParse(res.body);
    if (!envelope.success) throw topLevelError(res);
    return envelope.data.data.map((item, index): ZohoWriteResult =>
      item.status === 'success'
        ? { ok: true, id: item.details.id, action: item.action }
        : { ok: false, error: recordErrorFrom(item, index) },
    );
  }

  private readLeads(res: ZohoResponse): LeadRecord[] {
    // 204 is Zoho's "nothing found", for a search as for an unknown id.
    if (res.status === 204) return [];
    if (res.status !== 200) throw topLevelError(res);
    const parsed = leadListSchema.safeParse(res.body);
    if (!parsed.success) throw new ZohoRequestError(res.status, 'UNEXPECTED_RESPONSE', 'Zoho answered a read with an unknown shape');
    return parsed.data.data;
  }

  /**
   * `create`: a write Zoho does not deduplicate, repeated here only after an answer proving nothing
   * was written (see the class comment).
   */
  private call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    { query, body, create = false, deadline = this.now() + this.callBudgetMs }: { query?: Record<string, string>; body?: unknown; create?: boolean; deadline?: number } = {},
  ): Promise<ZohoResponse> {
    // The deadline runs from the moment of the call, waiting for a slot included: the activity's clock is running.
    return this.limiter(async () => {
      let refreshedOnce = false;
      return withRetries<ZohoResponse>(async (n) => {
        for (;;) {
          const token = await this.tokens.get();
          const left = deadline - this.now();
          if (left < MIN_REQUEST_MS) throw new ZohoUnavailableError({ attempts: n - 1, cause: new Error('no time left in the call budget') });
          let res: ZohoResponse & { retryAfterMs: number | undefined };
          try {
            res = await this.send(token, method, path, query, body, Math.min(this.requestTimeoutMs, left));
          } catch (cause) {
            if (create && !neverSent(cause)) throw new ZohoOutcomeUnknownError({ cause });
            return { retry: { cause } };
          }
          if (res.status === 401) {
            const code = apiErrorSchema.safeParse(res.body).data?.code ?? 'UNAUTHORIZED';
            // A token can die before its time (revoked, Zoho restarted it); one fresh token settles it.
            if (TOKEN_REFUSED.has(code) && !refreshedOnce) {
              refreshedOnce = true;
              this.tokens.invalidate(token.value);
              continue;
            }
            throw new ZohoAuthError(code, refreshedOnce ? 'Zoho refused a freshly issued access token' : 'Zoho refused the access token');
          }
          // A 429 refuses the request before it is processed; a 5xx may come after Zoho saved it.
          if (create && res.status >= 500) throw new ZohoOutcomeUnknownError({ status: res.status });
          if (RETRYABLE_STATUS.has(res.status)) return { retry: { status: res.status, retryAfterMs: res.retryAfterMs } };
          return { done: { status: res.status, body: res.body } };
        }
      }, this.retry, deadline);
    });
  }

  private async send(
    token: AccessToken,
    method: string,
    path: string,
    query: Record<string, string> | undefined,
    body: unknown,
    timeoutMs: number,
  ): Promise<ZohoResponse & { retryAfterMs: number | undefined }> {
    const url = new URL(path, `${token.apiDomain}/`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const res = await this.fetch(url, {
      method,
      headers: {
        authorization: `Zoho-oauthtoken ${token.value}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: safeJson(text), retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()) };
  }
}
