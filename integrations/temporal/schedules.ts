import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { TASK_QUEUE } from '../../domain/workflow-input';

export const WEEKLY_REPORT_SCHEDULE = 'director-weekly-report';
export const DAILY_BOTTLENECKS_SCHEDULE = 'daily-bottlenecks';

/** The director's schedules, in the company's time zone: Monday 08:00 report, 07:30 bottlenecks daily. */
export function directorSchedules(timeZone: string): ScheduleOptions[] {
  const common = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  return [
    {
      scheduleId: WEEKLY_REPORT_SCHEDULE,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 8, minute: 0, comment: 'Lunes 08:00' }], timezone: timeZone },
      action: { type: 'startWorkflow', workflowType: 'weeklyReportWorkflow', taskQueue: TASK_QUEUE, args: [], workflowId: 'director-weekly-report' },
      policies: common,
      memo: { description: 'Informe semanal a la dirección: KPIs, embudo, cuellos de botella y sugerencias' },
    },
    {
      scheduleId: DAILY_BOTTLENECKS_SCHEDULE,
      spec: { calendars: [{ dayOfWeek: '*', hour: 7, minute: 30, comment: 'Cada día 07:30' }], timezone: timeZone },
      action: { type: 'startWorkflow', workflowType: 'dailyBottlenecksWorkflow', taskQueue: TASK_QUEUE, args: [], workflowId: 'daily-bottlenecks' },
      policies: common,
      memo: { description: 'Leads estancados y cuellos de botella del día, a la dirección' },
    },
  ];
}

/**
 * Creates the schedules, or brings existing ones in line (a new time zone in the config); safe to
 * run on every worker start.
 */
export async function ensureSchedules(client: Client, timeZone: string): Promise<void> {
  for (const options of directorSchedules(timeZone)) {
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } }));
    }
  }
}
