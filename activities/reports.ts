import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import { messageIdFor } from '../domain/ids';
import { DEFAULT_CLAIM_TIMING, sendOnce, type ClaimTiming } from './claims';
import type { DirectorReports, MailContent } from './ports';

export interface ReportDeps {
  ledger: Ledger;
  mailer: Mailer;
  directorEmail: string;
  /** The sending domain (MAIL_FROM's), for the reports' Message-IDs. */
  mailDomain: string;
  /** The reports' figures and wording (services/analytics and presentation/emails, wired by workers/). */
  reports: DirectorReports;
  claimTiming?: Partial<ClaimTiming>;
}

export interface ReportInput {
  /** The moment the report is about (the schedule's time): the week before it, or today's bottlenecks. */
  asOf: string;
}

/**
 * The director's scheduled mail: sent at most once per scheduled moment, whatever retries happen
 * (claimed before it leaves; a send whose answer was lost is `uncertain` and not repeated).
 */
export function createReportActivities({ ledger, mailer, directorEmail, mailDomain, reports, claimTiming }: ReportDeps) {
  const claims = { ledger, mailer, timing: { ...DEFAULT_CLAIM_TIMING, ...claimTiming } };
  const send = async (key: string, mail: MailContent) =>
    sendOnce(claims, { key, leadId: 'director', kind: 'report', mail: () => ({ ...mail, to: directorEmail, messageId: messageIdFor(key, mailDomain) }) });

  return {
    async sendWeeklyReport({ asOf }: ReportInput): Promise<{ messageId: string; outcome?: 'sent' | 'uncertain' }> {
      const mail = await reports.weekly(new Date(asOf));
      const { messageId, outcome } = await send(`report:weekly:${asOf}`, mail);
      return { messageId: messageId ?? messageIdFor(`report:weekly:${asOf}`, mailDomain), outcome: outcome === 'uncertain' ? 'uncertain' : 'sent' };
    },

    /** Today's bottlenecks to the director; nothing is sent on a day without any. */
    async reportBottlenecks({ asOf }: ReportInput): Promise<{ sent: boolean }> {
      const mail = await reports.bottlenecks(new Date(asOf));
      if (!mail) return { sent: false };
      await send(`report:bottlenecks:${asOf}`, mail);
      return { sent: true };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
