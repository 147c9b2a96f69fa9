import { leadIdFor } from '../domain/ids';
import { OUTCOME_FOR_ZOHO_STATUS, type ZohoStatusMap } from '../integrations/zoho/status-mapping';
import { leadInputFromZoho, zohoWebhookSchema } from '../integrations/zoho/webhook';
import type { ZohoLinks } from '../integrations/ledger/zoho-links';
import type { LeadService } from './lead-service';

/**
 * Zoho workflow-rule webhooks: a lead created in Zoho is enrolled like any other; a status a person
 * changed in Zoho becomes an outcome. Our own writes carry `trigger: []`, so Zoho does not fire rules
 * for them; a status equal to the one we would have written is an echo all the same and is ignored.
 */
export async function handleZohoWebhook({ body, leads, zohoStatus, links }: { body: unknown; leads: LeadService; zohoStatus: ZohoStatusMap; links: ZohoLinks }) {
  const hook = zohoWebhookSchema.parse(body);
  if (hook.event === 'lead.created') {
    const { created, ...result } = await leads.enrol(leadInputFromZoho(hook));
    return { action: created ? 'enrolled' : 'already_enrolled', ...result };
  }
  const leadId = leadIdFor(hook.lead.Email);
  const state = await leads.state(leadId);
  const status = hook.lead.Lead_Status ?? '';
  // What we last wrote may be the org's fallback rather than the mapped value (integrations/zoho/org-values.ts).
  const sent = (await links.ofLead({ leadId }))?.statusSent;
  if (status === zohoStatus[state.stage] || status === sent) return { action: 'ignored', leadId, reason: 'echo of our own status' };
  const outcome = OUTCOME_FOR_ZOHO_STATUS[status];
  if (!outcome) return { action: 'ignored', leadId, reason: `status "${status}" has no outcome` };
  await leads.signalOutcome(leadId, { ...outcome, by: 'zoho' });
  return { action: 'outcome', leadId, outcome: outcome.type };
}
