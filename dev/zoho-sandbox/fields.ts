import { defaultOrg, fullName, type SandboxOrg } from './org';
import { zohoErrors, type ZohoApiError } from './responses';
import type { SandboxModule, ZohoRecord } from './store';

/**
 * The fields the sandbox knows per module, with Zoho's rules for them. Zoho silently drops fields it
 * does not know, and so does the sandbox: a misspelt field name in the client shows up as a value
 * missing from the stored record, not as an error, just as it would in production.
 */

export interface SandboxUserRef {
  id: string;
  name: string;
  email: string;
}

/** The default org's active users, as lookups show them; the org in use may have others (org.ts). */
export const SANDBOX_USERS: readonly SandboxUserRef[] = defaultOrg()
  .users.filter((u) => u.status === 'active')
  .map((u) => ({ id: u.id, name: fullName(u), email: u.email }));
/** The API user: records it creates without an Owner are its own, as in Zoho. */
export const SANDBOX_CURRENT_USER: SandboxUserRef = SANDBOX_USERS[0] as SandboxUserRef;

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
  /** Its values are the org's (org.ts); without a list there, the field is free text as in an org that made it so. */
  | { kind: 'picklist' }
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
      // A text field in a real org (a picklist only when an org makes it one: org.ts can).
      Country: text(100),
      Lead_Source: { kind: 'picklist' },
      Lead_Status: { kind: 'picklist' },
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
      Priority: { kind: 'picklist' },
      Status: { kind: 'picklist' },
      Owner: { kind: 'user' },
      Who_Id: { kind: 'related' },
      What_Id: { kind: 'related' },
      $se_module: { kind: 'se_module' },
    },
    mandatory: ['Subject'],
    duplicateCheck: [],
  },
  Calls: {
    fields: {
      Subject: text(255),
      Call_Type: { kind: 'picklist' },
      Call_Start_Time: { kind: 'datetime' },
      Call_Duration: { kind: 'duration' },
      Call_Result: { kind: 'picklist' },
      Call_Purpose: { kind: 'picklist' },
      Description: text(32000),
      Owner: { kind: 'user' },
      Who_Id: { kind: 'related' },
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
  org(): SandboxOrg;
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
  const org = ctx.org();
  for (const [field, declared] of Object.entries(rules.fields)) {
    if (!(field in input)) continue;
    const value = input[field];
    if (value === null) {
      values[field] = null;
      continue;
    }
    const invalid = (extra: Record<string, unknown>) => ({ ok: false as const, error: zohoErrors.invalidData(field, at(field), extra) });
    const picklist = org.picklists[module]?.[field];
    // The org decides which fields are picklists: one it turned into free text takes any text.
    const rule: FieldRule = picklist ? { kind: 'picklist' } : declared.kind === 'picklist' ? text(120) : declared;
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
        // The API speaks actual values; a display name, our own codes or another org's labels are refused.
        if (typeof value !== 'string' || !picklist?.some((v) => v.actual_value === value)) return invalid({ expected_data_type: 'picklist' });
        values[field] = value;
        break;
      case 'user': {
        // Only the org's active users own records (a deactivated one is refused like an unknown id).
        const user = org.users.find((u) => u.id === idOf(value) && u.status === 'active');
        if (!user) return invalid({ expected_data_type: 'ownerlookup' });
        values[field] = { id: user.id, name: fullName(user), email: user.email };
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
    if (!related.ok) return { ok: false, error: lookupError(related, at) };
    values.What_Id = { id: related.record.id, name: displayName(related.module, related.record) };
    values.$se_module = related.module;
  }
  if ('Who_Id' in input && input.Who_Id !== null) {
    // Who_Id names a Contact (Leads go in What_Id): the person an activity is with.
    const who = resolveLookup('Who_Id', input.Who_Id, 'Contacts', ctx);
    if (!who.ok) return { ok: false, error: lookupError(who, at) };
    values.Who_Id = { id: who.record.id, name: displayName(who.module, who.record) };
  }
  if ('Parent_Id' in input && input.Parent_Id !== null) {
    // v8 names the parent's module inside Parent_Id; earlier versions used $se_module beside it. Both are read.
    const moduleName = isObject(input.Parent_Id) && isObject(input.Parent_Id.module) ? input.Parent_Id.module.api_name : input.$se_module;
    const parent = resolveLookup('Parent_Id', input.Parent_Id, moduleName, ctx);
    if (!parent.ok) return { ok: false, error: lookupError(parent, at) };
    values.Parent_Id = {
      module: { api_name: parent.module, id: MODULE_IDS[parent.module] },
      id: parent.record.id,
      name: displayName(parent.module, parent.record),
    };
    delete values.$se_module;
  }
  return { ok: true, values };
}

type LookupField = 'What_Id' | 'Who_Id' | 'Parent_Id';
type Lookup = { ok: true; module: SandboxModule; record: ZohoRecord } | { ok: false; field: string; converted?: string };

/** Modules a record can hang under, per lookup (the sandbox models no Deals: conversion makes none). */
const LOOKUP_MODULES: Record<LookupField, readonly SandboxModule[]> = {
  What_Id: ['Leads', 'Accounts'],
  Who_Id: ['Contacts'],
  Parent_Id: ['Leads', 'Contacts', 'Accounts'],
};

function lookupError(lookup: Extract<Lookup, { ok: false }>, at: (field: string) => string): ZohoApiError {
  return lookup.converted ? zohoErrors.convertedRecord(lookup.converted, lookup.field, at(lookup.field)) : zohoErrors.invalidData(lookup.field, at(lookup.field));
}

function resolveLookup(field: LookupField, lookup: unknown, moduleName: unknown, ctx: ValidationContext): Lookup {
  const module = LOOKUP_MODULES[field].find((m) => m === moduleName);
  if (!module) return { ok: false, field: field === 'What_Id' ? '$se_module' : field };
  const id = idOf(lookup);
  const record = id === undefined ? undefined : ctx.findRecord(module, id);
  if (!record) return { ok: false, field };
  // A converted lead is retired: Zoho takes no more notes, calls or tasks under it.
  if (record.$converted === true) return { ok: false, field, converted: record.id };
  return { ok: true, module, record };
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
