/**
 * Where the follow-up is jammed right now: backlogs without a reply, overdue next steps, executives
 * over their cap, leads sitting too long in a stage, leads waiting for an owner. A pure function of
 * the lead snapshots and the executives' loads at `now`, and the director's mail about it.
 */
import type { LeadView } from '../../domain/lead-view';
import type { Stage } from '../../domain/lead';
import type { ExecutiveLoad } from '../../integrations/ledger/routing';
import type { RenderedMail } from '../../presentation/emails/templates';
import { STAGE_LABELS } from '../../api/web/labels';
import { ACTIVE_LEAD_STAGES, percentile } from './kpis';

export interface BottleneckThresholds {
  /** Leads in the cadence (stage contacting) one executive can carry without a reply before it is a backlog. */
  noReplyBacklogPerExecutive: number;
  /** Days a lead may stay in a stage before it counts as sitting there too long; stages left out are not judged. */
  dwellDays: Partial<Record<Stage, number>>;
  /** Hours past due before a next step counts as overdue: a call due this morning is today's work, not a jam. */
  overdueGraceHours: number;
}

export const defaultBottleneckThresholds: BottleneckThresholds = {
  noReplyBacklogPerExecutive: 30,
  overdueGraceHours: 24,
  dwellDays: { contacting: 10, engaged: 7, proposal: 7, closing: 10 },
};

export interface OverdueLead {
  leadId: string;
  name: string;
  /** null: nobody owns the lead. */
  owner: string | null;
  stage: Stage;
  dueAt: string;
  action: string;
}

export interface Bottlenecks {
  at: string;
  /**
   * Per executive (owner email, or '' for unassigned), most first: leads in follow-up (stage
   * contacting) with no reply or proposal yet, and whether that is over the threshold (`limit`).
   * Unassigned leads are never "over": they are counted in `waitingForOwner`.
   */
  noReply: { owner: string; count: number; over: boolean; limit: number }[];
  /**
   * Open leads (new..closing), not paused, whose next step's `dueAt` is before `now`: their number,
   * per owner ('' for unassigned) and per stage, plus the 20 most overdue leads, oldest due first.
   */
  overdue: { total: number; byOwner: Record<string, number>; byStage: Record<string, number>; worst: OverdueLead[] };
  /** Executives with more active leads than their cap (at the cap is not over). */
  overCap: { email: string; name: string; active: number; cap: number }[];
  /**
   * Per judged stage, in funnel order: leads in it (paused ones left out, as the stall clock leaves
   * them out), those whose dwell (now − stageSince) exceeds the stage's threshold, the median dwell in
   * days (nearest rank), and the leads over the threshold per owner ('' for unassigned).
   */
  dwell: { stage: Stage; over: number; total: number; medianDays: number | null; byOwner: Record<string, number>; limitDays: number }[];
  /** Leads in the routing queue: everyone who could take them is at their cap or away. */
  waitingForOwner: number;
  /** True when anything above needs the director. */
  any: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const WORST_OVERDUE = 20;

const increment = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const leadName = (v: Pick<LeadView, 'firstName' | 'lastName'>) => `${v.firstName} ${v.lastName}`.trim();

export function findBottlenecks({ views, loads, waitingForOwner, now, thresholds = defaultBottleneckThresholds }: {
  views: LeadView[];
  loads: ExecutiveLoad[];
  waitingForOwner: number;
  now: Date;
  thresholds?: BottleneckThresholds;
}): Bottlenecks {
  const nowMs = now.getTime();

  const backlog: Record<string, number> = {};
  for (const v of views) if (v.stage === 'contacting') increment(backlog, v.owner ?? '');
  const noReply = Object.entries(backlog)
    .map(([owner, count]) => ({ owner, count, over: owner !== '' && count > thresholds.noReplyBacklogPerExecutive, limit: thresholds.noReplyBacklogPerExecutive }))
    .sort((a, b) => b.count - a.count || a.owner.localeCompare(b.owner));

  const late = views
    .filter((v) => ACTIVE_LEAD_STAGES.includes(v.stage) && !v.paused && v.nextStep !== null && Date.parse(v.nextStep.dueAt) < nowMs - thresholds.overdueGraceHours * 3_600_000)
    .sort((a, b) => Date.parse(a.nextStep!.dueAt) - Date.parse(b.nextStep!.dueAt) || a.leadId.localeCompare(b.leadId));
  const overdue: Bottlenecks['overdue'] = { total: late.length, byOwner: {}, byStage: {}, worst: [] };
  for (const v of late) {
    increment(overdue.byOwner, v.owner ?? '');
    increment(overdue.byStage, v.stage);
  }
  overdue.worst = late.slice(0, WORST_OVERDUE).map((v) => ({
    leadId: v.leadId, name: leadName(v), owner: v.owner, stage: v.stage, dueAt: v.nextStep!.dueAt, action: v.nextStep!.action,
  }));

  const overCap = loads
    .filter((l) => l.active > l.cap)
    .map(({ email, name, active, cap }) => ({ email, name, active, cap }))
    .sort((a, b) => b.active - b.cap - (a.active - a.cap) || a.name.localeCompare(b.name));

  const judged = ACTIVE_LEAD_STAGES.filter((s) => thresholds.dwellDays[s] !== undefined);
  const dwell = judged.map((stage) => {
    const limit = thresholds.dwellDays[stage]!;
    const inStage = views.filter((v) => v.stage === stage && !v.paused);
    const days = inStage.map((v) => (nowMs - Date.parse(v.stageSince)) / DAY_MS);
    const byOwner: Record<string, number> = {};
    inStage.forEach((v, i) => {
      if (days[i]! > limit) increment(byOwner, v.owner ?? '');
    });
    return { stage, over: days.filter((d) => d > limit).length, total: inStage.length, medianDays: percentile(days, 50), byOwner, limitDays: limit };
  });

  const any = overdue.total > 0 || noReply.some((r) => r.over) || overCap.length > 0 || dwell.some((d) => d.over > 0) || waitingForOwner > 0;
  return { at: now.toISOString(), noReply, overdue, overCap, dwell, waitingForOwner, any };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const number1 = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });

