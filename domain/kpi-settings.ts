/** The KPI settings of docs/kpis.md: what config/ parses from the environment and services/analytics computes with. */

export interface KpiSettings {
  /** Active-lead cap per executive email ("tope definido"); default cap for anyone not listed. */
  caps: Record<string, number>;
  defaultCap: number;
  /** Team cost for the period is computed as monthlyCostPerExecutive × executives × (period days / 30). */
  monthlyCostPerExecutive: number;
  coursePrices: Record<string, number>;
  defaultCoursePrice: number;
  /** Conversion rate (enrolled / leads created) the company had without the system, for incremental value. */
  baselineConversionRate: number;
  /** Activity goals per executive. */
  targets: { newLeadsContactedPerDay: number; reactivationsPerWeek: number; nextStepPercent: number };
  /** First contact is due this many hours after the lead's creation. */
  slaHours: number;
}

/** Placeholders until the director sets real figures; the cap is routing's default cap. */
export const defaultKpiSettings: KpiSettings = {
  caps: {},
  defaultCap: 40,
  monthlyCostPerExecutive: 2000,
  coursePrices: {},
  defaultCoursePrice: 1000,
  baselineConversionRate: 0.03,
  targets: { newLeadsContactedPerDay: 10, reactivationsPerWeek: 5, nextStepPercent: 90 },
  slaHours: 24,
};
