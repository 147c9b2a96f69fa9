import type { Channel } from './cadence';
import type { Country, Stage } from './lead';
import type { LeadState } from './lead-state';
import type { LostReason } from './outcomes';

/** A touch a person must work now: a call to make or a LinkedIn message to send. */
export interface DueTouch {
  key: string;
  channel: Channel;
  template: string;
  dueAt: string;
}

/**
 * The lead as lists and queues need it: small, flat, and kept in PostgreSQL so that the web app can
 * filter and search thousands of leads without asking every workflow. The workflow stays the truth.
 */
export interface LeadView {
  leadId: string;
  workflowId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  company: string | null;
  linkedinUrl: string | null;
  country: Country;
  courseCode: string;
  courseName: string;
  profile: 'b2b' | 'b2c';
  source: string;
  benefit: string | null;
  stage: Stage;
  stageSince: string;
  owner: string | null;
  closer: string | null;
  nextStep: { action: string; dueAt: string } | null;
  sla: { status: 'pending' | 'met' | 'breached'; dueAt: string };
  stalledSince: string | null;
  paused: boolean;
  contactProblem: boolean;
  lostReason: LostReason | null;
  dueTouches: DueTouch[];
  createdAt: string;
  /** The workflow's revision when this was taken: an older snapshot never replaces a newer one. */
  revision: number;
}

export function leadViewOf(state: LeadState): LeadView {
  const { lead } = state;
  return {
    leadId: state.leadId,
    workflowId: state.workflowId,
    firstName: lead.firstName,
    lastName: lead.lastName,
    email: lead.email,
    phone: lead.phone ?? null,
    company: lead.company ?? null,
    linkedinUrl: lead.linkedinUrl ?? null,
    country: lead.country,
    courseCode: lead.course.code,
    courseName: lead.course.name,
    profile: lead.profile,
    source: lead.source,
    benefit: lead.benefit ?? null,
    stage: state.stage,
    stageSince: state.stageSince,
    owner: state.owner,
    // Leads that started before closers were named carry no such field.
    closer: state.closer ?? null,
    nextStep: state.nextStep,
    sla: { status: state.sla.status, dueAt: state.sla.dueAt },
    stalledSince: state.stall?.since ?? null,
    paused: state.paused !== null,
    contactProblem: state.contactProblem,
    lostReason: state.lostReason,
    dueTouches: state.touches
      .filter((t) => t.status === 'due' && t.channel !== 'email')
      .map(({ key, channel, template, dueAt }) => ({ key, channel, template, dueAt })),
    createdAt: lead.createdAt,
    revision: state.revision,
  };
}
