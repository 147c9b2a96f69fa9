import { ZOHO_VALUE_FIELDS, type ZohoValueMap } from '../../config';
import type { OrgSnapshot } from './org-metadata';
import type { ZohoMetadataModule } from './types';

/**
 * Our codes (a lead's source, a call's outcome, a task's priority) as this org's picklist values.
 * A value the org's picklist does not have is never sent: Zoho would refuse the whole record. The
 * configured fallback (`"*"`) is sent instead when the org has it, otherwise the field is left out,
 * and either way the caller records a `zoho_value_fallback` on the lead so someone can fix the map.
 */

export type { ZohoValueMap };
export type ValueField = (typeof ZOHO_VALUE_FIELDS)[number];

/**
 * Safe defaults: Zoho's stock values, and the names a Spanish-speaking org commonly gives its own
 * sources. Each is sent only if the org has it; none of our raw codes (`web-form`, `no_answer`) is.
 * `Leads.Lead_Status` comes from ZOHO_STATUS_MAP (stage → status), which the webhook reads too.
 */
export const DEFAULT_VALUE_MAP: Required<Pick<ZohoValueMap, 'Leads.Lead_Source' | 'Calls.Call_Result' | 'Tasks.Priority' | 'Tasks.Status' | 'Calls.Call_Type'>> = {
  'Leads.Lead_Source': {
    'web-form': ['Formulario web', 'Web Form', 'Web Download'],
    import: ['Importación', 'Import'],
    api: ['Integración API', 'API'],
    referral: ['Referido', 'Employee Referral', 'External Referral'],
  },
  'Calls.Call_Result': {
    no_answer: ['No response/Busy'],
    interested: ['Interested'],
    meeting_scheduled: ['Interested'],
    proposal_requested: ['Requested more info'],
    not_interested: ['Not interested'],
    lost: ['Not interested'],
    opted_out: ['Not interested'],
    call_back_later: ['Requested call back'],
    wrong_contact: ['Invalid number'],
  },
  'Tasks.Priority': { High: ['High'], Normal: ['Normal'], Low: ['Low'] },
  'Tasks.Status': { 'Not Started': ['Not Started'] },
  'Calls.Call_Type': { Outbound: ['Outbound'] },
};

export interface ValueFallback {
  field: ValueField;
  /** Our code (a source, an outcome, a stage). */
  code: string;
  /** The values tried for it, none of which the org's picklist has. */
  tried: string[];
  /** What was sent instead: the fallback's value, or null when the field was left out. */
  sent: string | null;
}

export type Resolved = { value: string | undefined; fallback: ValueFallback | null };

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
const asList = (c: string | string[] | undefined): string[] => (c === undefined ? [] : Array.isArray(c) ? c : [c]);

/** The picklist's actual value for a wanted name: its actual or its display name, exactly, then ignoring case and accents. */
function match(picklist: Array<{ display: string; actual: string }>, wanted: string): string | undefined {
  const exact = picklist.find((v) => v.actual === wanted) ?? picklist.find((v) => v.display === wanted);
  if (exact) return exact.actual;
  const folded = fold(wanted);
  return picklist.find((v) => fold(v.actual) === folded || fold(v.display) === folded)?.actual;
}

export class OrgValues {
  constructor(
    private readonly org: OrgSnapshot,
    private readonly map: ZohoValueMap = {},
  ) {}

  /**
   * The value to send for `code` in `field`: the configured candidates, else `defaults`, else the
   * defaults above; checked against the org's picklist. A field the org keeps as free text takes the
   * first candidate as it is.
   */
  resolve(field: ValueField, code: string, defaults: string[] = []): Resolved {
    const [module, apiName] = field.split('.') as [ZohoMetadataModule, string];
    const configured = this.map[field] ?? {};
    const builtIn = (DEFAULT_VALUE_MAP as ZohoValueMap)[field] ?? {};
    const tried = [...asList(configured[code]), ...defaults, ...asList(builtIn[code])];
    const picklist = this.org.picklist(module, apiName);
    if (!picklist) {
      // Free text (Country in a stock org): anything goes, and our own code is better than nothing.
      return { value: tried[0] ?? code, fallback: null };
    }
    for (const wanted of tried) {
      const actual = match(picklist, wanted);
      if (actual !== undefined) return { value: actual, fallback: null };
    }
    let sent: string | undefined;
    for (const wanted of asList(configured['*'] ?? builtIn['*'])) {
      sent = match(picklist, wanted);
      if (sent !== undefined) break;
    }
    return { value: sent, fallback: { field, code, tried: tried.length > 0 ? tried : [code], sent: sent ?? null } };
  }
}

/*
 * Seguimiento's own part of a record's Description: between two marker lines, rewritten on every
 * sync, while whatever people wrote above or below it stays as they left it.
 */
export const SECTION_MARK = '--- Seguimiento ---';

export function seguimientoSection(lines: string[]): string {
  return [SECTION_MARK, ...lines.filter((l) => l.trim() !== ''), SECTION_MARK].join('\n');
}

/** `existing` with its Seguimiento section replaced by `section` (appended when it has none). */
export function withSection(existing: string | null | undefined, section: string): string {
  const text = existing ?? '';
  const start = text.indexOf(SECTION_MARK);
  const end = start < 0 ? -1 : text.indexOf(SECTION_MARK, start + SECTION_MARK.length);
  if (start >= 0 && end >= 0) return `${text.slice(0, start)}${section}${text.slice(end + SECTION_MARK.length)}`;
  return text.trim() === '' ? section : `${text.replace(/\s+$/, '')}\n\n${section}`;
}
