/**
 * The emails a workflow can ask for, by name, and the shape of a worded email. The names travel in
 * activity inputs (and so in stored histories); the wording lives in presentation/emails/, which the
 * worker hands to the activities (activities/ports.ts).
 */

/** A touch email of the cadence, nurturing or reactivation; worded per the lead's language. */
export const TOUCH_TEMPLATES = [
  'welcome', 'first-email', 'break-up-email', 'nurturing', 'reactivation',
  // What a cadence sends instead of a call to a lead without a phone, or of LinkedIn to one without a profile.
  'call-request', 'call-request-follow-up', 'personal-note',
] as const;
export type TouchTemplate = (typeof TOUCH_TEMPLATES)[number];

/** Why the director (and the owner) hear about a lead. */
export type EscalationKind = 'sla_missed' | 'stalled' | 'unassigned';

/** An email as words: who it goes to and its Message-ID are the sender's business. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
