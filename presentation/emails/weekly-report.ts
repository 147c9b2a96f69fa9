/**
 * The director's Monday mail: the week's KPIs against the week before, the funnel, every executive's
 * numbers, the leads that need a hand, what was won and lost, the bottlenecks and what to do about
 * them. Always Spanish. Mail clients ignore stylesheets, so every style is inline and the layout is
 * tables; charts travel as inline PNG attachments (`cid:`), and when they cannot be drawn (no font on
 * the machine) the mail goes out without them rather than not at all.
 */
import type { Bottlenecks } from '../../services/analytics/bottlenecks';
import { CHANNELS, formatChange, formatFigure, funnelSteps, funnelTitle, KPI_ROWS, type Kind, type KpiRow } from '../kpi-rows';
import type { KpiReport } from '../../services/analytics/kpis';
import type { DirectorNumbers } from '../../services/analytics/director';
import { CHANNEL_LABELS, LOST_REASON_LABELS, STAGE_LABELS } from '../../domain/texts';
import { barChartSvg, funnelChartSvg, svgToPng, type Bar } from '../charts';
import type { LeadView } from '../../domain/lead-view';
import type { LostReason } from '../../domain/outcomes';
import { html, type Html } from '../../lib/html';

/** The director's numbers (services/analytics/director.ts); a first report may have no week before it. */
export type WeeklyReportInput = Omit<DirectorNumbers, 'previous' | 'bottlenecks'> & {
  previous: KpiReport | null;
  bottlenecks: Bottlenecks | null;
  dashboardUrl: string;
  /** The company's time zone: the period's dates are the days there. */
  timeZone: string;
};

export interface ReportMail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; cid: string; contentType: 'image/png' }[];
}

const MAX_NEED_SUPPORT = 15;
const CHART_WIDTH = 600;

/** "23–29 nov 2026", "30 nov–6 dic 2026", "28 dic 2026–3 ene 2027": the days of [from, to) in `timeZone`. */
export function periodLabel(period: { from: string; to: string }, timeZone: string): string {
  const parts = (ms: number) => {
    const p = new Intl.DateTimeFormat('es', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).formatToParts(new Date(ms));
    const get = (type: Intl.DateTimeFormatPartTypes) => (p.find((x) => x.type === type)?.value ?? '').replace('.', '');
    return { day: get('day'), month: get('month'), year: get('year') };
  };
  const from = Date.parse(period.from);
  const a = parts(from);
  // `to` is excluded: the last day is the one of the moment just before it.
  const b = parts(Math.max(from, Date.parse(period.to) - 1));
  if (a.year !== b.year) return `${a.day} ${a.month} ${a.year}–${b.day} ${b.month} ${b.year}`;
  if (a.month !== b.month) return `${a.day} ${a.month}–${b.day} ${b.month} ${b.year}`;
  if (a.day !== b.day) return `${a.day}–${b.day} ${b.month} ${b.year}`;
  return `${a.day} ${a.month} ${a.year}`;
}

const STYLE = {
  body: 'margin:0;padding:16px;background:#f4f6f8;font-family:Arial,Helvetica,sans-serif;color:#222',
  card: 'max-width:680px;margin:0 auto;background:#ffffff;padding:20px;border:1px solid #e1e4e8',
  h1: 'font-size:20px;margin:0 0 4px',
  h2: 'font-size:16px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid #e1e4e8',
  p: 'margin:4px 0;font-size:14px',
  muted: 'margin:4px 0;font-size:12px;color:#666',
  table: 'border-collapse:collapse;width:100%;font-size:13px',
  th: 'text-align:left;padding:4px 6px;border-bottom:2px solid #ccd;background:#f4f6f8',
  td: 'padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top',
  num: 'padding:4px 6px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap',
};

