import { defineSearchAttributeKey } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReportActivities } from '../activities/reports';
import { ACTIVITY_OPTIONS } from './activity-proxies';

// Computing a week of KPIs reads the whole ledger: give it longer than a lead's one-row activities.
const reports = proxyActivities<ReportActivities>({ ...ACTIVITY_OPTIONS, startToCloseTimeout: '10 minutes' });

/**
 * The moment the schedule meant: a run that starts late (a worker was down) still reports on the
 * week it was scheduled for, and the same moment is only ever mailed once.
 */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

function scheduledMoment(): string {
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
  const started = workflowInfo().runStartTime;
  // The scheduled time is whole seconds: a run started within that second (on time, or triggered by
  // hand) reports up to its real start, so nothing from the last instants before it is left out.
  if (!scheduled || started.getTime() - scheduled.getTime() < 1000) return started.toISOString();
  return scheduled.toISOString();
}

/** Monday 08:00 in the company's time zone: the director's weekly report. */
export async function weeklyReportWorkflow(): Promise<{ messageId: string }> {
  return reports.sendWeeklyReport({ asOf: scheduledMoment() });
}

/** Every morning: stalled leads and bottlenecks, to the director when there are any. */
export async function dailyBottlenecksWorkflow(): Promise<{ sent: boolean }> {
  return reports.reportBottlenecks({ asOf: scheduledMoment() });
}
