/**
 * Who may call what: one line per route of the app. test/integration/authorization.test.ts walks the
 * app's routes and fails on any route without a line here, then tries every caller on every route
 * and checks that exactly the callers named here get past the door. docs/security.md explains it.
 */

/** Everyone who can knock: the web app's three roles, the machine credentials, and nobody at all. */
export const CALLERS = [
  'nobody', 'executive', 'closer', 'director', 'api-key', 'web-form', 'zoho-webhook', 'inbound-email-webhook',
] as const;
export type Caller = (typeof CALLERS)[number];

export interface RouteAccess {
  /** Who gets past the door; `anyone` for public routes (a signed link is its own credential). */
  callers: readonly Caller[] | 'anyone';
  /** What else decides, beyond the door. */
  scope?: string;
}

const PEOPLE: readonly Caller[] = ['executive', 'closer', 'director'];
const OWN_LEADS = 'an executive their own leads, a closer those handed to them, the director all';

export const ROUTE_ACCESS = {
  'GET /healthz': { callers: 'anyone' },
  'GET /health/live': { callers: 'anyone' },
  'GET /health/ready': { callers: 'anyone', scope: 'says only whether Temporal and PostgreSQL answer' },
  'GET /api/docs': { callers: 'anyone' },
  'GET /static/app.css': { callers: 'anyone' },
  'GET /static/app.js': { callers: 'anyone' },
  'GET /login': { callers: 'anyone' },
  'POST /login': { callers: 'anyone', scope: 'rate-limited per account, address and device' },
  'GET /unsubscribe/:token': { callers: 'anyone', scope: 'the signed token; shows a page and changes nothing' },
  'POST /unsubscribe/:token': { callers: 'anyone', scope: 'the signed token opts out exactly its own lead' },

  'POST /webhooks/web-form': { callers: ['web-form'], scope: 'cannot set createdAt or another source' },
  'POST /webhooks/zoho': { callers: ['zoho-webhook'] },
  'POST /webhooks/inbound-email': { callers: ['inbound-email-webhook'] },

  'GET /api/leads': { callers: ['api-key'] },
  'POST /api/leads': { callers: ['api-key'] },
  'POST /api/leads/import': { callers: ['api-key'] },
  'GET /api/leads/:leadId': { callers: ['api-key'] },
  'POST /api/leads/:leadId/outcomes': { callers: ['api-key'] },
  'POST /api/leads/:leadId/commands': { callers: ['api-key'] },
  'POST /api/leads/:leadId/cadence': { callers: ['api-key'] },
  'GET /api/courses': { callers: ['api-key'] },
  'POST /api/courses/import': { callers: ['api-key'] },
  'GET /api/courses/:code': { callers: ['api-key'] },
  'PUT /api/courses/:code': { callers: ['api-key'] },

  'GET /': { callers: PEOPLE },
  'GET /mi-dia': { callers: PEOPLE, scope: OWN_LEADS },
  'GET /leads': { callers: PEOPLE, scope: OWN_LEADS },
  'GET /leads/:leadId': { callers: PEOPLE, scope: OWN_LEADS },
  'POST /leads/:leadId/outcome': { callers: PEOPLE, scope: OWN_LEADS },
  'POST /leads/:leadId/command': {
    callers: ['executive', 'director'],
    scope: `${OWN_LEADS}; a closer may pause, resume and correct data, never reassign or reactivate`,
  },
  'GET /panel': { callers: ['executive', 'director'], scope: 'an executive sees their own figures' },
  'GET /panel.csv': { callers: ['executive', 'director'], scope: 'an executive sees their own figures' },
  'GET /importar': { callers: ['executive', 'director'] },
  'POST /importar': { callers: ['executive', 'director'] },
  'POST /importar/:importId': { callers: ['executive', 'director'], scope: 'only the person who uploaded it' },
  'GET /cursos': { callers: ['director'] },
  'GET /cursos.csv': { callers: ['director'] },
  'POST /cursos': { callers: ['director'] },
  'GET /correo-enviado': { callers: PEOPLE, scope: 'development only (the local mail catcher)' },
  'GET /correo-enviado/:id': { callers: PEOPLE, scope: 'development only (the local mail catcher)' },
  'POST /logout': { callers: PEOPLE },
  'GET /cuenta': { callers: PEOPLE },
  'POST /cuenta': { callers: PEOPLE, scope: 'asks for the current password' },
  'GET /cuentas': { callers: ['director'] },
  'POST /cuentas': { callers: ['director'] },
  'POST /cuentas/:id': { callers: ['director'], scope: 'never their own account' },
  'POST /cuentas/:id/reparto': { callers: ['director'] },
  'POST /cuentas/:id/reasignar': { callers: ['director'] },
} as const satisfies Record<string, RouteAccess>;

export type RouteKey = keyof typeof ROUTE_ACCESS;