/** A cell: plain text (escaped by `html`), optionally right-aligned and coloured. */
interface Cell { text: string; num?: boolean; color?: string }
const cell = (text: string | number, extra: Omit<Cell, 'text'> = {}): Cell => ({ text: String(text), ...extra });

function htmlTable(headers: string[], rows: Cell[][]): Html {
  const head = html`<tr>${headers.map((h) => html`<th style="${STYLE.th}">${h}</th>`)}</tr>`;
  const td = (c: Cell) => html`<td style="${c.num ? STYLE.num : STYLE.td}${c.color ? `;color:${c.color}` : ''}">${c.text}</td>`;
  return html`<table style="${STYLE.table}">${head}${rows.map((r) => html`<tr>${r.map(td)}</tr>`)}</table>`;
}

const GOOD = '#1a7f37';
const BAD = '#c62828';

function changeColor(change: string, better: KpiRow['better']): string | undefined {
  if (!better || (!change.startsWith('▲') && !change.startsWith('▼'))) return undefined;
  return change.startsWith('▲') === (better === 'up') ? GOOD : BAD;
}

const tick = (met: boolean | null) => (met === null ? '—' : met ? '✓' : '✗');

interface Chart { cid: string; filename: string; alt: string; svg: string }

/** The charts that could be drawn; one that fails (no font) is left out, the mail still goes. */
async function drawCharts(charts: Chart[]): Promise<(Chart & { png: Buffer })[]> {
  const drawn = await Promise.all(charts.map(async (c) => {
    try {
      return { ...c, png: await svgToPng(c.svg) };
    } catch {
      return null;
    }
  }));
  return drawn.filter((c): c is Chart & { png: Buffer } => c !== null);
}

