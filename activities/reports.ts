import type { KpiSettings } from '../services/analytics/kpis';
import { bottlenecksNow, directorNumbers, weekBefore } from '../services/analytics/director';
import { renderBottleneckMail } from '../services/analytics/bottlenecks';
import type { Ledger } from '../integrations/ledger/ledger';
import type { Mailer } from '../integrations/mailer';
import { renderWeeklyReport } from '../presentation/emails/weekly-report';
import { messageIdFor } from '../domain/ids';

export interface ReportDeps {
  ledger: Ledger;
  mailer: Mailer;
  directorEmail: string;
  publicUrl: string;
  /** KPI settings (docs/kpis.md); caps come from the accounts. */
  kpiSettings: Omit<KpiSettings, 'caps'>;
  /** The company's time zone, for dates in the report. */
  timeZone: string;
}

export interface ReportInput {
  /** The moment the report is about (the schedule's time): the week before it, or today's bottlenecks. */
  asOf: string;
}

/** The director's scheduled mail: sent at most once per scheduled moment, whatever retries happen. */
export function createReportActivities({ ledger, mailer, directorEmail, publicUrl, kpiSettings, timeZone }: ReportDeps) {
  const send = async (key: string, mail: Omit<Parameters<Mailer['send']>[0], 'to' | 'messageId'>) =>
    ledger.once({ key, leadId: 'director', kind: 'report' }, async () => (await mailer.send({ ...mail, to: directorEmail, messageId: messageIdFor(key) })).messageId);

  return {
    async sendWeeklyReport({ asOf }: ReportInput): Promise<{ messageId: string }> {
      const when = new Date(asOf);
      const numbers = await directorNumbers({ pool: ledger.pool, settings: kpiSettings, period: weekBefore(when), now: when });
      const mail = await renderWeeklyReport({ ...numbers, dashboardUrl: `${publicUrl}/panel`, timeZone });
      const { ref } = await send(`report:weekly:${asOf}`, mail);
      return { messageId: ref };
    },

    /** Today's bottlenecks to the director; nothing is sent on a day without any. */
    async reportBottlenecks({ asOf }: ReportInput): Promise<{ sent: boolean }> {
      const when = new Date(asOf);
      const { bottlenecks, names } = await bottlenecksNow({ pool: ledger.pool, now: when });
      if (!bottlenecks.any) return { sent: false };
      await send(`report:bottlenecks:${asOf}`, renderBottleneckMail({ bottlenecks, dashboardUrl: `${publicUrl}/panel`, names, timeZone }));
      return { sent: true };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
