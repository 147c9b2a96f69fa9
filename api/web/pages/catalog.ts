import { html } from '../../../lib/html';
import type { CatalogEntry, UnknownCourse } from '../../../integrations/ledger/catalog';
import type { CatalogProblem } from '../../../services/course-catalog';
import { CATALOG_COLUMNS } from '../../../services/course-catalog';
import { csrfField, page, type PageContext } from './layout';

const MODALITY_LABELS: Record<string, string> = { online: 'En línea', presencial: 'Presencial', hibrido: 'Híbrido' };
const money = (amount: number, currency: string) => `${currency} ${new Intl.NumberFormat('es').format(amount)}`;

/**
 * The director's course catalog: every course and cohort the messages may speak of, the course codes
 * leads carry that it lacks, and the round trip through a spreadsheet (download, edit, upload).
 */
export function catalogPage(ctx: PageContext, { courses, unknown, problems }: { courses: CatalogEntry[]; unknown: UnknownCourse[]; problems?: CatalogProblem[] }): string {
  return page(ctx, 'Cursos', html`
<h1>Cursos y cohortes</h1>
<p class="muted">Los correos solo mencionan cupos, preventa o una próxima cohorte cuando este catálogo lo dice en el momento de enviar.</p>
${unknown.length ? html`<div class="card"><h2>Cursos sin ficha</h2>
  <p class="small muted">Leads con estos códigos no reciben ninguna urgencia hasta que el curso esté en el catálogo.</p>
  <ul class="unknown-courses">${unknown.map((u) => html`<li><strong>${u.code}</strong> · ${u.name} · ${u.leads} ${u.leads === 1 ? 'lead' : 'leads'}</li>`)}</ul></div>` : ''}
<div class="table-wrap"><table class="responsive catalog">
<thead><tr><th>Curso</th><th>Inicio</th><th>Modalidad</th><th>Precio</th><th>Preventa</th><th>Cupos</th></tr></thead>
<tbody>${courses.flatMap((c) => (c.cohorts.length ? c.cohorts : [null]).map((h, i) => html`<tr>
  <td>${i === 0 ? html`<strong>${c.code}</strong> ${c.name}${c.countries.length ? html`<br><span class="small muted">${c.countries.join(', ')}</span>` : ''}` : ''}</td>
  ${h ? html`<td>${h.startDate}</td><td>${MODALITY_LABELS[h.modality]}</td><td>${money(h.price, h.currency)}</td>
  <td>${h.earlyBirdDeadline && h.earlyBirdPrice !== undefined ? `${money(h.earlyBirdPrice, h.currency)} hasta el ${h.earlyBirdDeadline}` : '—'}</td>
  <td>${h.seats === undefined ? 'sin límite' : h.seatsTaken >= h.seats ? html`<span class="badge bad">Agotado</span>` : `${h.seats - h.seatsTaken} de ${h.seats}`}</td>`
    : html`<td colspan="5" class="muted">Sin cohortes programadas: los correos dirán que avisaremos cuando abra la próxima.</td>`}
</tr>`))}</tbody></table></div>
<form class="card" method="post" action="/cursos" enctype="multipart/form-data" style="max-width:640px">
  <h2>Actualizar el catálogo</h2>
  ${problems?.length ? html`<div class="flash error" role="alert">No se guardó nada: el archivo tiene ${problems.length} ${problems.length === 1 ? 'problema' : 'problemas'}.
    <ul class="errors">${problems.slice(0, 50).map((p) => html`<li>Línea ${p.line}: ${p.spanish}</li>`)}</ul></div>` : ''}
  ${csrfField(ctx)}
  <p class="small muted">Descarga el <a href="/cursos.csv">catálogo en CSV</a>, edítalo y súbelo: una fila por cohorte, con las columnas
    ${CATALOG_COLUMNS.join(', ')}. Cada curso del archivo se reemplaza con sus cohortes; los que no aparecen no cambian.</p>
  <label for="file">Archivo CSV</label>
  <input id="file" name="file" type="file" accept=".csv,text/csv" required>
  <div class="buttons"><button class="primary" type="submit">Subir catálogo</button></div>
</form>`);
}
