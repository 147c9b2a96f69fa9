import { barChartSvg, funnelChartSvg } from '../../../presentation/charts';
import type { DirectorNumbers } from '../../../services/analytics/director';
import { CHANNELS, formatChange, formatFigure, funnelSteps, funnelTitle, KPI_ROWS } from '../../../presentation/kpi-rows';
import { COUNTRIES } from '../../../domain/lead';
import { html, Html } from '../../../lib/html';
import { CHANNEL_LABELS, COUNTRY_NAMES, STAGE_LABELS } from '../../../domain/texts';
import { page, type PageContext } from './layout';
import { badges, nextStepLine } from './lead-parts';

export interface DashboardFilters { from: string; to: string; owner?: string; country?: string; course?: string }

const svg = (markup: string) => new Html(`<div class="chart">${markup}</div>`);
const check = (met: boolean | null) => (met === null ? '—' : met ? '✓' : '✗');

export function dashboardPage(ctx: PageContext, { numbers, filters, executives, courses, csvUrl }: {
  numbers: DirectorNumbers; filters: DashboardFilters; executives: { email: string; name: string }[] | null; courses: { code: string; name: string }[]; csvUrl: string;
}): string {
  const { report, previous, bottlenecks, suggestions, needSupport, names } = numbers;
  const f = report.overall;
  const name = (email: string) => names[email] ?? email;
  return page(ctx, 'Panel', html`
<h1>Panel de seguimiento</h1>
<form class="card filters" method="get" action="/panel">
  <div><label for="from">Desde</label><input id="from" name="from" type="date" value="${filters.from}"></div>
  <div><label for="to">Hasta (incluido)</label><input id="to" name="to" type="date" value="${filters.to}"></div>
  ${executives ? html`<div><label for="owner">Ejecutiva</label><select id="owner" name="owner"><option value="">Todas</option>
    ${executives.map((e) => html`<option value="${e.email}" ${filters.owner === e.email ? 'selected' : ''}>${e.name}</option>`)}</select></div>` : ''}
  <div><label for="country">País</label><select id="country" name="country"><option value="">Todos</option>
    ${COUNTRIES.map((c) => html`<option value="${c}" ${filters.country === c ? 'selected' : ''}>${COUNTRY_NAMES[c]}</option>`)}</select></div>
  <div><label for="course">Curso</label><select id="course" name="course"><option value="">Todos</option>
    ${courses.map((c) => html`<option value="${c.code}" ${filters.course === c.code ? 'selected' : ''}>${c.name}</option>`)}</select></div>
  <div class="buttons"><button class="primary" type="submit">Ver</button><a class="button" href="${csvUrl}">Exportar CSV</a></div>
</form>

${suggestions.length ? html`<div class="card"><h2>Sugerencias</h2><ul class="suggestions">${suggestions.map((s) => html`<li>${s}</li>`)}</ul></div>` : ''}

<div class="grid2">
<section class="card">
  <h2>Indicadores</h2>
  <div class="table-wrap"><table id="kpis"><thead><tr><th>Indicador</th><th>Periodo</th><th>Anterior</th><th>Cambio</th></tr></thead>
  <tbody>${KPI_ROWS.map((row) => {
    const now = row.pick(f);
    const before = row.pick(previous.overall);
    const delta = formatChange(now, before);
    const up = delta.startsWith('▲') ? 'up' : delta.startsWith('▼') ? 'down' : null;
    const tone = up && row.better ? (up === row.better ? 'badge ok' : 'badge bad') : '';
    return html`<tr data-kpi="${row.key}"><td>${row.label}</td><td><strong>${formatFigure(now, row.kind)}</strong></td><td class="muted">${formatFigure(before, row.kind)}</td><td><span class="${tone}">${delta}</span></td></tr>`;
  })}</tbody></table></div>
</section>
<section>
  ${svg(funnelChartSvg({ title: funnelTitle(report.funnel, 'del periodo'), steps: funnelSteps(report.funnel), width: 420 }))}
  ${svg(barChartSvg({ title: 'Tasa de contacto efectiva por canal', unit: '%', width: 420, bars: CHANNELS.map((ch) => ({
    label: CHANNEL_LABELS[ch], value: f.contactRatePercent[ch] ?? 0, previous: previous.overall.contactRatePercent[ch] ?? 0,
  })) }))}
</section>
</div>

<h2>Por ejecutiva</h2>
<div class="table-wrap"><table class="responsive" id="executives"><thead><tr><th>Ejecutiva</th><th>Asignados</th><th>Primeros contactos (meta)</th><th>Reactivados (meta)</th><th>Próximo paso (meta)</th><th>Activos / tope</th><th>Contacto llamada</th></tr></thead>
<tbody>${Object.entries(report.byExecutive).map(([email, x]) => {
  const a = report.activity[email];
  return html`<tr data-executive="${email}"><td>${name(email)}</td><td>${x.assignments}</td>
    <td>${a ? html`${a.newLeadsContacted} / ${formatFigure(a.goals.newLeadsContacted, 'number')} ${check(a.met.newLeadsContacted)}` : '—'}</td>
    <td>${a ? html`${a.reactivated} / ${formatFigure(a.goals.reactivated, 'number')} ${check(a.met.reactivated)}` : '—'}</td>
    <td>${a ? html`${formatFigure(a.nextStepPercent, 'percent')} / ${a.goals.nextStepPercent} % ${check(a.met.nextStepPercent)}` : '—'}</td>
    <td>${formatFigure(x.activeLeadsPerExecutive, 'number')} / ${formatFigure(x.cap, 'count')}</td><td>${formatFigure(x.contactRatePercent.call, 'percent')}</td></tr>`;
})}</tbody></table></div>

<div class="grid2">
<section>
  ${svg(barChartSvg({ title: 'Primer contacto promedio por país (h)', unit: 'h', width: 520, bars: Object.entries(report.byCountry).map(([c, x]) => ({ label: COUNTRY_NAMES[c as keyof typeof COUNTRY_NAMES] ?? c, value: x.firstContactAvgHours ?? 0 })) }))}
</section>
<section>
  ${svg(barChartSvg({ title: 'Leads activos frente al tope', width: 420, bars: Object.entries(report.byExecutive).map(([email, x]) => ({ label: name(email), value: x.capUsagePercent ?? 0 })), unit: '%' }))}
</section>
</div>

<h2>Cuellos de botella hoy</h2>
<div class="card" id="bottlenecks">
  <p>${Object.values(bottlenecks.overdue.byOwner).reduce((a, b) => a + b, 0)} leads con el próximo paso vencido ·
     ${bottlenecks.overCap.length} ejecutivas sobre su tope · ${bottlenecks.waitingForOwner} leads esperando ejecutiva</p>
  ${bottlenecks.overCap.length ? html`<p>Sobre el tope: ${bottlenecks.overCap.map((o) => `${o.name} (${o.active}/${o.cap})`).join(', ')}</p>` : ''}
  ${bottlenecks.dwell.filter((d) => d.over > 0).length ? html`<p>Etapas con demasiada permanencia: ${bottlenecks.dwell.filter((d) => d.over > 0).map((d) => `${STAGE_LABELS[d.stage]} ${d.over}/${d.total}`).join(' · ')}</p>` : ''}
  ${bottlenecks.noReply.filter((n) => n.over).length ? html`<p>Seguimiento sin respuesta por encima del umbral: ${bottlenecks.noReply.filter((n) => n.over).map((n) => `${name(n.owner) || 'sin asignar'} (${n.count})`).join(', ')}</p>` : ''}
</div>

<h2>Leads que necesitan apoyo</h2>
<div class="table-wrap"><table class="responsive"><thead><tr><th>Lead</th><th>Responsable</th><th>Estado</th><th>Próximo paso</th></tr></thead>
<tbody>${needSupport.map((l) => html`<tr><td><a href="/leads/${l.leadId}">${l.firstName} ${l.lastName}</a></td><td>${l.owner ? name(l.owner) : 'sin asignar'}</td><td>${badges(l)}</td><td class="small">${nextStepLine(l)}</td></tr>`)}
${needSupport.length === 0 ? html`<tr><td colspan="4" class="muted">Nada que requiera apoyo.</td></tr>` : ''}</tbody></table></div>`);
}
