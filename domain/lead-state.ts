import type { Lead, Stage } from './lead';
import type { Channel } from './cadence';

export type TouchStatus = 'planned' | 'done' | 'missed' | 'skipped';

export interface Touch {
  step: number;
  channel: Channel;
  template: string;
  status: TouchStatus;
  dueAt: string;
  doneAt?: string;
  /** Where the touch lives outside Temporal: a Zoho task id or the email's Message-ID. */
  ref?: string;
}

export interface NextStep {
  action: string;
  dueAt: string;
}

/** The whole lead as the lead workflow knows it: what `GET /api/leads/:leadId` answers. */
export interface LeadState {
  leadId: string;
  workflowId: string;
  stage: Stage;
  owner: string | null;
  lead: Lead;
  cadence: { id: string; version: number };
  zohoLeadId: string | null;
  touches: Touch[];
  nextStep: NextStep | null;
  counts: { touchesDone: number; touchesPlanned: number };
}
