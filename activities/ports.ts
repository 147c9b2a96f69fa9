import type { IntegrationName } from '../domain/effects';
import type { EscalationKind, RenderedMail, TouchTemplate } from '../domain/emails';
import type { Lead, Stage } from '../domain/lead';
import type { Urgency } from '../domain/urgency';
import type { OutgoingMail } from '../integrations/mailer';

/*
 * What activities need from the layers above them. Activities sit under presentation/ and services/
 * (docs/architecture.md), so they receive the wording of emails and the director's reports as
 * functions in their factory's dependencies; workers/ wires the real ones. Function-typed properties
 * (not methods), so TypeScript checks the wired functions' parameters strictly.
 */

/** A worded email, with the images its HTML shows inline if any. */
export type MailContent = RenderedMail & Pick<OutgoingMail, 'attachments'>;

export interface EmailRenderers {
  /** A touch email in the lead's language, with the visible unsubscribe link. */
  touchEmail: (input: { lead: Lead; template: TouchTemplate; urgency: Urgency; unsubscribeUrl: string }) => MailContent;
  /** The internal email about a lead that needs a person (always Spanish). */
  escalation: (input: {
    lead: Lead; kind: EscalationKind; stage: Stage; owner: string | null; leadUrl: string; temporalUrl: string;
  }) => MailContent;
  /**
   * The director's mail about a kind of permanent integration failure (always Spanish), once a day
   * per kind: the first lead it hit and where, no personal data beyond the lead's id and link.
   */
  integrationFailure: (input: {
    integration: IntegrationName; errorType: string; error: string; callSite: string; leadId: string; leadUrl: string; day: string;
  }) => MailContent;
}

/** The director's scheduled mails, computed from the ledger and worded. */
export interface DirectorReports {
  /** The report on the seven days before `asOf`, with the week before that for comparison. */
  weekly: (asOf: Date) => Promise<MailContent>;
  /** Where the follow-up is jammed as of `asOf`; null on a day without any bottleneck. */
  bottlenecks: (asOf: Date) => Promise<MailContent | null>;
}
