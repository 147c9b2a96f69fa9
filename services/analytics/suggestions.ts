/**
 * What the director should look at this week, in plain Spanish sentences: each one names the figure,
 * its value and the threshold it crossed, so that nobody has to trust an opaque score. Pure: the same
 * numbers always give the same sentences, most important first.
 */
import type { Channel } from '../../domain/cadence';
import type { Country } from '../../domain/lead';
import { CHANNEL_LABELS, COUNTRY_NAMES, STAGE_LABELS } from '../../domain/texts';
import type { Bottlenecks } from './bottlenecks';
import type { KpiReport, KpiSettings } from './kpis';

/** Above this share of their cap an executive is close to refusing leads. */
export const NEAR_CAP_PERCENT = 90;
/** Below this share of stalled leads revived, reactivation is not working. */
export const STALLED_REACTIVATED_MIN_PERCENT = 30;
/** A week-over-week fall larger than this (relative) is worth a sentence. */
export const WEEKLY_DROP_PERCENT = 20;
/** A channel is compared with the best one only with at least this many touches made on both. */
export const CHANNEL_MIN_TOUCHES = 5;
/** The weakest channel is named when its contact rate is below this share of the best one's. */
export const CHANNEL_GAP_RATIO = 0.5;
export const MAX_SUGGESTIONS = 8;
/** No single kind of alert takes over the list (five countries late on first contact are one problem). */
const MAX_PER_KIND = 3;

const CHANNELS: readonly Channel[] = ['call', 'linkedin', 'email'];

