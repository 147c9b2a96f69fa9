import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import { messageIdFor } from '../domain/ids';
import type { DirectorReports, MailContent } from './ports';

export interface ReportDeps {
  ledger: Ledger;
  mailer: Mailer;
  directorEmail: string;
  /** The reports' figures and wording (services/analytics and presentation/emails, wired by workers/). */
  reports: DirectorReports;
}

export interface ReportInput {
  /** The moment the report is about (the schedule's time): the week before it, or today's bottlenecks. */
  asOf: string;
}

/** The director's scheduled mail: sent at most once per scheduled moment, whatever retries happen. */
export function createReportActivities({ ledger, mailer, directorEmail, reports }: ReportDeps) {
  const send = async (key: string, mail: MailContent) =>
    ledger.once({ key, leadId: 'director', kind: 'report' }, async () => (await mailer.send({ ...mail, to: directorEmail, messageId: messageIdFor(key) })).messageId);

  return {
    async sendWeeklyReport({ asOf }: ReportInput): Promise<{ messageId: string }> {
      const mail = await reports.weekly(new Date(asOf));
      const { ref } = await send(`report:weekly:${asOf}`, mail);
      return { messageId: ref };
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
