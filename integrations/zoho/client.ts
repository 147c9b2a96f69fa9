import pLimit from 'p-limit';
import { ZohoAuthError, ZohoRecordError, ZohoRequestError } from './errors';
import { ZohoTokenSource, safeJson, type AccessToken } from './oauth';
import { parseRetryAfter, withRetries, type RetryRuntime } from './retry';
import { apiErrorSchema, convertEnvelopeSchema, leadListSchema, writeEnvelopeSchema, type LeadRecord } from './schemas';
import type {
  AddNoteInput,
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

export { ZohoAuthError, ZohoRecordError, ZohoRequestError, ZohoUnavailableError, ZOHO_NON_RETRYABLE_ERROR_TYPES } from './errors';
export type * from './types';

/**
 * A thin typed client for the few Zoho CRM v8 calls this project makes. It owns the OAuth token,
 * retries what Zoho says is temporary, caps concurrency, and turns Zoho's per-record answers into
 * typed results or named errors. Every record write sends `trigger: []`: Zoho workflows, approvals and
 * blueprints must not fire from our automated writes (and double-email a lead). Lead conversion is
 * the exception: convert_lead.json documents no `trigger`, so none is sent there.
 */

interface ZohoResponse {
  status: number;
  body: unknown;
}

const DEFAULTS = {
  maxConcurrent: 5,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  requestTimeoutMs: 30_000,
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

function related(leadId: string) {
  return { What_Id: { id: leadId }, $se_module: 'Leads' };
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

  constructor(opts: ZohoClientOptions, deps: ZohoClientDeps = {}) {
    const settings = { ...DEFAULTS, ...compact({ ...opts }) } as typeof DEFAULTS & ZohoClientOptions;
    this.fetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = deps.now ?? Date.now;
    this.requestTimeoutMs = settings.requestTimeoutMs;
    this.limiter = pLimit(settings.maxConcurrent);
    const logger = deps.logger;
    this.retry = {
      maxAttempts: settings.maxAttempts,
      maxRetryAfterMs: settings.maxRetryAfterMs,
      policy: { baseDelayMs: settings.baseDelayMs, maxDelayMs: settings.maxDelayMs },
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: deps.random ?? Math.random,
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
      },
      { ...this.retry, fetch: this.fetch, now: this.now },
    );
  }

  async findLeadByEmail({ email }: { email: string }): Promise<ZohoLead | null> {
    const res = await this.call('GET', '/crm/v8/Leads/search', { query: { email } });
    const leads = this.readLeads(res);
    // Zoho's email search also matches Secondary_Email; the primary address wins when both exist.
    const wanted = email.trim().toLowerCase();
    const lead = leads.find((l) => l.Email?.toLowerCase() === wanted) ?? leads[0];
    return lead ? toLead(lead) : null;
  }

  async getLead({ id }: { id: string }): Promise<ZohoLead | null> {
    const res = await this.call('GET', `/crm/v8/Leads/${encodeURIComponent(id)}`);
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
    const res = await this.call('POST', `/crm/v8/Leads/${encodeURIComponent(leadId)}/actions/convert`, { body: { data: [converter] } });
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
      Status: 'Not Started',
      Owner: input.ownerId === undefined ? undefined : { id: input.ownerId },
      ...related(input.leadId),
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
      ...related(input.leadId),
    });
    return this.insertOne('Calls', record);
  }

  async addNote({ leadId, title, content }: AddNoteInput): Promise<{ id: string }> {
    // v8 names the parent's module inside Parent_Id (earlier versions used $se_module beside it).
    return this.insertOne('Notes', {
      Note_Title: title,
      Note_Content: content,
      Parent_Id: { module: { api_name: 'Leads' }, id: leadId },
    });
  }

  /**
   * Inserts up to 100 records in Zoho's own field names, one result per record in order. Zoho writes
   * the good ones and refuses the rest (HTTP 207), so a batch never fails as a whole for one bad record.
   */
  async createRecords({ module, records }: { module: ZohoModule; records: Array<Record<string, unknown>> }): Promise<ZohoWriteResult[]> {
    const res = await this.call('POST', `/crm/v8/${module}`, { body: { data: records, trigger: [] } });
    return this.readWrite(res);
  }

  private async insertOne(module: ZohoModule, record: Record<string, unknown>): Promise<{ id: string }> {
    const res = await this.call('POST', `/crm/v8/${module}`, { body: { data: [record], trigger: [] } });
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

  private call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    { query, body }: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<ZohoResponse> {
    return this.limiter(async () => {
      let refreshedOnce = false;
      return withRetries<ZohoResponse>(async () => {
        for (;;) {
          const token = await this.tokens.get();
          let res: ZohoResponse & { retryAfterMs: number | undefined };
          try {
            res = await this.send(token, method, path, query, body);
          } catch (cause) {
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
          if (RETRYABLE_STATUS.has(res.status)) return { retry: { status: res.status, retryAfterMs: res.retryAfterMs } };
          return { done: { status: res.status, body: res.body } };
        }
      }, this.retry);
    });
  }

  private async send(
    token: AccessToken,
    method: string,
    path: string,
    query: Record<string, string> | undefined,
    body: unknown,
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
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: safeJson(text), retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()) };
  }
}
