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
}

export interface CreateTaskInput {
  /** The Zoho lead id the task hangs under. */
  leadId: string;
  subject: string;
  /** YYYY-MM-DD */
  dueDate: string;
  description: string;
  priority?: 'High' | 'Normal' | 'Low';
  ownerId?: string;
}

export interface LogCallInput {
  leadId: string;
  subject: string;
  callType: 'Outbound' | 'Inbound';
  /** ISO 8601 date-time. */
  startTime: string;
  durationSeconds: number;
  /** Zoho's Call_Result, e.g. "Interested", "No response/Busy". */
  result: string;
  description?: string;
}

export interface AddNoteInput {
  leadId: string;
  title: string;
  content: string;
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

export type ZohoWriteResult = { ok: true; id: string; action: 'insert' | 'update' | undefined } | { ok: false; error: ZohoRecordError };
