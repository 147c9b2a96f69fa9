/**
 * What the workflow learns from an activity that writes to a person or to an outside system. Every
 * such effect is claimed in the ledger before it acts (activities/, integrations/ledger/): a claim
 * that never got its answer is "unknown", never "not done".
 */

/** A touch email's fate. Results recorded before claims existed carry only `messageId` (sent). */
export interface SendTouchEmailResult {
  messageId: string | null;
  /**
   * `sent`; `uncertain`: an earlier attempt claimed the send and its answer was lost, so it may have
   * gone out and is never sent again; `suppressed`: the address is opted out or suppressed (a hard
   * bounce, a complaint), checked where the message leaves.
   */
  outcome?: 'sent' | 'uncertain' | 'suppressed';
  /** Why it was suppressed: `opted_out`, `bounced`, `complained`. */
  reason?: string;
}

export type IntegrationName = 'zoho' | 'email' | 'routing' | 'escalation';

/** A permanent failure of an integration at one of the workflow's call sites; the follow-up goes on. */
export interface IntegrationFailureInput {
  leadId: string;
  integration: IntegrationName;
  /** Where in the lead's life it failed, e.g. "createTouchTask", "escalate:sla_missed". */
  callSite: string;
  /** "ZohoAuthError: …": the failure's type and message, no personal data. */
  error: string;
  at: string;
}
