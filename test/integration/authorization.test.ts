import type { Express } from 'express';
import request from 'supertest';
import { CALLERS, ROUTE_ACCESS, type Caller, type RouteKey } from '../../api/access';
import { webFormSignature } from '../../api/web-form';
import { SESSION_COOKIE } from '../../api/web/guard';
import { Sessions } from '../../api/web/sessions';
import type { User } from '../../domain/accounts';
import { unsubscribeToken } from '../../lib/unsubscribe-token';
import { aLead } from '../support/leads';
import { API_KEY, SECRETS, startStack, type Stack } from '../support/stack';
import { anAccount, PASSWORD } from '../support/web';

/**
 * The authorisation matrix, generated from the route table (api/access.ts): every route of the app
 * must have a line there, and every caller is tried on every route. Exactly the callers the table
 * names get past the door; everyone else is turned away with 401/403 (or, for a page, sent to log in).
 */
let stack: Stack;
let people: Record<'executive' | 'closer' | 'director' | 'otherExecutive' | 'otherCloser' | 'target' | 'signsIn', User>;
let leadId: string;

const api = () => ({
  post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
});

beforeAll(async () => {
  stack = await startStack();
  const [executive, closer, director, otherExecutive, otherCloser, target, signsIn] = await Promise.all([
    anAccount(stack.ledger, 'executive'), anAccount(stack.ledger, 'closer'), anAccount(stack.ledger, 'director'),
    anAccount(stack.ledger, 'executive'), anAccount(stack.ledger, 'closer'), anAccount(stack.ledger, 'executive'), anAccount(stack.ledger, 'executive'),
  ]);
  // `target` is the account the director's account routes act on; `signsIn` is who the login probe uses.
  people = { executive, closer, director, otherExecutive, otherCloser, target, signsIn };
  // One lead owned by `executive` and handed to `closer`: the lead routes are tried on it.
  ({ body: { leadId } } = await api().post('/api/leads', aLead()).expect(201));
  await api().post(`/api/leads/${leadId}/commands`, { type: 'reassign', owner: executive.email }).expect(200);
  await api().post(`/api/leads/${leadId}/outcomes`, { type: 'proposal_requested', by: executive.email }).expect(200);
  await api().post(`/api/leads/${leadId}/outcomes`, { type: 'handed_to_closer', closer: closer.email, by: executive.email }).expect(200);
}, 180_000);
afterAll(() => stack?.stop());

