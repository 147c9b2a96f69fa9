import { randomBytes } from 'node:crypto';
import type { User } from '../../../domain/accounts';
import type { Flash } from '../guard';
import { html, type Html } from '../../../lib/html';

export interface PageContext {
  user?: User;
  csrf?: string;
  flash?: Flash | null;
  /** The "Correo enviado" page exists only next to the local SMTP catcher. */
  sentMail?: boolean;
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}">`;
}

/**
 * A fresh key per rendered form that records something: it becomes the update's idempotency key, so
 * a double click or a browser resubmitting the form records once and shows the same answer.
 */
export function formKeyField(): Html {
  return html`<input type="hidden" name="idempotencyKey" value="${randomBytes(16).toString('base64url')}">`;
}

export function page(ctx: PageContext, title: string, body: Html): string {
  const user = ctx.user;
  const nav = user
    ? html`<a href="/mi-dia">Mi día</a><a href="/leads">Leads</a>${user.role !== 'closer' ? html`<a href="/panel">Panel</a><a href="/importar">Importar</a>` : ''}
        ${user.role === 'director' ? html`<a href="/cursos">Cursos</a><a href="/cuentas">Cuentas</a>` : ''}
        ${ctx.sentMail ? html`<a href="/correo-enviado">Correo enviado</a>` : ''}
        <span class="who">${user.name}</span>
        <a href="/cuenta">Mi cuenta</a>
        <form class="inline" method="post" action="/logout">${csrfField(ctx)}<button type="submit">Salir</button></form>`
    : '';
  return html`<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Seguimiento</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top"><strong>Seguimiento</strong>${nav}</header>
<main>
${ctx.flash ? html`<div class="flash ${ctx.flash.kind === 'error' ? 'error' : ''}" role="status">${ctx.flash.text}</div>` : ''}
${body}
</main>
</body>
</html>`.value;
}

/** Spanish messages under a field, from `spanishFieldErrors`. */
export function fieldErrors(errors: Record<string, string[]> | undefined, path: string): Html {
  const messages = errors?.[path];
  return messages?.length ? html`<ul class="errors">${messages.map((m) => html`<li>${m}</li>`)}</ul>` : html``;
}

export function errorPage(ctx: PageContext, title: string, message: string): string {
  return page(ctx, title, html`<h1>${title}</h1><div class="card"><p>${message}</p><p><a href="/mi-dia">Volver a Mi día</a></p></div>`);
}
