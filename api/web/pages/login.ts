import { html } from '../../../lib/html';
import { page } from './layout';

export function loginPage({ csrf, next, email = '', error }: { csrf: string; next: string; email?: string; error?: string }): string {
  return page({}, 'Entrar', html`
<h1>Entrar</h1>
<form class="card" method="post" action="/login" style="max-width:420px">
  ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="next" value="${next}">
  <label for="email">Correo</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <label for="password">Contraseña</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <div class="buttons"><button class="primary" type="submit">Entrar</button></div>
</form>`);
}
