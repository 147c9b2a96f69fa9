import type { Stage } from '../../domain/lead';
import type { OutcomeType } from '../../domain/outcomes';

/**
 * Our stages as Zoho `Lead_Status` picklist values: Zoho's stock values by default. Orgs that
 * customise the picklist override any of them with `ZOHO_STATUS_MAP` (JSON, stage → value).
 */
export const DEFAULT_ZOHO_STATUS: Record<Stage, string> = {
  new: 'Not Contacted',
  contacting: 'Attempted to Contact',
  engaged: 'Contact in Future',
  proposal: 'Pre-Qualified',
  closing: 'Pre-Qualified',
  enrolled: 'Contacted',
  lost: 'Lost Lead',
  nurturing: 'Contact in Future',
  archived: 'Not Qualified',
  opted_out: 'Junk Lead',
};

export type ZohoStatusMap = Record<Stage, string>;

export function zohoStatusMap(overrides: Partial<Record<Stage, string>> = {}): ZohoStatusMap {
  return { ...DEFAULT_ZOHO_STATUS, ...overrides };
}

/**
 * A status a person set by hand in Zoho, read as an outcome for the workflow. Only the stock values
 * that mean something unambiguous; anything else is left to the executive in our app.
 */
export const OUTCOME_FOR_ZOHO_STATUS: Record<string, { type: OutcomeType; reason?: 'not_a_fit' | 'other' }> = {
  Contacted: { type: 'contacted' },
  'Pre-Qualified': { type: 'interested' },
  'Lost Lead': { type: 'lost', reason: 'other' },
  'Not Qualified': { type: 'lost', reason: 'not_a_fit' },
  'Junk Lead': { type: 'lost', reason: 'not_a_fit' },
};
