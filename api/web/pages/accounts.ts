import { ROLES, type User } from '../../../domain/accounts';
import { ROLE_NAMES } from '../../../domain/texts';
import { html } from '../../../lib/html';
import { csrfField, fieldErrors, page, type PageContext } from './layout';

type Errors = Record<string, string[]>;

export function accountsPage(ctx: PageContext, { users, loads = {}, errors, values = {} }: { users: User[]; loads?: Record<string, number>; errors?: Errors; values?: Record<string, string> }): string {
  const executives = users.filter((u) => u.role === 'executive' && u.active);
  return page(ctx, 'Cuentas', html`
<h1>Cuentas</h1>
<h2>Reparto de leads</h2>
<p class="small muted">Cada ejecutiva recibe leads de sus grupos (sin grupos: el grupo «general»), siempre por debajo de su tope de leads activos; quien está ausente no recibe ninguno.</p>
<div class="table-wrap"><table class="responsive">
<thead><tr><th>Ejecutiva</th><th>Activos / tope</th><th>Grupos, tope y ausencia</th><th>Reasignar todos sus leads activos</th></tr></thead>
<tbody>${executives.map((u) => html`<tr data-executive="${u.email}">
  <td>${u.name}<br><span class="small muted">${u.email}</span></td>
  <td><span class="${(loads[u.email] ?? 0) >= u.cap ? 'badge bad' : 'badge'}">${loads[u.email] ?? 0} / ${u.cap}</span>${u.away ? html` <span class="badge warn">ausente</span>` : ''}</td>
  <td><form method="post" action="/cuentas/${u.id}/reparto">${csrfField(ctx)}
    <label for="pools-${u.id}">Grupos (separados por comas)</label><input id="pools-${u.id}" name="pools" value="${u.pools.join(', ')}">
    <label for="cap-${u.id}">Tope de leads activos</label><input id="cap-${u.id}" name="cap" type="number" min="0" max="10000" value="${u.cap}">
    <label><input type="checkbox" name="away" value="true" ${u.away ? 'checked' : ''} style="width:auto"> Ausente (vacaciones)</label>
    ${fieldErrors(errors, `${u.id}.pools`)}${fieldErrors(errors, `${u.id}.cap`)}
    <div class="buttons"><button type="submit">Guardar</button></div></form></td>
  <td><form method="post" action="/cuentas/${u.id}/reasignar">${csrfField(ctx)}
    <label for="to-${u.id}">A quién</label><select id="to-${u.id}" name="to">
      <option value="rules">Según las reglas y topes</option>
      ${executives.filter((o) => o.id !== u.id).map((o) => html`<option value="${o.email}">${o.name}</option>`)}</select>
    <div class="buttons"><button type="submit" class="danger">Reasignar</button></div></form></td>
</tr>`)}</tbody></table></div>
<h2>Personas</h2>
<div class="table-wrap"><table class="responsive">
<thead><tr><th>Nombre</th><th>Correo</th><th>Rol</th><th>Estado</th><th></th></tr></thead>
<tbody>${users.map((u) => html`<tr>
  <td>${u.name}</td><td>${u.email}</td><td>${ROLE_NAMES[u.role]}</td>
  <td>${u.active ? html`<span class="badge ok">activa</span>` : html`<span class="badge">desactivada</span>`}</td>
  <td>${u.id === ctx.user?.id ? '' : html`<form class="inline" method="post" action="/cuentas/${u.id}">${csrfField(ctx)}
    <input type="hidden" name="active" value="${u.active ? 'false' : 'true'}">
    <button type="submit" class="${u.active ? 'danger' : ''}">${u.active ? 'Desactivar' : 'Activar'}</button></form>`}</td>
</tr>`)}</tbody></table></div>
<h2>Nueva cuenta</h2>
<form class="card" method="post" action="/cuentas" style="max-width:520px">
  ${csrfField(ctx)}
  ${fieldErrors(errors, '')}
  <label for="name">Nombre</label><input id="name" name="name" required value="${values.name ?? ''}">${fieldErrors(errors, 'name')}
  <label for="email">Correo</label><input id="email" name="email" type="email" required value="${values.email ?? ''}">${fieldErrors(errors, 'email')}
  <label for="role">Rol</label>
  <select id="role" name="role">${ROLES.map((r) => html`<option value="${r}" ${values.role === r ? 'selected' : ''}>${ROLE_NAMES[r]}</option>`)}</select>${fieldErrors(errors, 'role')}
  <label for="password">Contraseña inicial (12 caracteres o más)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required>${fieldErrors(errors, 'password')}
  <div class="buttons"><button class="primary" type="submit">Crear cuenta</button></div>
</form>`);
}

export function myAccountPage(ctx: PageContext, { errors }: { errors?: Errors } = {}): string {
  const user = ctx.user!;
  return page(ctx, 'Mi cuenta', html`
<h1>Mi cuenta</h1>
<div class="card"><p><strong>${user.name}</strong> · ${user.email} · ${ROLE_NAMES[user.role]}</p></div>
<h2>Cambiar la contraseña</h2>
<form class="card" method="post" action="/cuenta" style="max-width:420px">
  ${csrfField(ctx)}
  <label for="current">Contraseña actual</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required>${fieldErrors(errors, 'current')}
  <label for="password">Contraseña nueva (12 caracteres o más)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required>${fieldErrors(errors, 'password')}
  <div class="buttons"><button class="primary" type="submit">Guardar</button></div>
</form>`);
}
