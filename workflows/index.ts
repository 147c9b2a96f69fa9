export { leadWorkflow } from './lead';
export { dailyBottlenecksWorkflow, weeklyReportWorkflow } from './reports';
