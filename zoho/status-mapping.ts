import type { Stage } from '../domain/lead';

/**
 * Our stages as Zoho `Lead_Status` picklist values. These are Zoho's stock values; orgs that customise
 * the picklist change this table.
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

export function zohoStatusFor(stage: Stage): string {
  return DEFAULT_ZOHO_STATUS[stage];
}
