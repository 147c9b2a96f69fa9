import type { ImportResult, ImportRowStatus, PendingImport } from '../../../services/lead-import';
import { html } from '../../../lib/html';
import { csrfField, page, type PageContext } from './layout';

const STATUS_LABELS: Record<ImportRowStatus, string> = {
  created: 'Inscrito como lead nuevo',
  existing: 'Ya existía: se le avisó al lead existente',
  opted_out: 'Pidió la baja: no se inscribe',
  returned: 'Volvió: nuevo seguimiento para este curso',
  already_imported: 'Ya importado antes: sin cambios',
  invalid: 'Con errores: no se inscribe',
};

export function uploadPage(ctx: PageContext, { error }: { error?: string } = {}): string {
  return page(ctx, 'Importar leads', html`
<h1>Importar leads</h1>
<form class="card" method="post" action="/importar" enctype="multipart/form-data" style="max-width:560px">
  ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
  ${csrfField(ctx)}
  <label for="file">Archivo CSV o Excel (.xlsx)</label>
  <input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
  <p class="small muted">Columnas obligatorias: nombre, apellido, correo, país, perfil (b2b/b2c), código del curso y curso.
    Opcionales: teléfono, empresa, cargo, linkedin, origen, urgencia, idioma, beneficio, inicio del curso.
    Primero verás una vista previa; nada se inscribe hasta que confirmes.</p>
  <div class="buttons"><button class="primary" type="submit">Ver vista previa</button></div>
</form>`);
}

export function previewPage(ctx: PageContext, pending: PendingImport): string {
  const valid = pending.rows.filter((r) => r.input).length;
  const invalid = pending.rows.length - valid;
  return page(ctx, 'Vista previa', html`
<h1>Vista previa: ${pending.fileName}</h1>
<p><span class="badge ok">${valid} filas válidas</span> <span class="badge ${invalid ? 'bad' : ''}">${invalid} con errores</span></p>
<div class="table-wrap"><table class="responsive">
<thead><tr><th>Fila</th><th>Lead</th><th>Curso</th><th>Validación</th></tr></thead>
<tbody>${pending.rows.map((r) => html`<tr class="${r.input ? 'valid' : 'invalid'}">
  <td>${r.row}</td>
  <td>${r.input ? `${r.input.firstName} ${r.input.lastName}` : Object.values(r.raw).slice(0, 2).join(' ')}<br><span class="small muted">${r.input?.email ?? Object.values(r.raw).find((v) => v.includes('@')) ?? ''}</span></td>
  <td>${r.input?.course.name ?? ''}</td>
  <td>${r.errors.length ? html`<ul class="errors">${r.errors.map((e) => html`<li>${e}</li>`)}</ul>` : html`<span class="badge ok">OK</span>`}</td>
</tr>`)}</tbody></table></div>
<form method="post" action="/importar/${pending.id}" class="buttons">
  ${csrfField(ctx)}
  ${valid > 0 ? html`<button class="primary" type="submit">Inscribir ${valid} ${valid === 1 ? 'lead válido' : 'leads válidos'}</button>` : html`<p>No hay filas válidas que inscribir.</p>`}
  <a class="button" href="/importar">Subir otro archivo</a>
</form>`);
}

export function resultPage(ctx: PageContext, { pending, result }: { pending: PendingImport; result: ImportResult }): string {
  return page(ctx, 'Importación terminada', html`
<h1>Importación terminada: ${pending.fileName}</h1>
<div class="card"><ul class="summary">${(Object.keys(STATUS_LABELS) as ImportRowStatus[]).map((s) => html`<li data-status="${s}"><strong>${result.summary[s]}</strong> · ${STATUS_LABELS[s]}</li>`)}</ul></div>
<div class="table-wrap"><table class="responsive"><thead><tr><th>Fila</th><th>Resultado</th></tr></thead>
<tbody>${result.rows.map((r) => html`<tr><td>${r.row}</td><td>${r.leadId ? html`<a href="/leads/${r.leadId}">${STATUS_LABELS[r.status]}</a>` : STATUS_LABELS[r.status]}
  ${r.errors?.length ? html`<ul class="errors">${r.errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}</td></tr>`)}</tbody></table></div>
<p class="buttons"><a class="button" href="/importar">Importar otro archivo</a> <a class="button" href="/leads">Ver leads</a></p>`);
}
