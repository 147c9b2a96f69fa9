import { z } from 'zod';
import type { Country, LeadInput } from '../../domain/lead';
import { countryFromName } from '../../domain/texts';

/** Zoho's Country is free text: an ISO code or the name people type, in es/pt/en. */
export function countryFromZoho(value: string | undefined | null): Country | undefined {
  return value ? countryFromName(value) : undefined;
}

const zohoLead = z.object({
  id: z.string().min(1),
  First_Name: z.string().nullish(),
  Last_Name: z.string().min(1),
  Email: z.string().min(3),
  Phone: z.string().nullish(),
  Company: z.string().nullish(),
  Designation: z.string().nullish(),
  Country: z.string().nullish(),
  Lead_Status: z.string().nullish(),
});

/**
 * What our Zoho workflow rules post (configured as the webhook's JSON body): the event, the lead's
 * fields, and for new leads the course of interest.
 */
export const zohoWebhookSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('lead.created'),
    lead: zohoLead,
    course: z.object({ code: z.string(), name: z.string(), startDate: z.string().optional(), earlyBirdDeadline: z.string().optional(), seatsLeft: z.number().optional() }),
  }),
  z.object({ event: z.literal('lead.status_changed'), lead: zohoLead }),
], { message: 'event must be lead.created or lead.status_changed' });
export type ZohoWebhook = z.infer<typeof zohoWebhookSchema>;

/** A lead created in Zoho, as our API's enrolment body (validated there like any other source). */
export function leadInputFromZoho(hook: Extract<ZohoWebhook, { event: 'lead.created' }>): LeadInput {
  const { lead } = hook;
  return {
    externalId: `zoho:${lead.id}`,
    firstName: lead.First_Name ?? lead.Last_Name,
    lastName: lead.Last_Name,
    email: lead.Email,
    phone: lead.Phone ?? undefined,
    company: lead.Company ?? undefined,
    jobTitle: lead.Designation ?? undefined,
    country: countryFromZoho(lead.Country) as Country,
    profile: lead.Company ? 'b2b' : 'b2c',
    course: hook.course,
    source: 'zoho',
  };
}
