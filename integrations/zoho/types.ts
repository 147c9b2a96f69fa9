import type { Logger } from 'pino';
import type { ZohoRecordError } from './errors';

/** The client's public types: options, inputs and outputs in the project's words, not Zoho's field names. */

export interface ZohoClientOptions {
  /** e.g. https://accounts.zoho.com (or .eu, .in, …: the data centre of the org). */
  accountsUrl: string;
  /** Used only if the token answer names no api_domain. */
  apiDomain?: string | undefined;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  maxConcurrent?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  /** One HTTP request, answer included (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * One call with its retries, from the moment it is made (default 25 s): a create and the look-up
   * before it fit in the activities' one-minute start-to-close timeout.
   */
  callBudgetMs?: number;
}

export interface ZohoClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds since the epoch, like Date.now. */
  now?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

export interface ZohoLead {
  id: string;
  firstName?: string;
  lastName: string;
  email?: string;
  phone?: string;
  company?: string;
  jobTitle?: string;
  country?: string;
  leadSource?: string;
  description?: string;
  status?: string;
  ownerId?: string;
  emailOptOut?: boolean;
  createdTime?: string;
  modifiedTime?: string;
  /** Set when the lead was converted (by us or by a person in Zoho): what it became. */
  converted?: { contactId: string | null; accountId: string | null; dealId: string | null };
}

export interface ZohoLeadInput {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | undefined;
  company?: string | undefined;
  jobTitle?: string | undefined;
  country?: string | undefined;
  leadSource?: string | undefined;
  description?: string | undefined;
  status?: string | undefined;
  ownerId?: string | undefined;
}

export interface ZohoLeadUpdate {
  status?: string;
  ownerId?: string;
  emailOptOut?: boolean;
  description?: string;
}

/** The record a task, call or note hangs under: the lead, or after its conversion the Contact (or Deal). */
export interface ZohoParent {
  module: 'Leads' | 'Contacts' | 'Deals';
  id: string;
  /** A Contact's Deal from the same conversion: a task or call names both (Who_Id and What_Id); a note hangs under the Contact. */
  dealId?: string;
}

/** Either `parent`, or `leadId` for a lead (the shape from before conversions were followed). */
export type ParentInput = { parent: ZohoParent; leadId?: never } | { leadId: string; parent?: never };

export type CreateTaskInput = ParentInput & {
  subject: string;
  /** YYYY-MM-DD */
  dueDate: string;
  description: string;
  /** One of the org's Tasks Priority values (Zoho's stock: Highest, High, Normal, Low, Lowest). */
  priority?: string | undefined;
  /** One of the org's Tasks Status values; Zoho's stock "Not Started" when absent. */
  status?: string | undefined;
  ownerId?: string | undefined;
};

export type LogCallInput = ParentInput & {
  subject: string;
  /** One of the org's Call_Type values (stock: Outbound, Inbound, Missed). */
  callType: string;
  /** ISO 8601 date-time. */
  startTime: string;
  durationSeconds: number;
  /** One of the org's Call_Result values (stock e.g. "Interested", "No response/Busy"); omitted when undefined. */
  result?: string | undefined;
  description?: string | undefined;
  ownerId?: string | undefined;
};

export type AddNoteInput = ParentInput & {
  title: string;
  content: string;
};

/** A field of a module as the org defines it (GET /settings/fields). */
export interface ZohoFieldMeta {
  apiName: string;
  dataType: string;
  /** Picklists only: what people see, and what the API stores and takes. */
  picklist?: Array<{ display: string; actual: string }>;
}

export interface ZohoUser {
  id: string;
  email: string;
  fullName: string;
}

export interface ConvertLeadInput {
  leadId: string;
  /** Zoho user id that will own the new Contact (and Account); Zoho keeps the lead's owner otherwise. */
  assignTo?: string | undefined;
}

export interface ConvertLeadResult {
  contactId: string;
  /** Null when the lead had no Company, so Zoho made no Account. */
  accountId: string | null;
  /** Always null today: the client asks for no Deal. */
  dealId: string | null;
}

export type ZohoModule = 'Leads' | 'Tasks' | 'Calls' | 'Notes';
/** Modules whose field metadata the client reads. */
export type ZohoMetadataModule = 'Leads' | 'Tasks' | 'Calls';

export type ZohoWriteResult = { ok: true; id: string; action: 'insert' | 'update' | undefined } | { ok: false; error: ZohoRecordError };
