import { z } from 'zod';
import { COUNTRIES, type Country, type LeadInput } from '../../domain/lead';

/** Zoho's Country is free text: the names people type for our countries, in es/pt/en. */
const COUNTRY_NAMES: Record<string, Country> = {
  argentina: 'AR', bolivia: 'BO', brasil: 'BR', brazil: 'BR', chile: 'CL', colombia: 'CO', 'costa rica': 'CR', cuba: 'CU',
  'república dominicana': 'DO', 'republica dominicana': 'DO', 'dominican republic': 'DO', ecuador: 'EC', 'el salvador': 'SV',
  guatemala: 'GT', honduras: 'HN', méxico: 'MX', mexico: 'MX', nicaragua: 'NI', panamá: 'PA', panama: 'PA', paraguay: 'PY',
  perú: 'PE', peru: 'PE', 'puerto rico': 'PR', uruguay: 'UY', venezuela: 'VE', españa: 'ES', espana: 'ES', spain: 'ES',
  portugal: 'PT', 'estados unidos': 'US', 'united states': 'US', usa: 'US',
};

export function countryFromZoho(value: string | undefined | null): Country | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if ((COUNTRIES as readonly string[]).includes(text.toUpperCase())) return text.toUpperCase() as Country;
  return COUNTRY_NAMES[text.toLowerCase()];
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
