import type { KpiFigures } from './kpis';

/** One line of the KPI table: the same list feeds the dashboard and its CSV export. */
export interface KpiRow {
  key: string;
  label: string;
  unit: '' | '%' | 'h' | 'días' | '$';
  value: (f: KpiFigures) => number | null;
  /** Lower is better (time to first contact, cost): the change arrow reads the other way. */
  lowerIsBetter?: boolean;
}

export const KPI_ROWS: readonly KpiRow[] = [
  { key: 'leadsCreated', label: 'Leads creados', unit: '', value: (f) => f.leadsCreated },
  { key: 'assignmentsPerWeek', label: 'Leads asignados por semana', unit: '', value: (f) => f.assignmentsPerWeek },
  { key: 'contactRate.call', label: 'Tasa de contacto efectiva · llamada', unit: '%', value: (f) => f.contactRatePercent.call },
  { key: 'contactRate.email', label: 'Tasa de contacto efectiva · correo', unit: '%', value: (f) => f.contactRatePercent.email },
  { key: 'contactRate.linkedin', label: 'Tasa de contacto efectiva · LinkedIn', unit: '%', value: (f) => f.contactRatePercent.linkedin },
  { key: 'touchesBeforeCloseAvg', label: 'Toques por lead antes de matrícula o archivo', unit: '', value: (f) => f.touchesBeforeCloseAvg, lowerIsBetter: true },
  { key: 'firstContactAvgHours', label: 'Primer contacto · promedio', unit: 'h', value: (f) => f.firstContactAvgHours, lowerIsBetter: true },
  { key: 'firstContactP90Hours', label: 'Primer contacto · p90', unit: 'h', value: (f) => f.firstContactP90Hours, lowerIsBetter: true },
  { key: 'firstContactWithinSlaPercent', label: 'Primer contacto dentro de 24 h', unit: '%', value: (f) => f.firstContactWithinSlaPercent },
  { key: 'stalledReactivatedPercent', label: 'Estancados reactivados', unit: '%', value: (f) => f.stalledReactivatedPercent },
  { key: 'contactedToProposalPercent', label: 'Contactados que llegan a propuesta o cierre', unit: '%', value: (f) => f.contactedToProposalPercent },
  { key: 'activeLeadsPerExecutive', label: 'Leads activos por ejecutiva', unit: '', value: (f) => f.activeLeadsPerExecutive },
  { key: 'capUsagePercent', label: 'Uso del tope', unit: '%', value: (f) => f.capUsagePercent },
  { key: 'nextStepPercent', label: 'Higiene CRM: resultados con próximo paso', unit: '%', value: (f) => f.nextStepPercent },
  { key: 'leadsEnrolled', label: 'Matriculados', unit: '', value: (f) => f.leadsEnrolled },
  { key: 'velocityMedianDays', label: 'Velocidad del pipeline · mediana', unit: 'días', value: (f) => f.velocityMedianDays, lowerIsBetter: true },
  { key: 'velocityP90Days', label: 'Velocidad del pipeline · p90', unit: 'días', value: (f) => f.velocityP90Days, lowerIsBetter: true },
  { key: 'costPerLeadManaged', label: 'Costo por lead gestionado', unit: '$', value: (f) => f.costPerLeadManaged, lowerIsBetter: true },
  { key: 'incrementalValue', label: 'Valor incremental', unit: '$', value: (f) => f.incrementalValue },
];

const number = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('es', { maximumFractionDigits: 0 });

/** "45,6 %", "31 h", "$ 1.200", or "—" when there is nothing to measure. */
export function formatKpi(value: number | null, unit: KpiRow['unit']): string {
  if (value === null) return '—';
  if (unit === '$') return `$ ${money.format(value)}`;
  return unit ? `${number.format(value)} ${unit}` : number.format(value);
}

/** "▲ 12 %" / "▼ 5 %" relative to the previous period, "—" when either side is missing or zero. */
export function change(current: number | null, previous: number | null): { text: string; direction: 'up' | 'down' | 'flat' } {
  if (current === null || previous === null || previous === 0) return { text: '—', direction: 'flat' };
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  if (Math.abs(pct) < 0.05) return { text: '=', direction: 'flat' };
  return { text: `${pct > 0 ? '▲' : '▼'} ${number.format(Math.abs(pct))} %`, direction: pct > 0 ? 'up' : 'down' };
}