/** "1 lead vencido", "12 leads vencidos". */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

type Cell = string | number;

function table(headers: string[], rows: Cell[][]): { html: string; text: string } {
  const th = 'style="text-align:left;padding:4px 8px;border-bottom:2px solid #ccc;background:#f4f6f8"';
  const td = 'style="padding:4px 8px;border-bottom:1px solid #eee"';
  const html =
    '<table style="border-collapse:collapse;font-size:14px;margin:8px 0 16px">' +
    `<tr>${headers.map((h) => `<th ${th}>${escapeHtml(h)}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map((c) => `<td ${td}>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('') +
    '</table>';
  const text = rows.map((r) => `- ${r.map(String).join(' · ')}`).join('\n');
  return { html, text };
}

/**
 * The director's mail about today's bottlenecks (always Spanish): a subject that says what is wrong,
 * then tables per executive and per stage, and the most overdue leads. `names` turns executive emails
 * into names; dates are shown in `timeZone` (the company's).
 */
export function renderBottleneckMail({ bottlenecks: b, dashboardUrl, names = {}, timeZone = 'America/El_Salvador' }: {
  bottlenecks: Bottlenecks;
  dashboardUrl: string;
  names?: Record<string, string>;
  timeZone?: string;
}): RenderedMail {
  const who = (owner: string | null) => (owner ? (names[owner] ?? owner) : 'Sin asignar');
  const day = (iso: string) => new Intl.DateTimeFormat('es', { day: 'numeric', month: 'short', timeZone }).format(new Date(iso)).replace('.', '');
  const nowMs = Date.parse(b.at);

  const noReplyOver = b.noReply.filter((r) => r.over);
  const dwellOver = b.dwell.reduce((n, d) => n + d.over, 0);
  const headline = [
    b.overdue.total > 0 ? count(b.overdue.total, 'lead vencido', 'leads vencidos') : null,
    b.overCap.length > 0 ? `${count(b.overCap.length, 'ejecutiva', 'ejecutivas')} sobre su tope` : null,
    b.waitingForOwner > 0 ? `${count(b.waitingForOwner, 'lead', 'leads')} sin ejecutiva` : null,
    noReplyOver.length > 0 ? `${count(noReplyOver.length, 'ejecutiva', 'ejecutivas')} con demasiados leads sin respuesta` : null,
    dwellOver > 0 ? `${count(dwellOver, 'lead', 'leads')} demasiado tiempo en su etapa` : null,
  ].filter((s): s is string => s !== null);
  const subject = `Cuellos de botella · ${day(b.at)}: ${headline.length > 0 ? headline.join(', ') : 'sin alertas'}`;

  const sections: { title: string; intro?: string; table?: { html: string; text: string } }[] = [];

  // Per executive: everything that concerns one person on one row.
  const owners = new Set<string>([
    ...b.noReply.map((r) => r.owner),
    ...Object.keys(b.overdue.byOwner),
    ...b.overCap.map((o) => o.email),
    ...b.dwell.flatMap((d) => Object.keys(d.byOwner)),
  ]);
  const overCapOf = new Map(b.overCap.map((o) => [o.email, o]));
  const ownerRows = [...owners]
    .sort((a, c) => (a === '' ? 1 : c === '' ? -1 : who(a).localeCompare(who(c))))
    .map((owner) => {
      const backlog = b.noReply.find((r) => r.owner === owner);
      const cap = overCapOf.get(owner);
      return [
        who(owner),
        b.overdue.byOwner[owner] ?? 0,
        backlog ? `${backlog.count}${backlog.over ? ' ⚠' : ''}` : 0,
        cap ? `${cap.active} / ${cap.cap} ⚠` : '—',
        b.dwell.reduce((n, d) => n + (d.byOwner[owner] ?? 0), 0),
      ];
    });
  if (ownerRows.length > 0) {
    sections.push({
      title: 'Por ejecutiva',
      intro: 'Sin respuesta: leads en contacto que aún no respondieron (⚠ por encima del límite). Tope: solo si lo supera.',
      table: table(['Ejecutiva', 'Próximos pasos vencidos', 'Sin respuesta', 'Activos / tope', 'Demasiado tiempo en la etapa'], ownerRows),
    });
  }

  const stageRows = b.dwell.map((d) => [
    STAGE_LABELS[d.stage],
    b.overdue.byStage[d.stage] ?? 0,
    `${d.over} de ${d.total} (más de ${number1.format(d.limitDays)} días)`,
    d.medianDays === null ? '—' : `${number1.format(d.medianDays)} días`,
  ]);
  const otherOverdue = Object.entries(b.overdue.byStage).filter(([stage]) => !b.dwell.some((d) => d.stage === stage));
  for (const [stage, n] of otherOverdue) stageRows.push([STAGE_LABELS[stage as Stage] ?? stage, n, '—', '—']);
  if (stageRows.length > 0) {
    sections.push({
      title: 'Por etapa',
      intro: 'Demasiado tiempo: leads que llevan en la etapa más días que el límite de esa etapa.',
      table: table(['Etapa', 'Próximos pasos vencidos', 'Demasiado tiempo', 'Permanencia mediana'], stageRows),
    });
  }

  if (b.overdue.worst.length > 0) {
    sections.push({
      title: 'Próximos pasos más atrasados',
      table: table(
        ['Lead', 'Ejecutiva', 'Etapa', 'Próximo paso', 'Vencía', 'Atraso'],
        b.overdue.worst.map((w) => [
          w.name, who(w.owner), STAGE_LABELS[w.stage], w.action, day(w.dueAt),
          `${number1.format(Math.max(0, (nowMs - Date.parse(w.dueAt)) / DAY_MS))} días`,
        ]),
      ),
    });
  }

  const summary = [
    `Próximos pasos vencidos: ${b.overdue.total}.`,
    b.overCap.length > 0
      ? `Sobre su tope: ${b.overCap.map((o) => `${who(o.email)} (${o.active} de ${o.cap})`).join(', ')}.`
      : 'Ninguna ejecutiva supera su tope.',
    b.waitingForOwner > 0
      ? `${count(b.waitingForOwner, 'lead espera', 'leads esperan')} en la cola a que se libere capacidad.`
      : 'Ningún lead espera ejecutiva.',
  ];

  const text = [
    subject,
    summary.join('\n'),
    ...sections.map((s) => [s.title.toUpperCase(), s.intro, s.table?.text].filter(Boolean).join('\n')),
    `Ver el panel: ${dashboardUrl}`,
  ].join('\n\n');
  const html =
    '<!doctype html><html lang="es"><body style="font-family:Arial,Helvetica,sans-serif;color:#222">' +
    `<h2 style="font-size:18px">${escapeHtml(subject)}</h2>` +
    summary.map((l) => `<p style="margin:4px 0">${escapeHtml(l)}</p>`).join('') +
    sections.map((s) =>
      `<h3 style="font-size:16px;margin-top:20px">${escapeHtml(s.title)}</h3>` +
      (s.intro ? `<p style="font-size:12px;color:#666;margin:4px 0">${escapeHtml(s.intro)}</p>` : '') +
      (s.table?.html ?? '')).join('') +
    `<p><a href="${escapeHtml(dashboardUrl)}">Ver el panel</a></p></body></html>`;
  return { subject, text, html };
}