export async function renderWeeklyReport(input: WeeklyReportInput): Promise<ReportMail> {
  const { report, previous, bottlenecks, suggestions, names, courseNames, dashboardUrl, timeZone } = input;
  const who = (email: string | null) => (email ? (names[email] ?? email) : 'Sin asignar');
  const leadName = (v: LeadView) => `${v.firstName} ${v.lastName}`.trim();
  const course = (v: LeadView) => courseNames[v.courseCode] ?? v.courseName;
  const day = (iso: string) => new Intl.DateTimeFormat('es', { day: 'numeric', month: 'short', timeZone }).format(new Date(iso)).replace('.', '');
  // The report is made when the period ends: "overdue" is judged at that moment.
  const asOf = Date.parse(report.period.to);

  const period = periodLabel(report.period, timeZone);
  const subject = `Informe semanal de seguimiento · ${period}`;
  const markup: Html[] = [];
  const text: string[] = [subject, ''];
  const section = (title: string) => {
    markup.push(html`<h2 style="${STYLE.h2}">${title}</h2>`);
    text.push('', title.toUpperCase());
  };
  const paragraph = (line: string, style = STYLE.p) => {
    markup.push(html`<p style="${style}">${line}</p>`);
    text.push(line);
  };

  // Charts first, so that each section can place its image.
  const o = report.overall;
  const p = previous?.overall ?? null;
  const funnelTitleText = funnelTitle(report.funnel, 'de la semana');
  const executives = Object.keys(report.byExecutive).sort((a, b) => who(a).localeCompare(who(b)) || a.localeCompare(b));
  const chartList: Chart[] = [
    { cid: 'embudo@seguimiento', filename: 'embudo.png', alt: funnelTitleText, svg: funnelChartSvg({ title: funnelTitleText, steps: funnelSteps(report.funnel), width: CHART_WIDTH }) },
    {
      cid: 'contacto-por-canal@seguimiento', filename: 'contacto-por-canal.png', alt: 'Tasa de contacto efectiva por canal',
      svg: barChartSvg({
        title: 'Tasa de contacto efectiva por canal',
        unit: '%',
        width: CHART_WIDTH,
        bars: CHANNELS.map((c): Bar => ({
          label: CHANNEL_LABELS[c],
          value: o.contactRatePercent[c] ?? Number.NaN,
          ...(p ? { previous: p.contactRatePercent[c] ?? Number.NaN } : {}),
        })),
      }),
    },
  ];
  if (executives.length > 0) {
    chartList.push({
      cid: 'activos-vs-tope@seguimiento', filename: 'activos-vs-tope.png', alt: 'Leads activos vs tope por ejecutiva',
      svg: barChartSvg({
        title: 'Leads activos vs tope por ejecutiva',
        unit: '%',
        width: CHART_WIDTH,
        bars: executives.map((e) => {
          const f = report.byExecutive[e]!;
          return { label: `${who(e)} (${formatFigure(f.activeLeadsPerExecutive, 'count')}/${formatFigure(f.cap, 'count')})`, value: f.capUsagePercent ?? Number.NaN };
        }),
      }),
    });
  }
  const charts = await drawCharts(chartList);
  const image = (cid: string) => {
    const c = charts.find((x) => x.cid === cid);
    if (c) markup.push(html`<p style="margin:12px 0"><img src="cid:${c.cid}" alt="${c.alt}" width="${CHART_WIDTH}" style="display:block;max-width:100%;height:auto;border:0"></p>`);
  };

  markup.push(html`<h1 style="${STYLE.h1}">${subject}</h1>`);
  paragraph(`Periodo: ${period}. La comparación es con el periodo anterior de la misma duración.`, STYLE.muted);

  // KPIs
  section('Indicadores');
  markup.push(htmlTable(['Indicador', 'Esta semana', 'Semana anterior', 'Cambio'], KPI_ROWS.map((row) => {
    const now = row.pick(o);
    const before = p ? row.pick(p) : null;
    const change = p ? formatChange(now, before) : '—';
    return [cell(row.label), cell(formatFigure(now, row.kind), { num: true }), cell(p ? formatFigure(before, row.kind) : '—', { num: true }), cell(change, { num: true, color: changeColor(change, row.better) })];
  })));
  for (const row of KPI_ROWS) {
    const now = row.pick(o);
    const compare = p ? ` (semana anterior: ${formatFigure(row.pick(p), row.kind)}; cambio: ${formatChange(now, row.pick(p))})` : '';
    text.push(`${row.label}: ${formatFigure(now, row.kind)}${compare}`);
  }
  image('contacto-por-canal@seguimiento');

  // Funnel
  section(funnelTitleText);
  const created = report.funnel.created;
  const steps = funnelSteps(report.funnel);
  markup.push(htmlTable(['Etapa alcanzada', 'Intereses', '% de los recibidos'], steps.map((s) => [
    cell(s.label), cell(s.value, { num: true }), cell(formatFigure(created > 0 ? (100 * s.value) / created : null, 'percent'), { num: true }),
  ])));
  for (const s of steps) text.push(`${s.label}: ${s.value}${created > 0 ? ` (${formatFigure((100 * s.value) / created, 'percent')})` : ''}`);
  image('embudo@seguimiento');

  // Executives
  section('Por ejecutiva');
  if (executives.length === 0) {
    paragraph('Ninguna ejecutiva tiene leads asignados.');
  } else {
    const rows = executives.map((e) => {
      const f = report.byExecutive[e]!;
      const a = report.activity[e];
      const made = CHANNELS.reduce((n, c) => n + f.touchesMade[c], 0);
      const answered = CHANNELS.reduce((n, c) => n + f.touchesAnswered[c], 0);
      const goal = (actual: number | null, target: number, met: boolean | null, kind: Kind) =>
        `${formatFigure(actual, kind)} / ${formatFigure(target, kind)} ${tick(met)}`;
      return {
        name: who(e),
        assigned: String(f.assignments),
        firstContacted: String(f.leadsFirstContacted),
        contactRate: formatFigure(made > 0 ? (100 * answered) / made : null, 'percent'),
        nextStep: formatFigure(f.nextStepPercent, 'percent'),
        load: `${formatFigure(f.activeLeadsPerExecutive, 'count')} / ${formatFigure(f.cap, 'count')}`,
        overCap: f.capUsagePercent !== null && f.capUsagePercent > 100,
        goals: a
          ? [
            goal(a.newLeadsContacted, a.goals.newLeadsContacted, a.met.newLeadsContacted, 'number'),
            goal(a.reactivated, a.goals.reactivated, a.met.reactivated, 'number'),
            goal(a.nextStepPercent, a.goals.nextStepPercent, a.met.nextStepPercent, 'percent'),
          ]
          : ['—', '—', '—'],
      };
    });
    markup.push(htmlTable(
      ['Ejecutiva', 'Asignados', 'Primer contacto', 'Tasa de contacto', 'Próximo paso', 'Activos / tope', 'Obj. nuevos contactados', 'Obj. reactivados', 'Obj. próximo paso'],
      rows.map((r) => [
        cell(r.name), cell(r.assigned, { num: true }), cell(r.firstContacted, { num: true }), cell(r.contactRate, { num: true }),
        cell(r.nextStep, { num: true }), cell(r.load, { num: true, color: r.overCap ? BAD : undefined }),
        ...r.goals.map((g) => cell(g, { num: true, color: g.endsWith('✗') ? BAD : g.endsWith('✓') ? GOOD : undefined })),
      ]),
    ));
    paragraph('Objetivos: real / meta del periodo (✓ cumplido, ✗ no cumplido, — sin nada que medir).', STYLE.muted);
    for (const r of rows) {
      text.push(`- ${r.name}: asignados ${r.assigned}; primer contacto ${r.firstContacted}; tasa de contacto ${r.contactRate}; próximo paso ${r.nextStep}; activos/tope ${r.load}; objetivos: nuevos contactados ${r.goals[0]}, reactivados ${r.goals[1]}, próximo paso ${r.goals[2]}`);
    }
    image('activos-vs-tope@seguimiento');
  }

  // Leads that need support
  section('Leads que necesitan apoyo');
  const support = input.needSupport.slice(0, MAX_NEED_SUPPORT);
  if (support.length === 0) {
    paragraph('Ningún lead necesita apoyo esta semana.');
  } else {
    const why = (v: LeadView) => {
      const reasons: string[] = [];
      if (v.sla.status === 'breached') reasons.push('SLA de primer contacto incumplido');
      if (v.stalledSince) reasons.push(`estancado desde el ${day(v.stalledSince)}`);
      if (v.nextStep && !v.paused && Date.parse(v.nextStep.dueAt) < asOf) reasons.push(`próximo paso vencido el ${day(v.nextStep.dueAt)}: ${v.nextStep.action}`);
      if (v.contactProblem) reasons.push('datos de contacto con problemas');
      const joined = reasons.join('; ');
      return joined ? joined.charAt(0).toUpperCase() + joined.slice(1) : '—';
    };
    const rows = support.map((v) => ({ name: leadName(v), owner: who(v.owner), stage: STAGE_LABELS[v.stage], why: why(v) }));
    markup.push(htmlTable(['Lead', 'Ejecutiva', 'Etapa', 'Motivo'], rows.map((r) => [cell(r.name), cell(r.owner), cell(r.stage), cell(r.why)])));
    for (const r of rows) text.push(`- ${r.name} (${r.owner}, ${r.stage}): ${r.why}`);
    if (input.needSupport.length > support.length) paragraph(`Y ${input.needSupport.length - support.length} más en el panel.`, STYLE.muted);
  }

  // Won and lost
  section(`Matriculados en la semana (${input.converted.length})`);
  if (input.converted.length === 0) {
    paragraph('Ninguna matrícula esta semana.');
  } else {
    markup.push(htmlTable(['Lead', 'Curso', 'Ejecutiva'], input.converted.map((v) => [cell(leadName(v)), cell(course(v)), cell(who(v.owner))])));
    for (const v of input.converted) text.push(`- ${leadName(v)} · ${course(v)} · ${who(v.owner)}`);
  }
  section(`Perdidos en la semana (${input.lost.length})`);
  if (input.lost.length === 0) {
    paragraph('Ningún lead perdido esta semana.');
  } else {
    const reasonOf = (v: WeeklyReportInput['lost'][number]) => {
      const reason = v.reason ?? v.lostReason;
      return reason ? (LOST_REASON_LABELS[reason as LostReason] ?? reason) : 'Sin motivo registrado';
    };
    markup.push(htmlTable(['Lead', 'Curso', 'Ejecutiva', 'Motivo'], input.lost.map((v) => [cell(leadName(v)), cell(course(v)), cell(who(v.owner)), cell(reasonOf(v))])));
    for (const v of input.lost) text.push(`- ${leadName(v)} · ${course(v)} · ${who(v.owner)} · ${reasonOf(v)}`);
  }

  // Bottlenecks
  section('Cuellos de botella');
  if (!bottlenecks) {
    paragraph('Sin datos de cuellos de botella.');
  } else if (!bottlenecks.any) {
    paragraph('Sin cuellos de botella en este momento.');
  } else {
    const b = bottlenecks;
    const lines: string[] = [];
    if (b.overdue.total > 0) {
      const perOwner = Object.entries(b.overdue.byOwner).sort(([, x], [, y]) => y - x).map(([owner, n]) => `${who(owner || null)} ${n}`);
      lines.push(`Próximos pasos vencidos: ${b.overdue.total} (${perOwner.join(', ')}).`);
    }
    if (b.overCap.length > 0) lines.push(`Sobre su tope: ${b.overCap.map((x) => `${who(x.email)} (${x.active} de ${x.cap})`).join(', ')}.`);
    if (b.waitingForOwner > 0) lines.push(`Leads esperando ejecutiva: ${b.waitingForOwner}.`);
    for (const r of b.noReply.filter((x) => x.over)) lines.push(`${who(r.owner)}: ${r.count} leads en contacto sin respuesta (límite ${r.limit}).`);
    for (const d of b.dwell.filter((x) => x.over > 0)) {
      lines.push(`${STAGE_LABELS[d.stage]}: ${d.over} de ${d.total} leads llevan más de ${formatFigure(d.limitDays, 'number')} días en la etapa (mediana ${formatFigure(d.medianDays, 'days')}).`);
    }
    markup.push(html`<ul style="margin:4px 0;padding-left:20px;font-size:14px">${lines.map((l) => html`<li>${l}</li>`)}</ul>`);
    for (const l of lines) text.push(`- ${l}`);
  }

  // Suggestions
  section('Sugerencias');
  if (suggestions.length === 0) {
    paragraph('Sin alertas esta semana.');
  } else {
    markup.push(html`<ol style="margin:4px 0;padding-left:20px;font-size:14px">${suggestions.map((s) => html`<li style="margin:2px 0">${s}</li>`)}</ol>`);
    suggestions.forEach((s, i) => text.push(`${i + 1}. ${s}`));
  }

  markup.push(html`<p style="margin:24px 0 0;font-size:14px"><a href="${dashboardUrl}" style="color:#1a56db">Abrir el panel de seguimiento</a></p>`);
  text.push('', `Panel de seguimiento: ${dashboardUrl}`);

  const head = html`<head><meta charset="utf-8"><title>${subject}</title></head>`;
  const body = html`<body style="${STYLE.body}"><div style="${STYLE.card}">${markup}</div></body>`;
  return {
    subject,
    text: text.join('\n'),
    html: html`<!doctype html><html lang="es">${head}${body}</html>`.value,
    attachments: charts.map((c) => ({ filename: c.filename, content: c.png, cid: c.cid, contentType: 'image/png' as const })),
  };
}