/** Every `METHOD /path` the app answers, found by walking Express's router stack (mounted routers too). */
function routesOf(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; rawPath?: string };
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/(.)\/$/, '$1');
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, `${prefix}${layer.rawPath === '/' || !layer.rawPath ? '' : layer.rawPath}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

test('every route of the app has a line in the route table, and every line a route', () => {
  const routes = routesOf(stack.app);
  expect(routes.length).toBeGreaterThan(30);
  expect(routes.filter((r) => !(r in ROUTE_ACCESS))).toEqual([]);
  expect(Object.keys(ROUTE_ACCESS).filter((r) => !routes.includes(r))).toEqual([]);
});

/** The request `caller` makes: its own credentials, a body that does no harm, the path filled in. */
async function knock(route: RouteKey, caller: Caller, as: User | null = null) {
  const [method, pattern] = route.split(' ') as ['GET' | 'POST' | 'PUT', string];
  const path = pattern
    .replace(':leadId', leadId)
    .replace(':token', unsubscribeToken({ leadId, secret: SECRETS.unsubscribe }))
    .replace(':importId', '00000000-0000-4000-8000-000000000000')
    .replace(':id', String(people.target.id))
    .replace(':code', 'DS-101');
  let req = method === 'GET' ? request(stack.app).get(path) : method === 'PUT' ? request(stack.app).put(path) : request(stack.app).post(path);
  const machine = pattern.startsWith('/api/') || pattern.startsWith('/webhooks/');
  // The most a caller could ask (reassign, the closer's forbidden command) to an owner that does not
  // exist, so the web app refuses it after the door; machines get a type that exists nowhere.
  const body: Record<string, string> = machine ? { type: 'no-such-type' } : { type: 'reassign', owner: 'nadie@example.invalid' };
  const cookies: string[] = [];
  const person = as ?? (caller === 'executive' || caller === 'closer' || caller === 'director' ? people[caller] : null);
  if (person) {
    // A fresh session each time: a knock on /logout must not log the next one out.
    const sessions = new Sessions(stack.ledger.pool, { current: SECRETS.session });
    const token = await sessions.create({ userId: person.id });
    cookies.push(`${SESSION_COOKIE}=${token}`);
    body._csrf = (await sessions.find(token))!.csrf;
  }
  if (route === 'POST /login') {
    // The login form's own double-submit token, and someone's right password: the door is the route.
    const preLogin = 'p'.repeat(32);
    cookies.push(`seg_login_csrf=${preLogin}`);
    Object.assign(body, { email: people.signsIn.email, password: PASSWORD, _csrf: preLogin });
  }
  if (cookies.length) req = req.set('Cookie', cookies.join('; '));
  if (caller === 'api-key') req = req.set('Authorization', `Bearer ${API_KEY}`);
  if (caller === 'zoho-webhook') req = req.set('X-Webhook-Secret', SECRETS.zohoWebhook);
  if (caller === 'inbound-email-webhook') req = req.set('X-Webhook-Secret', SECRETS.inboundEmailWebhook);
  if (method === 'GET') return req;
  if (!machine) return req.type('form').send(body);
  const raw = JSON.stringify(body);
  if (caller === 'web-form') {
    const timestamp = String(Math.floor(Date.now() / 1000));
    req = req.set('X-Timestamp', timestamp).set('X-Signature', webFormSignature({ secret: SECRETS.webForm, timestamp, rawBody: raw }));
  }
  return req.set('Content-Type', 'application/json').send(raw);
}

const turnedAway = (res: request.Response) =>
  res.status === 401 || res.status === 403 || (res.status === 303 && String(res.headers.location).startsWith('/login?next='));

const cases = (Object.entries(ROUTE_ACCESS) as [RouteKey, (typeof ROUTE_ACCESS)[RouteKey]][]).flatMap(([route, access]) =>
  access.callers === 'anyone' ? [] : CALLERS.map((caller) => [route, caller, (access.callers as readonly Caller[]).includes(caller)] as const));

test.each(cases)('%s as %s: let in = %s', async (route, caller, allowed) => {
  const res = await knock(route, caller);
  expect(res.status).toBeLessThan(500);
  expect({ route, caller, turnedAway: turnedAway(res), status: res.status }).toEqual({ route, caller, turnedAway: !allowed, status: res.status });
});

const publicRoutes = (Object.keys(ROUTE_ACCESS) as RouteKey[]).filter((r) => ROUTE_ACCESS[r].callers === 'anyone');

test.each(publicRoutes)('%s is public: no caller is turned away, and nobody gets a 5xx', async (route) => {
  for (const caller of CALLERS) {
    const res = await knock(route, caller);
    expect({ caller, turnedAway: turnedAway(res), serverError: res.status >= 500 }).toEqual({ caller, turnedAway: false, serverError: false });
  }
});

test('on a lead that is not theirs, an executive and a closer are turned away from every lead route', async () => {
  const leadRoutes = (Object.keys(ROUTE_ACCESS) as RouteKey[]).filter((r) => r.includes(':leadId') && !r.includes('/api/'));
  for (const route of leadRoutes) {
    expect([route, (await knock(route, 'executive', people.otherExecutive)).status]).toEqual([route, 403]);
    expect([route, (await knock(route, 'closer', people.otherCloser)).status]).toEqual([route, 403]);
  }
});

test('a closer records outcomes and corrects data on a lead handed to them, but cannot reassign it', async () => {
  const sessions = new Sessions(stack.ledger.pool, { current: SECRETS.session });
  const token = await sessions.create({ userId: people.closer.id });
  const csrf = (await sessions.find(token))!.csrf;
  const as = (path: string, body: object) => request(stack.app).post(path).set('Cookie', `${SESSION_COOKIE}=${token}`).type('form').send({ _csrf: csrf, ...body });
  await as(`/leads/${leadId}/outcome`, { type: 'contacted', note: 'Llamada con la gerencia' }).expect(303);
  await as(`/leads/${leadId}/command`, { type: 'update_lead', company: 'Andes Datos Holding' }).expect(303);
  const refused = await as(`/leads/${leadId}/command`, { type: 'reassign', owner: people.otherExecutive.email }).expect(403);
  expect(refused.text).toContain('reasignar');
  await as(`/leads/${leadId}/command`, { type: 'reactivate' }).expect(403);
  const { body: state } = await stack.api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200);
  expect(state.owner).toBe(people.executive.email);
  expect(state.lead.company).toBe('Andes Datos Holding');
  expect(state.outcomes.at(-1)).toMatchObject({ type: 'contacted', note: 'Llamada con la gerencia', by: people.closer.email });
});
