import { zohoErrors, type ZohoApiError } from './responses';
import type { SandboxModule, ZohoRecord } from './store';

/**
 * The fields the sandbox knows per module, with Zoho's rules for them. Zoho silently drops fields it
 * does not know, and so does the sandbox: a misspelt field name in the client shows up as a value
 * missing from the stored record, not as an error, just as it would in production.
 */

export interface SandboxUser {
  id: string;
  name: string;
  email: string;
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: '6310180000000412001', name: 'Sandbox Admin', email: 'admin@sandbox.example' },
  { id: '6310180000000412013', name: 'Sandbox Executive', email: 'executive@sandbox.example' },
  { id: '6310180000000412025', name: 'Sandbox Closer', email: 'closer@sandbox.example' },
];
export const SANDBOX_CURRENT_USER: SandboxUser = SANDBOX_USERS[0] as SandboxUser;

/** Module ids as Zoho shows them inside lookups such as Notes' Parent_Id. */
export const MODULE_IDS: Record<SandboxModule, string> = {
  Leads: '6310180000000002175',
  Tasks: '6310180000000002201',
  Calls: '6310180000000002207',
  Notes: '6310180000000002213',
  Contacts: '6310180000000002179',
  Accounts: '6310180000000002177',
};

type FieldRule =
  | { kind: 'text'; max: number }
  | { kind: 'email' }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'duration' }
  | { kind: 'picklist'; values: readonly string[] }
  | { kind: 'user' }
  | { kind: 'related' }
  | { kind: 'se_module' }
  | { kind: 'parent' };

interface ModuleRules {
  fields: Record<string, FieldRule>;
  mandatory: readonly string[];
  /** Zoho's system-defined duplicate check for upsert when the request names none. */
  duplicateCheck: readonly string[];
}

const text = (max: number): FieldRule => ({ kind: 'text', max });

export const MODULE_RULES: Record<SandboxModule, ModuleRules> = {
  Leads: {
    fields: {
      First_Name: text(40),
      Last_Name: text(80),
      Email: { kind: 'email' },
      Secondary_Email: { kind: 'email' },
      Phone: text(30),
      Mobile: text(30),
      Company: text(200),
      Designation: text(100),
      Country: text(100),
      Lead_Source: text(120),
      Lead_Status: text(120),
      Description: text(32000),
      Email_Opt_Out: { kind: 'boolean' },
      Owner: { kind: 'user' },
    },
    mandatory: ['Last_Name'],
    duplicateCheck: ['Email'],
  },
  Tasks: {
    fields: {
      Subject: text(255),
      Due_Date: { kind: 'date' },
      Description: text(32000),
      Priority: { kind: 'picklist', values: ['Highest', 'High', 'Normal', 'Low', 'Lowest'] },
      Status: { kind: 'picklist', values: ['Not Started', 'Deferred', 'In Progress', 'Completed', 'Waiting for input'] },
      Owner: { kind: 'user' },
      What_Id: { kind: 'related' },
      $se_module: { kind: 'se_module' },
    },
    mandatory: ['Subject'],
    duplicateCheck: [],
  },
  Calls: {
    fields: {
      Subject: text(255),
      Call_Type: { kind: 'picklist', values: ['Outbound', 'Inbound', 'Missed'] },
      Call_Start_Time: { kind: 'datetime' },
      Call_Duration: { kind: 'duration' },
      Call_Result: text(120),
      Call_Purpose: text(120),
      Description: text(32000),
      Owner: { kind: 'user' },
      What_Id: { kind: 'related' },
      $se_module: { kind: 'se_module' },
    },
    mandatory: ['Subject', 'Call_Type', 'Call_Start_Time', 'Call_Duration'],
    duplicateCheck: [],
  },
  Notes: {
    fields: {
      Note_Title: text(120),
      Note_Content: text(32000),
      Parent_Id: { kind: 'parent' },
      $se_module: { kind: 'se_module' },
      Owner: { kind: 'user' },
    },
    mandatory: ['Note_Content', 'Parent_Id'],
    duplicateCheck: [],
  },
  // Contacts and Accounts exist for lead conversion; Account_Name on a contact is set only by it.
  Contacts: {
    fields: {
      First_Name: text(40),
      Last_Name: text(80),
      Email: { kind: 'email' },
      Secondary_Email: { kind: 'email' },
      Phone: text(30),
      Mobile: text(30),
      Title: text(100),
      Mailing_Country: text(100),
      Lead_Source: text(120),
      Description: text(32000),
      Email_Opt_Out: { kind: 'boolean' },
      Owner: { kind: 'user' },
    },
    mandatory: ['Last_Name'],
    duplicateCheck: ['Email'],
  },
  Accounts: {
    fields: {
      Account_Name: text(200),
      Phone: text(30),
      Billing_Country: text(100),
      Description: text(32000),
      Owner: { kind: 'user' },
    },
    mandatory: ['Account_Name'],
    duplicateCheck: ['Account_Name'],
  },
};

export interface ValidationContext {
  findRecord(module: SandboxModule, id: string): ZohoRecord | undefined;
}

export type Validation = { ok: true; values: Record<string, unknown> } | { ok: false; error: ZohoApiError };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Zoho wants an explicit offset and no fraction of a second; "Z" and milliseconds are refused.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const DURATION = /^\d{1,4}:[0-5]\d$/;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (isObject(value) && typeof value.id === 'string' && value.id !== '') return value.id;
  return undefined;
}

export function displayName(module: SandboxModule, record: ZohoRecord): string {
  if (module === 'Leads' || module === 'Contacts') return String(record.Full_Name ?? record.Last_Name ?? '');
  if (module === 'Accounts') return String(record.Account_Name ?? '');
  return String(record.Subject ?? record.Note_Title ?? '');
}

