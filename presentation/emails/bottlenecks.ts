import type { RenderedMail } from '../../domain/emails';
import type { Stage } from '../../domain/lead';
import { DAY_MS } from '../../domain/policy';
import { STAGE_LABELS } from '../../domain/texts';
import { html, type Html } from '../../lib/html';
import type { Bottlenecks } from '../../services/analytics/bottlenecks';

const number1 = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });

/** "1 lead vencido", "12 leads vencidos". */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

type Cell = string | number;

function table(headers: string[], rows: Cell[][]): { html: Html; text: string } {
  const th = 'text-align:left;padding:4px 8px;border-bottom:2px solid #ccc;background:#f4f6f8';
  const td = 'padding:4px 8px;border-bottom:1px solid #eee';
  const head = html`<tr>${headers.map((h) => html`<th style="${th}">${h}</th>`)}</tr>`;
  const body = rows.map((r) => html`<tr>${r.map((c) => html`<td style="${td}">${c}</td>`)}</tr>`);
  const text = rows.map((r) => `- ${r.map(String).join(' · ')}`).join('\n');
  return { html: html`<table style="border-collapse:collapse;font-size:14px;margin:8px 0 16px">${head}${body}</table>`, text };
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

  const sections: { title: string; intro?: string; table?: { html: Html; text: string } }[] = [];

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
  const body = [
    html`<h2 style="font-size:18px">${subject}</h2>`,
    summary.map((l) => html`<p style="margin:4px 0">${l}</p>`),
    sections.map((s) => [
      html`<h3 style="font-size:16px;margin-top:20px">${s.title}</h3>`,
      s.intro && html`<p style="font-size:12px;color:#666;margin:4px 0">${s.intro}</p>`,
      s.table?.html,
    ]),
    html`<p><a href="${dashboardUrl}">Ver el panel</a></p>`,
  ];
  return { subject, text, html: html`<!doctype html><html lang="es"><body style="font-family:Arial,Helvetica,sans-serif;color:#222">${body}</body></html>`.value };
}
