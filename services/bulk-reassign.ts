import { poolFor, type RoutingRule } from '../domain/routing';
import type { Routing } from '../integrations/ledger/routing';
import { RejectedError } from './errors';
import type { LeadService } from './lead-service';

export interface BulkReassignResult { moved: { leadId: string; to: string }[]; kept: string[] }

/**
 * Everything an executive holds, to one colleague or back through routing (vacation, departure):
 * one action. With routing, a lead for which nobody else has room stays where it is and is reported.
 */
export async function reassignAll({ leads, routing, rules, from, to }: {
  leads: LeadService; routing: Routing; rules: readonly RoutingRule[]; from: string; to: string | 'rules';
}): Promise<BulkReassignResult> {
  const result: BulkReassignResult = { moved: [], kept: [] };
  for (const leadId of await routing.activeLeadsOf(from)) {
    let owner = to;
    if (to === 'rules') {
      const { lead } = await leads.state(leadId);
      const decision = await routing.assign({ leadId, pool: poolFor(rules, lead), exclude: [from] });
      if (!decision.owner) {
        result.kept.push(leadId);
        continue;
      }
      owner = decision.owner;
    }
    try {
      await leads.runCommand(leadId, { type: 'reassign', owner });
      result.moved.push({ leadId, to: owner });
    } catch (err) {
      // Closed meanwhile: nothing left to move.
      if (!(err instanceof RejectedError)) throw err;
    }
  }
  return result;
}