/**
 * Checks one record of a write request. `insert` enforces the mandatory fields; `update` only
 * refuses blanking them. Returns the values to store, with lookups expanded as Zoho stores them.
 */
export function validateRecord(
  module: SandboxModule,
  input: unknown,
  index: number,
  mode: 'insert' | 'update',
  ctx: ValidationContext,
): Validation {
  const at = (field: string) => `$.data[${index}].${field}`;
  if (!isObject(input)) {
    return { ok: false, error: zohoErrors.invalidBody({ json_path: `$.data[${index}]`, expected_data_type: 'jsonobject' }) };
  }
  const rules = MODULE_RULES[module];
  for (const field of rules.mandatory) {
    const missing = mode === 'insert' ? isBlank(input[field]) : field in input && isBlank(input[field]);
    if (missing) return { ok: false, error: zohoErrors.mandatory(field, at(field)) };
  }

  const values: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules.fields)) {
    if (!(field in input)) continue;
    const value = input[field];
    if (value === null) {
      values[field] = null;
      continue;
    }
    const invalid = (extra: Record<string, unknown>) => ({ ok: false as const, error: zohoErrors.invalidData(field, at(field), extra) });
    switch (rule.kind) {
      case 'text':
        if (typeof value !== 'string') return invalid({ expected_data_type: 'text' });
        // record.json types maximum_length as a string, notes.json as an integer; each module follows its file.
        if (value.length > rule.max) return invalid({ maximum_length: module === 'Notes' ? rule.max : String(rule.max) });
        values[field] = value;
        break;
      case 'email':
        if (typeof value !== 'string' || !EMAIL.test(value)) return invalid({ expected_data_type: 'email' });
        values[field] = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return invalid({ expected_data_type: 'boolean' });
        values[field] = value;
        break;
      case 'date':
        if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
          return invalid({ expected_data_type: 'date' });
        }
        values[field] = value;
        break;
      case 'datetime':
        if (typeof value !== 'string' || !DATETIME.test(value) || Number.isNaN(Date.parse(value))) {
          return invalid({ expected_data_type: 'datetime' });
        }
        values[field] = value;
        break;
      case 'duration':
        if (typeof value !== 'string' || !DURATION.test(value)) return invalid({ expected_data_type: 'text' });
        values[field] = value;
        break;
      case 'picklist':
        if (typeof value !== 'string' || !rule.values.includes(value)) return invalid({ expected_data_type: 'picklist' });
        values[field] = value;
        break;
      case 'user': {
        const user = SANDBOX_USERS.find((u) => u.id === idOf(value));
        if (!user) return invalid({ expected_data_type: 'lookup' });
        values[field] = { ...user };
        break;
      }
      case 'se_module':
        if (typeof value !== 'string') return invalid({ expected_data_type: 'text' });
        values[field] = value;
        break;
      case 'related':
      case 'parent':
        // Resolved below, once $se_module is known.
        break;
    }
  }

  if ('What_Id' in input && input.What_Id !== null) {
    const related = resolveLookup('What_Id', input.What_Id, input.$se_module, ctx);
    if (!related.ok) return { ok: false, error: zohoErrors.invalidData(related.field, at(related.field)) };
    values.What_Id = { id: related.record.id, name: displayName(related.module, related.record) };
    values.$se_module = related.module;
  }
  if ('Parent_Id' in input && input.Parent_Id !== null) {
    // v8 names the parent's module inside Parent_Id; earlier versions used $se_module beside it. Both are read.
    const moduleName = isObject(input.Parent_Id) && isObject(input.Parent_Id.module) ? input.Parent_Id.module.api_name : input.$se_module;
    const parent = resolveLookup('Parent_Id', input.Parent_Id, moduleName, ctx);
    if (!parent.ok) return { ok: false, error: zohoErrors.invalidData(parent.field, at(parent.field)) };
    values.Parent_Id = {
      module: { api_name: parent.module, id: MODULE_IDS[parent.module] },
      id: parent.record.id,
      name: displayName(parent.module, parent.record),
    };
    delete values.$se_module;
  }
  return { ok: true, values };
}

function resolveLookup(
  field: 'What_Id' | 'Parent_Id',
  lookup: unknown,
  moduleName: unknown,
  ctx: ValidationContext,
): { ok: true; module: SandboxModule; record: ZohoRecord } | { ok: false; field: string } {
  // Only Leads can be related to in the sandbox: it is the only parent this project writes under.
  if (moduleName !== 'Leads') return { ok: false, field: field === 'What_Id' ? '$se_module' : field };
  const id = idOf(lookup);
  const record = id === undefined ? undefined : ctx.findRecord('Leads', id);
  if (!record) return { ok: false, field };
  return { ok: true, module: 'Leads', record };
}

/** Fields Zoho fills in itself from the others. */
export function computedFields(module: SandboxModule, record: Record<string, unknown>): Record<string, unknown> {
  if (module === 'Leads' || module === 'Contacts') {
    const name = [record.First_Name, record.Last_Name].filter((p) => typeof p === 'string' && p !== '').join(' ');
    return { Full_Name: name };
  }
  if (module === 'Calls' && typeof record.Call_Duration === 'string') {
    const [minutes = '0', seconds = '0'] = record.Call_Duration.split(':');
    return { Call_Duration_in_seconds: Number(minutes) * 60 + Number(seconds) };
  }
  return {};
}

/** Read-only keys every Notes record carries in Zoho's v8 answers (notes.json marks them required). */
export function noteDefaults(): Record<string, unknown> {
  return {
    $attachments: [],
    $editable: true,
    $is_shared_to_client: false,
    $sharing_permission: 'FULL_ACCESS',
    $size: '0',
    $state: 'save',
    $voice_note: false,
  };
}
