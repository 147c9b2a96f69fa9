import { COUNTRIES, STAGES } from '../../../domain/lead';
import type { LeadView } from '../../../domain/lead-view';
import type { LeadFilters } from '../../../integrations/ledger/lead-views';
import { html } from '../../../lib/html';
import { COUNTRY_NAMES, STAGE_LABELS } from '../../../domain/texts';
import { page, type PageContext } from './layout';
import { badges, nextStepLine } from './lead-parts';

export interface LeadsPageData {
  leads: LeadView[];
  total: number;
  filters: LeadFilters;
  page: number;
  pageSize: number;
  owners: string[] | null;
  courses: { code: string; name: string }[];
  now?: Date;
}

export function leadsPage(ctx: PageContext, { leads, total, filters, page: current, pageSize, owners, courses, now = new Date() }: LeadsPageData): string {
  const query = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== false && v !== '') params.set(k, v === true ? '1' : String(v));
    params.set('page', String(p));
    return `/leads?${params.toString()}`;
  };
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return page(ctx, 'Leads', html`
<h1>Leads <span class="muted small">${total}</span></h1>
<form class="card filters" method="get" action="/leads">
  <div><label for="q">Buscar</label><input id="q" name="q" type="search" placeholder="Nombre, correo o empresa" value="${filters.q ?? ''}"></div>
  <div><label for="stage">Etapa</label><select id="stage" name="stage"><option value="">Todas</option>
    ${STAGES.map((s) => html`<option value="${s}" ${filters.stage === s ? 'selected' : ''}>${STAGE_LABELS[s]}</option>`)}</select></div>
  ${owners ? html`<div><label for="owner">Responsable</label><select id="owner" name="owner"><option value="">Todos</option>
    <option value="-" ${filters.owner === '-' ? 'selected' : ''}>Sin asignar</option>
    ${owners.map((o) => html`<option value="${o}" ${filters.owner === o ? 'selected' : ''}>${o}</option>`)}</select></div>` : ''}
  <div><label for="country">País</label><select id="country" name="country"><option value="">Todos</option>
    ${COUNTRIES.map((c) => html`<option value="${c}" ${filters.country === c ? 'selected' : ''}>${COUNTRY_NAMES[c]}</option>`)}</select></div>
  <div><label for="course">Curso</label><select id="course" name="course"><option value="">Todos</option>
    ${courses.map((c) => html`<option value="${c.code}" ${filters.course === c.code ? 'selected' : ''}>${c.name}</option>`)}</select></div>
  <div><label><input type="checkbox" name="overdue" value="1" ${filters.overdue ? 'checked' : ''} style="width:auto"> Vencidos</label>
    <label><input type="checkbox" name="stalled" value="1" ${filters.stalled ? 'checked' : ''} style="width:auto"> Estancados</label></div>
  <div><button class="primary" type="submit">Filtrar</button></div>
</form>
<div class="table-wrap"><table class="responsive">
<thead><tr><th>Lead</th><th>Curso</th><th>País</th><th>Responsable</th><th>Estado</th><th>Próximo paso</th></tr></thead>
<tbody>
${leads.map((l) => html`<tr>
  <td><a href="/leads/${l.leadId}">${l.firstName} ${l.lastName}</a><br><span class="small muted">${l.email}${l.company ? ` · ${l.company}` : ''}</span></td>
  <td>${l.courseName}</td><td>${COUNTRY_NAMES[l.country]}</td><td>${l.owner ?? 'sin asignar'}</td>
  <td>${badges(l, now)}</td><td class="small">${nextStepLine(l, now)}</td>
</tr>`)}
${leads.length === 0 ? html`<tr><td colspan="6" class="muted">Ningún lead coincide con los filtros.</td></tr>` : ''}
</tbody></table></div>
<p class="buttons">${current > 1 ? html`<a class="button" href="${query(current - 1)}">Anterior</a>` : ''}
  <span class="muted">Página ${current} de ${pages}</span>
  ${current < pages ? html`<a class="button" href="${query(current + 1)}">Siguiente</a>` : ''}</p>`);
}
