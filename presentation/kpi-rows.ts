import type { Channel } from '../domain/cadence';
import { CHANNEL_LABELS } from '../domain/texts';
import type { KpiFigures, KpiFunnel } from '../services/analytics/kpis';

export const CHANNELS: readonly Channel[] = ['call', 'linkedin', 'email'];

/** The funnel's steps as the dashboard and the weekly report draw them: interests, not people (docs/kpis.md). */
export function funnelSteps(funnel: KpiFunnel): { label: string; value: number }[] {
  return [
    { label: 'Intereses', value: funnel.created },
    { label: 'Contactados', value: funnel.contacted },
    { label: 'En conversación', value: funnel.engaged },
    { label: 'Propuesta o cierre', value: funnel.proposalOrCloser },
    { label: 'Matriculados', value: funnel.enrolled },
  ];
}

/** "Embudo de los intereses de la semana (12 de 11 personas)": a person back for another course counts twice. */
export const funnelTitle = (funnel: KpiFunnel, span: string) =>
  `Embudo de los intereses ${span} (${funnel.created} de ${funnel.people} ${funnel.people === 1 ? 'persona' : 'personas'})`;

const decimal = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('es', { maximumFractionDigits: 0 });

export type Kind = 'count' | 'number' | 'percent' | 'hours' | 'days' | 'money';

/** Intl 'es', one decimal at most; money without decimals; nothing to show is "—". */
export function formatFigure(value: number | null, kind: Kind): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (kind) {
    case 'money': return whole.format(value);
    case 'percent': return `${decimal.format(value)} %`;
    case 'hours': return `${decimal.format(value)} h`;
    case 'days': return `${decimal.format(value)} días`;
    default: return decimal.format(value);
  }
}

/** "▲ 25 %", "▼ 10 %", "=" when unchanged; "—" when there is nothing to compare with. */
export function formatChange(now: number | null, before: number | null): string {
  if (now === null || before === null || !Number.isFinite(now) || !Number.isFinite(before)) return '—';
  if (now === before) return '=';
  if (before === 0) return '—';
  const change = (100 * (now - before)) / Math.abs(before);
  return `${change > 0 ? '▲' : '▼'} ${decimal.format(Math.abs(change))} %`;
}

export interface KpiRow {
  /** Stable name, for the CSV export. */
  key: string;
  label: string;
  kind: Kind;
  /** Which way is good news, for the colour of the change; null when neither is. */
  better: 'up' | 'down' | null;
  pick: (f: KpiFigures) => number | null;
}

/** The KPI table, in the order the director reads it: the dashboard, its CSV and the weekly mail share it. */
export const KPI_ROWS: readonly KpiRow[] = [
  { key: 'leadsCreated', label: 'Leads creados', kind: 'count', better: 'up', pick: (f) => f.leadsCreated },
  { key: 'leadsManaged', label: 'Leads gestionados', kind: 'count', better: 'up', pick: (f) => f.leadsManaged },
  { key: 'assignmentsPerWeek', label: 'Asignaciones por semana', kind: 'number', better: null, pick: (f) => f.assignmentsPerWeek },
  ...CHANNELS.map((c): KpiRow => ({ key: `contactRate.${c}`, label: `Tasa de contacto efectiva · ${CHANNEL_LABELS[c]}`, kind: 'percent', better: 'up', pick: (f) => f.contactRatePercent[c] })),
  { key: 'touchesBeforeCloseAvg', label: 'Toques promedio antes de matrícula o archivo', kind: 'number', better: null, pick: (f) => f.touchesBeforeCloseAvg },
  { key: 'firstContactAvgHours', label: 'Primer contacto · promedio', kind: 'hours', better: 'down', pick: (f) => f.firstContactAvgHours },
  { key: 'firstContactP90Hours', label: 'Primer contacto · p90', kind: 'hours', better: 'down', pick: (f) => f.firstContactP90Hours },
  { key: 'firstContactWithinSlaPercent', label: 'Primer contacto dentro del SLA', kind: 'percent', better: 'up', pick: (f) => f.firstContactWithinSlaPercent },
  { key: 'leadsReactivated', label: 'Leads que vuelven al embudo activo', kind: 'count', better: 'up', pick: (f) => f.leadsReactivated },
  { key: 'stalledReactivatedPercent', label: 'Leads estancados reactivados', kind: 'percent', better: 'up', pick: (f) => f.stalledReactivatedPercent },
  { key: 'contactedToProposalPercent', label: 'Contactados que llegan a propuesta o cierre', kind: 'percent', better: 'up', pick: (f) => f.contactedToProposalPercent },
  { key: 'activeLeadsPerExecutive', label: 'Leads activos por ejecutiva', kind: 'number', better: null, pick: (f) => f.activeLeadsPerExecutive },
  { key: 'capUsagePercent', label: 'Leads activos vs tope', kind: 'percent', better: null, pick: (f) => f.capUsagePercent },
  { key: 'nextStepPercent', label: 'Higiene del CRM (próximo paso definido)', kind: 'percent', better: 'up', pick: (f) => f.nextStepPercent },
  { key: 'leadsEnrolled', label: 'Matrículas', kind: 'count', better: 'up', pick: (f) => f.leadsEnrolled },
  { key: 'velocityMedianDays', label: 'Velocidad del pipeline · mediana', kind: 'days', better: 'down', pick: (f) => f.velocityMedianDays },
  { key: 'velocityP90Days', label: 'Velocidad del pipeline · p90', kind: 'days', better: 'down', pick: (f) => f.velocityP90Days },
  { key: 'costPerLeadManaged', label: 'Costo por lead gestionado', kind: 'money', better: 'down', pick: (f) => f.costPerLeadManaged },
  { key: 'incrementalValue', label: 'Valor incremental', kind: 'money', better: 'up', pick: (f) => f.incrementalValue },
];

