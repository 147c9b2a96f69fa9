import { z } from 'zod';

/** ISO 3166-1 alpha-2 codes of the countries where leads live (LATAM plus Spain, Portugal and the US). */
export const COUNTRIES = [
  'AR', 'BO', 'BR', 'CL', 'CO', 'CR', 'CU', 'DO', 'EC', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'PY', 'PE',
  'PR', 'UY', 'VE', 'ES', 'PT', 'US',
] as const;
export type Country = (typeof COUNTRIES)[number];

const isoDate = z.iso.date({ message: 'must be a date in YYYY-MM-DD form' });

export const courseSchema = z.object({
  code: z.string().trim().min(1, 'is required').max(40),
  name: z.string().trim().min(1, 'is required').max(200),
  startDate: isoDate.optional(),
  earlyBirdDeadline: isoDate.optional(),
  seatsLeft: z.number().int().min(0).optional(),
});
export type Course = z.infer<typeof courseSchema>;

export const leadInputSchema = z.object({
  externalId: z.string().trim().min(1).max(100).optional(),
  firstName: z.string().trim().min(1, 'is required').max(100),
  lastName: z.string().trim().min(1, 'is required').max(100),
  // Normalised on the way in: the same address in another case or with blanks is the same person.
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be a valid email address' }).max(254)),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number, e.g. +57 300 123 4567')
    .optional(),
  linkedinUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  country: z.enum(COUNTRIES, { message: `must be one of ${COUNTRIES.join(', ')} (ISO 3166-1 alpha-2)` }),
  company: z.string().trim().min(1).max(200).optional(),
  jobTitle: z.string().trim().min(1).max(200).optional(),
  profile: z.enum(['b2b', 'b2c'], { message: 'must be "b2b" or "b2c"' }),
  course: courseSchema,
  source: z.string().trim().min(1, 'is required').max(60),
  urgency: z.enum(['high', 'normal', 'low']).default('normal'),
  benefit: z.string().trim().max(500).optional(),
  /** The lead's own choice; otherwise Spanish, or Portuguese for Brazil. */
  language: z.enum(['es', 'pt', 'en'], { message: 'must be "es", "pt" or "en"' }).optional(),
  createdAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});
/**
 * What the website's form may send: anyone holding its key is untrusted, so it cannot backdate a lead
 * (a past `createdAt` would fire an SLA escalation and a burst of touches) nor speak for another source.
 */
export const webFormInputSchema = leadInputSchema.extend({
  createdAt: z.undefined({ message: 'may not be set by the website form: a lead from it is created when it arrives' }).optional(),
  source: z.literal('web-form', { message: 'may not be set by the website form (it is always "web-form")' }).default('web-form'),
});

/** What a lead source sends us. */
export type LeadInput = z.input<typeof leadInputSchema>;

/**
 * A person whose earlier follow-up ended (lost, or enrolled: an alumnus) and who asks again: their new
 * follow-up knows it, for the cadence it gets and for how it speaks to them.
 */
export interface ReturningLead {
  previousStage: 'lost' | 'enrolled';
  previousCourse: { code: string; name: string };
}

/** A validated lead, as the workflow and activities see it. */
export type Lead = Omit<z.output<typeof leadInputSchema>, 'createdAt'> & {
  leadId: string;
  createdAt: string;
  /** Set by us, never by a source: this follow-up is a person's second (or later) one. */
  returning?: ReturningLead;
  /** Other courses the person asked about while this follow-up ran: the scripts and mails mention them. */
  otherCourses?: { code: string; name: string }[];
};

export const STAGES = [
  'new', 'contacting', 'engaged', 'proposal', 'closing', 'enrolled', 'lost', 'nurturing', 'archived', 'opted_out',
] as const;
export type Stage = (typeof STAGES)[number];

export const TERMINAL_STAGES: readonly Stage[] = ['enrolled', 'lost', 'opted_out'];

/** Case and surrounding blanks never make two people out of one address. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
