import type { Cadence } from './cadence';
import type { Lead } from './lead';
import type { LeadState } from './lead-state';
import type { FollowUpPolicy } from './policy';

export const TASK_QUEUE = 'leads';

export interface LeadWorkflowInput {
  lead: Lead;
  cadence: Cadence;
  policy: FollowUpPolicy;
  /** Where links in mails and escalations point: the web app's public base URL. */
  publicUrl: string;
  /** Set by continue-as-new: the lead as the previous run left it. */
  carried?: LeadState;
}
