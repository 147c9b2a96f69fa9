import type { Cadence, Channel } from './cadence';
import type { Lead, Stage } from './lead';
import type { LostReason, OutcomeType } from './outcomes';
import type { FollowUpPolicy } from './policy';

/** `uncertain`: an email whose send was claimed but never confirmed; it may have gone out and is never repeated. */
export type TouchStatus = 'planned' | 'due' | 'done' | 'missed' | 'skipped' | 'uncertain';
export type TouchKind = 'welcome' | 'cadence' | 'nurturing' | 'reactivation';

export interface Touch {
  key: string;
  kind: TouchKind;
  /** Cadence run and step number (1-based) for cadence touches. */
  run?: number;
  step?: number;
  /** The lead's local date of the touch: one touch a day, a cap a week. */
  localDate?: string;
  channel: Channel;
  template: string;
  status: TouchStatus;
  dueAt: string;
  doneAt?: string;
  outcome?: OutcomeType;
  /** Where the touch lives outside Temporal: a Zoho task id or the email's Message-ID. */
  ref?: string;
}

export interface NextStep {
  action: string;
  dueAt: string;
}

export interface OutcomeRecord {
  type: OutcomeType;
  at: string;
  stageBefore: Stage;
  stageAfter: Stage;
  note?: string;
  reason?: LostReason;
  by?: string;
}

/** The whole lead as its workflow knows it: what `GET /api/leads/:leadId` answers. */
export interface LeadState {
  leadId: string;
  workflowId: string;
  stage: Stage;
  /** When the lead entered its current stage (dwell time, nurturing intervals). */
  stageSince: string;
  owner: string | null;
  /** Who closes the sale once the lead is handed over (absent on leads from before closers were named). */
  closer?: string | null;
  lead: Lead;
  cadence: Cadence;
  policy: FollowUpPolicy;
  enrolledAt: string;
  zohoLeadId: string | null;
  /** Converted to a Contact on hand-off to the closer: Zoho's lead record takes no more updates. */
  zohoConverted?: boolean;
  touches: Touch[];
  nextStep: NextStep | null;
  sla: { dueAt: string; status: 'pending' | 'met' | 'breached'; firstContactAt: string | null };
  paused: { since: string; until: string | null } | null;
  /** A person must fix the contact data before automatic touches resume. */
  contactProblem: boolean;
  lostReason: LostReason | null;
  /** The last outcomes, newest last (bounded so that long lives stay small). */
  outcomes: OutcomeRecord[];
  lastProgressAt: string;
  /** Which pass through a cadence this is (a reactivation starts another): part of touch keys. */
  cadenceRun: number;
  /** Day 1 of the current cadence run. */
  cadenceStartedAt: string;
  stall: { since: string; reactivationSent: boolean; escalated: boolean } | null;
  nurturingTouchesSent: number;
  counts: { touchesDone: number; touchesMissed: number; outcomes: number; reactivations: number; escalations: number };
  /** Bumped on every change a message makes; timers wake up to re-plan when it moves. */
  revision: number;
}

export const MAX_OUTCOMES_KEPT = 50;
