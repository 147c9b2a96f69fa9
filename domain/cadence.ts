import { z } from 'zod';
import type { Country } from './lead';

export const CHANNELS = ['call', 'email', 'linkedin'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a step becomes when the lead cannot be reached on its channel (a call without a phone, LinkedIn
 * without a profile): the cadence says, so no touch is ever planned on a channel the lead lacks.
 */
const insteadSchema = z.object({ channel: z.enum(CHANNELS), template: z.string().min(1) });

export const cadenceSchema = z.object({
  id: z.string().min(1),
  version: z.number().int().min(1),
  steps: z
    .array(z.object({ day: z.number().int().min(1), channel: z.enum(CHANNELS), template: z.string().min(1), instead: insteadSchema.optional() }))
    .min(1)
    .refine((steps) => steps.every((s) => !s.instead || s.instead.channel !== s.channel), 'a step cannot be replaced by its own channel')
    .refine((steps) => steps.every((s, i) => i === 0 || s.day > steps[i - 1]!.day), 'days must increase from step to step'),
  /** At most this many touches… */
  maxTouches: z.number().int().min(1),
  /** …nominally within this many days (business days and caps may stretch it). */
  windowDays: z.number().int().min(1),
  onExhausted: z.enum(['nurturing', 'archived']),
});
export type Cadence = z.infer<typeof cadenceSchema>;
export type CadenceStep = Cadence['steps'][number];

/** What a step needs from the lead to happen on its channel. */
export function reachableOn(lead: { phone?: string; linkedinUrl?: string }, channel: Channel): boolean {
  return channel === 'call' ? Boolean(lead.phone) : channel === 'linkedin' ? Boolean(lead.linkedinUrl) : true;
}

/**
 * The step as it will really happen for this lead: its `instead` when the lead lacks the step's channel
 * and has the replacement's, the step itself otherwise (a call task for a lead without a phone still
 * asks the executive to find one, rather than skipping a touch).
 */
export function stepFor(lead: { phone?: string; linkedinUrl?: string }, step: CadenceStep): { channel: Channel; template: string; replaced: boolean } {
  if (!reachableOn(lead, step.channel) && step.instead && reachableOn(lead, step.instead.channel)) return { ...step.instead, replaced: true };
  return { channel: step.channel, template: step.template, replaced: false };
}

const FIRST_CALL_INSTEAD = { channel: 'email', template: 'call-request' } as const;
const FOLLOW_UP_CALL_INSTEAD = { channel: 'email', template: 'call-request-follow-up' } as const;
const LINKEDIN_INSTEAD = { channel: 'email', template: 'personal-note' } as const;

/**
 * Every published cadence version. Publishing = adding an entry with a higher version: leads carry the
 * version they enrolled with inside their workflow, so nothing in flight changes.
 */
export const CADENCE_CATALOGUE: readonly Cadence[] = [
  {
    // The company's default: day 1 call, day 3 email, day 5 LinkedIn, day 8 call, day 10 email.
    id: 'default',
    version: 1,
    steps: [
      { day: 1, channel: 'call', template: 'first-call' },
      { day: 3, channel: 'email', template: 'first-email' },
      { day: 5, channel: 'linkedin', template: 'linkedin-intro' },
      { day: 8, channel: 'call', template: 'follow-up-call' },
      { day: 10, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 5,
    windowDays: 10,
    onExhausted: 'nurturing',
  },
  {
    // Companies decide slowly and by committee: LinkedIn early, then archived rather than nurtured
    // (account managers own B2B nurturing).
    id: 'b2b',
    version: 1,
    steps: [
      { day: 1, channel: 'call', template: 'first-call' },
      { day: 2, channel: 'linkedin', template: 'linkedin-intro' },
      { day: 4, channel: 'email', template: 'first-email' },
      { day: 7, channel: 'call', template: 'follow-up-call' },
      { day: 10, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 5,
    windowDays: 10,
    onExhausted: 'archived',
  },
  {
    // Alumni asking about another course: they know us, so fewer and warmer touches, mail first.
    id: 'alumni',
    version: 1,
    steps: [
      { day: 1, channel: 'call', template: 'first-call' },
      { day: 4, channel: 'email', template: 'first-email' },
      { day: 9, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 3,
    windowDays: 9,
    onExhausted: 'nurturing',
  },
  {
    // v2: the same touches, each call or LinkedIn step with the email that replaces it for a lead
    // without a phone or a profile.
    id: 'default',
    version: 2,
    steps: [
      { day: 1, channel: 'call', template: 'first-call', instead: FIRST_CALL_INSTEAD },
      { day: 3, channel: 'email', template: 'first-email' },
      { day: 5, channel: 'linkedin', template: 'linkedin-intro', instead: LINKEDIN_INSTEAD },
      { day: 8, channel: 'call', template: 'follow-up-call', instead: FOLLOW_UP_CALL_INSTEAD },
      { day: 10, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 5,
    windowDays: 10,
    onExhausted: 'nurturing',
  },
  {
    id: 'b2b',
    version: 2,
    steps: [
      { day: 1, channel: 'call', template: 'first-call', instead: FIRST_CALL_INSTEAD },
      { day: 2, channel: 'linkedin', template: 'linkedin-intro', instead: LINKEDIN_INSTEAD },
      { day: 4, channel: 'email', template: 'first-email' },
      { day: 7, channel: 'call', template: 'follow-up-call', instead: FOLLOW_UP_CALL_INSTEAD },
      { day: 10, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 5,
    windowDays: 10,
    onExhausted: 'archived',
  },
  {
    id: 'alumni',
    version: 2,
    steps: [
      { day: 1, channel: 'call', template: 'first-call', instead: FIRST_CALL_INSTEAD },
      { day: 4, channel: 'email', template: 'first-email' },
      { day: 9, channel: 'email', template: 'break-up-email' },
    ],
    maxTouches: 3,
    windowDays: 9,
    onExhausted: 'nurturing',
  },
];

export interface CadenceRule {
  when: { alumni?: boolean; profile?: 'b2b' | 'b2c'; countries?: readonly Country[]; courses?: readonly string[] };
  cadenceId: string;
}

/** First matching rule wins; the last rule matches everything. */
export const CADENCE_RULES: readonly CadenceRule[] = [
  { when: { alumni: true }, cadenceId: 'alumni' },
  { when: { profile: 'b2b' }, cadenceId: 'b2b' },
  { when: {}, cadenceId: 'default' },
];

export function latestCadence(id: string, catalogue: readonly Cadence[] = CADENCE_CATALOGUE): Cadence {
  const versions = catalogue.filter((c) => c.id === id);
  if (!versions.length) throw new Error(`No cadence "${id}" is published`);
  return versions.reduce((a, b) => (b.version > a.version ? b : a));
}

export function findCadence(id: string, version: number, catalogue: readonly Cadence[] = CADENCE_CATALOGUE): Cadence | undefined {
  return catalogue.find((c) => c.id === id && c.version === version);
}

/** The cadence a new lead gets: the latest version of the first rule that matches its profile, country and course. */
export function selectCadence(
  { profile, country, courseCode, alumni = false }: { profile: 'b2b' | 'b2c'; country: Country; courseCode: string; alumni?: boolean },
  { rules = CADENCE_RULES, catalogue = CADENCE_CATALOGUE }: { rules?: readonly CadenceRule[]; catalogue?: readonly Cadence[] } = {},
): Cadence {
  const rule = rules.find(
    ({ when }) =>
      (when.alumni === undefined || when.alumni === alumni) &&
      (!when.profile || when.profile === profile) &&
      (!when.countries || when.countries.includes(country)) &&
      (!when.courses || when.courses.includes(courseCode)),
  );
  if (!rule) throw new Error('No cadence rule matches; the last rule must match every lead');
  return latestCadence(rule.cadenceId, catalogue);
}
