import type { Lead } from './lead';

export const TASK_QUEUE = 'leads';

export interface LeadWorkflowInput {
  lead: Lead;
  /** Where links in mails and escalations point: the web app's public base URL. */
  publicUrl: string;
}