const number1 = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });
const n = (value: number) => number1.format(value);
const pct = (value: number) => `${n(value)} %`;
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export function suggestionsFrom({ report, previous, bottlenecks, settings, names }: {
  report: KpiReport;
  previous: KpiReport | null;
  bottlenecks: Bottlenecks | null;
  settings: KpiSettings;
  /** Executive email → display name. */
  names: Record<string, string>;
}): string[] {
  const who = (email: string) => names[email] ?? email;
  const country = (code: string) => COUNTRY_NAMES[code as Country] ?? code;
  const overall = report.overall;
  /** Sentences per kind, in order of importance; within a kind, the worst first. */
  const kinds: string[][] = [];

  // Leads nobody can take: they wait while the clock of their first contact runs.
  if (bottlenecks && bottlenecks.waitingForOwner > 0) {
    kinds.push([`${plural(bottlenecks.waitingForOwner, 'lead espera', 'leads esperan')} ejecutiva en la cola: todas las que pueden atenderlos están en su tope o ausentes.`]);
  }

  // Capacity: over the cap first, then close to it.
  kinds.push(Object.entries(report.byExecutive)
    .filter(([, f]) => f.capUsagePercent !== null && f.capUsagePercent > NEAR_CAP_PERCENT)
    .sort(([, a], [, b]) => b.capUsagePercent! - a.capUsagePercent!)
    .map(([email, f]) => {
      const active = n(f.activeLeadsPerExecutive ?? 0);
      const limit = f.capUsagePercent! > 100 ? 'por encima de su tope' : `por encima del ${NEAR_CAP_PERCENT} % de su tope`;
      return `${who(email)} tiene ${active} leads activos de un tope de ${f.cap ?? 0} (${pct(f.capUsagePercent!)}): ${limit}.`;
    }));

  // First contact later than the SLA, per country.
  kinds.push(Object.entries(report.byCountry)
    .filter(([, f]) => f.firstContactAvgHours !== null && f.firstContactAvgHours > settings.slaHours)
    .sort(([, a], [, b]) => b.firstContactAvgHours! - a.firstContactAvgHours!)
    .map(([code, f]) =>
      `Primer contacto promedio de ${n(f.firstContactAvgHours!)} h en ${country(code)}: por encima del SLA de ${n(settings.slaHours)} h.`));

  // Next steps already late, per executive, in one sentence.
  if (bottlenecks && bottlenecks.overdue.total > 0) {
    const perOwner = Object.entries(bottlenecks.overdue.byOwner)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([owner, count]) => `${count} de ${owner ? who(owner) : 'leads sin asignar'}`);
    kinds.push([`${plural(bottlenecks.overdue.total, 'próximo paso vencido', 'próximos pasos vencidos')}: ${perOwner.join(', ')}.`]);
  }

  // Week-over-week falls.
  if (previous) {
    const falls: { drop: number; sentence: string }[] = [];
    const fall = (label: string, verb: string, now: number | null, before: number | null, format: (v: number) => string) => {
      if (now === null || before === null || before <= 0) return;
      const drop = (100 * (before - now)) / before;
      if (drop > WEEKLY_DROP_PERCENT) {
        falls.push({ drop, sentence: `${label} ${verb} de ${format(before)} a ${format(now)} respecto de la semana anterior (−${pct(drop)}): caída de más del ${WEEKLY_DROP_PERCENT} %.` });
      }
    };
    for (const c of CHANNELS) fall(`La tasa de contacto por ${CHANNEL_LABELS[c]}`, 'bajó', overall.contactRatePercent[c], previous.overall.contactRatePercent[c], pct);
    fall('Las matrículas', 'bajaron', overall.leadsEnrolled, previous.overall.leadsEnrolled, (v) => String(v));
    kinds.push(falls.sort((a, b) => b.drop - a.drop).map((f) => f.sentence));
  }

  // CRM hygiene below target, per executive.
  kinds.push(Object.entries(report.activity)
    .filter(([, a]) => a.met.nextStepPercent === false)
    .sort(([, a], [, b]) => a.nextStepPercent! - b.nextStepPercent!)
    .map(([email, a]) =>
      `${who(email)} dejó un próximo paso definido en el ${pct(a.nextStepPercent!)} de sus contactos: por debajo del objetivo de ${pct(a.goals.nextStepPercent)}.`));

  if (overall.stalledReactivatedPercent !== null && overall.stalledReactivatedPercent < STALLED_REACTIVATED_MIN_PERCENT) {
    kinds.push([`Solo se reactivó el ${pct(overall.stalledReactivatedPercent)} de los leads estancados (${overall.stalledReactivated} de ${overall.leadsStalled}): por debajo del ${STALLED_REACTIVATED_MIN_PERCENT} %.`]);
  }

  // The weakest channel against the best one, with enough touches on both to mean something.
  const rated = CHANNELS
    .filter((c) => overall.touchesMade[c] >= CHANNEL_MIN_TOUCHES && overall.contactRatePercent[c] !== null)
    .map((c) => ({ c, rate: overall.contactRatePercent[c]! }))
    .sort((a, b) => a.rate - b.rate);
  const worst = rated[0];
  const best = rated[rated.length - 1];
  if (worst && best && worst !== best && worst.rate < CHANNEL_GAP_RATIO * best.rate) {
    kinds.push([`La tasa de contacto por ${CHANNEL_LABELS[worst.c]} es de ${pct(worst.rate)}, menos de la mitad que por ${CHANNEL_LABELS[best.c]} (${pct(best.rate)}): revisa los mensajes y horarios de ese canal.`]);
  }

  if (bottlenecks) {
    kinds.push(bottlenecks.noReply
      .filter((r) => r.over)
      .map((r) => `${who(r.owner)} tiene ${r.count} leads en contacto que aún no respondieron: por encima del límite de ${r.limit}.`));
    kinds.push(bottlenecks.dwell
      .filter((d) => d.over > 0)
      .sort((a, b) => b.over / b.total - a.over / a.total)
      .map((d) => `${d.over} de ${plural(d.total, 'lead', 'leads')} en ${STAGE_LABELS[d.stage]} ${d.over === 1 ? 'lleva' : 'llevan'} más de ${n(d.limitDays)} días en la etapa${d.medianDays === null ? '' : ` (mediana: ${n(d.medianDays)} días)`}.`));
  }

  return kinds.flatMap((k) => k.slice(0, MAX_PER_KIND)).slice(0, MAX_SUGGESTIONS);
}
