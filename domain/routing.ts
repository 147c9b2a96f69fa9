import { z } from 'zod';
import { COUNTRIES, type Lead } from './lead';

/**
 * Which pool of executives a new lead goes to: the first rule whose every condition matches, or the
 * default pool. Within a pool, the least loaded executive below their cap gets it (ledger/routing.ts).
 */
export const routingRuleSchema = z.object({
  pool: z.string().trim().min(1).max(60),
  countries: z.array(z.enum(COUNTRIES)).optional(),
  profiles: z.array(z.enum(['b2b', 'b2c'])).optional(),
  courses: z.array(z.string().trim().min(1)).optional(),
  urgencies: z.array(z.enum(['high', 'normal', 'low'])).optional(),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export const routingRulesSchema = z.array(routingRuleSchema);

/** Executives with no pool of their own belong to this one, and leads no rule matches go to it. */
export const DEFAULT_POOL = 'general';

export function poolFor(rules: readonly RoutingRule[], lead: Pick<Lead, 'country' | 'profile' | 'course' | 'urgency'>): string {
  const rule = rules.find((r) =>
    (!r.countries || r.countries.includes(lead.country))
    && (!r.profiles || r.profiles.includes(lead.profile))
    && (!r.courses || r.courses.includes(lead.course.code))
    && (!r.urgencies || r.urgencies.includes(lead.urgency)));
  return rule?.pool ?? DEFAULT_POOL;
}

/** Stages in which a lead takes up its owner's capacity. */
export const CAPACITY_STAGES = ['new', 'contacting', 'engaged', 'proposal', 'closing'] as const;
