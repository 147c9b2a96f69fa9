import { z } from 'zod';
import { leadInputSchema } from './lead';

export const OUTCOME_TYPES = [
  'no_answer', 'contacted', 'replied', 'interested', 'not_interested', 'call_back_later', 'meeting_scheduled',
  'proposal_requested', 'proposal_sent', 'handed_to_closer', 'enrolled', 'lost', 'opted_out', 'wrong_contact',
] as const;
export type OutcomeType = (typeof OUTCOME_TYPES)[number];

export const LOST_REASONS = ['price', 'timing', 'competitor', 'no_budget', 'not_a_fit', 'not_interested', 'no_response', 'other'] as const;
export type LostReason = (typeof LOST_REASONS)[number];

export const outcomeSchema = z
  .object({
    type: z.enum(OUTCOME_TYPES, { message: `must be one of ${OUTCOME_TYPES.join(', ')}` }),
    note: z.string().trim().max(2000).optional(),
    reason: z.enum(LOST_REASONS, { message: `must be one of ${LOST_REASONS.join(', ')}` }).optional(),
    /** When to call back, or when the meeting is. */
    callBackAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    /** The closer who takes the lead over (handed_to_closer). */
    closer: z.string().trim().min(1).max(100).optional(),
    /** Who recorded it (a user, "zoho", "inbound-email"): for the timeline. */
    by: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.type === 'lost' && !o.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when the lead is lost' });
    if (o.type === 'call_back_later' && !o.callBackAt) ctx.addIssue({ code: 'custom', path: ['callBackAt'], message: 'is required for call_back_later' });
  });
export type Outcome = z.infer<typeof outcomeSchema>;

/** Contact data a person may correct (`update_lead`); identity (email) changes need a new lead. */
export const leadChangesSchema = leadInputSchema
  .pick({ firstName: true, lastName: true, phone: true, linkedinUrl: true, company: true, jobTitle: true, benefit: true, urgency: true, language: true })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'must change at least one field');

export const commandSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('pause'), until: z.iso.datetime({ offset: true }).optional(), note: z.string().max(500).optional() }),
    z.object({ type: z.literal('resume') }),
    z.object({ type: z.literal('reassign'), owner: z.string().trim().min(1).max(100) }),
    z.object({ type: z.literal('update_lead'), changes: leadChangesSchema }),
    z.object({ type: z.literal('reactivate'), note: z.string().max(500).optional() }),
  ],
  { message: 'must be one of pause, resume, reassign, update_lead, reactivate' },
);
export type Command = z.infer<typeof commandSchema>;

export const cadenceChoiceSchema = z.object({ cadenceId: z.string().trim().min(1), version: z.number().int().min(1) });
