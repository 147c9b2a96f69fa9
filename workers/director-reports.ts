import type { Pool } from 'pg';
import type { DirectorReports } from '../activities/ports';
import type { KpiSettings } from '../domain/kpi-settings';
import { renderBottleneckMail } from '../presentation/emails/bottlenecks';
import { bottlenecksNow, directorNumbers, weekBefore } from '../services/analytics/director';
import { renderWeeklyReport } from '../presentation/emails/weekly-report';

export interface DirectorReportSettings {
  /** KPI settings (docs/kpis.md); caps come from the accounts. */
  kpiSettings: Omit<KpiSettings, 'caps'>;
  /** The web app's public base URL, for the link to the dashboard. */
  publicUrl: string;
  /** The company's time zone, for dates in the reports. */
  timeZone: string;
}

/** The director's reports as the report activities need them: the use cases' numbers, worded by presentation/. */
export function directorReports(pool: Pool, { kpiSettings, publicUrl, timeZone }: DirectorReportSettings): DirectorReports {
  const dashboardUrl = `${publicUrl}/panel`;
  return {
    async weekly(asOf) {
      const numbers = await directorNumbers({ pool, settings: kpiSettings, period: weekBefore(asOf), now: asOf });
      return renderWeeklyReport({ ...numbers, dashboardUrl, timeZone });
    },
    async bottlenecks(asOf) {
      const { bottlenecks, names } = await bottlenecksNow({ pool, now: asOf });
      return bottlenecks.any ? renderBottleneckMail({ bottlenecks, dashboardUrl, names, timeZone }) : null;
    },
  };
}
