import { ROLE_NAMES, ROLES, type User } from '../../../domain/accounts';
import { html } from '../html';
import { csrfField, fieldErrors, page, type PageContext } from './layout';

type Errors = Record<string, string[]>;

export function accountsPage(ctx: PageContext, { users, errors, values = {} }: { users: User[]; errors?: Errors; values?: Record<string, string> }): string {
  return page(ctx, 'Cuentas', html`
<h1>Cuentas</h1>
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
