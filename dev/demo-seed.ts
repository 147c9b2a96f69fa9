/**
 * `npm run demo:seed`: fills a running Seguimiento (`npm start`, ideally with LEAD_DAY_DURATION=10s)
 * with a demo team and a few minutes of their work, so the director's dashboard has real numbers.
 *
 * It goes only through the product's HTTP interfaces, as a real team would: the director signs in
 * to the web app and sets up the team under "Cuentas", leads arrive through `POST /api/leads`, and
 * the executives record outcomes through `POST /api/leads/:id/outcomes`. No database access: what
 * the dashboard shows is what the product itself made of that work.
 *
 * Options (environment): SEED_BASE_URL (default http://localhost:$PORT or :3000), SEED_LEADS (200),
 * SEED_MINUTES (2), SEED_ADMIN_EMAIL / SEED_ADMIN_PASSWORD (the dev director), API_KEY (the dev key),
 * SEED_RANDOM (PRNG seed, 42) and SEED_RUN_ID (goes into the leads' emails; default: the current time,
 * so every run adds fresh leads; repeat an earlier one to replay the same people).
 */
import pLimit from 'p-limit';
import type { LeadInput } from '../domain/lead';
import type { LeadState } from '../domain/lead-state';
import type { LostReason, OutcomeType } from '../domain/outcomes';
import { DAY_MS } from '../domain/policy';

// ---- options ------------------------------------------------------------------------------------

const env = (name: string) => process.env[name]?.trim() || undefined;

/** Read while the module loads, before main() can catch anything: a bad value exits here, in one line. */
function positiveNumber(name: string, fallback: number): number {
  const raw = env(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (Number.isFinite(value) && value > 0) return value;
  process.stderr.write(`demo:seed: ${name} must be a positive number (got "${raw}")\n`);
  process.exit(1);
}

const BASE_URL = (env('SEED_BASE_URL') ?? `http://localhost:${env('PORT') ?? 3000}`).replace(/\/+$/, '');
const ADMIN = { email: env('SEED_ADMIN_EMAIL') ?? 'admin@seguimiento.local', password: env('SEED_ADMIN_PASSWORD') ?? 'seguimiento-dev' };
const API_KEY = env('API_KEY') ?? 'dev-api-key-change-me';
const LEAD_COUNT = Math.round(positiveNumber('SEED_LEADS', 200));
const WORK_MS = positiveNumber('SEED_MINUTES', 2) * 60_000;
const RANDOM_SEED = Math.round(positiveNumber('SEED_RANDOM', 42));
const RUN_ID = (env('SEED_RUN_ID') ?? new Date().toISOString().slice(0, 19)).replace(/[^A-Za-z0-9]/g, '');
/** A modest number of requests in flight: the seed should look like a busy team, not a load test. */
const CONCURRENCY = 8;
const DEMO_PASSWORD = 'seguimiento-demo';

/** A problem the person running the seed must fix: one line, exit code 1. */
class SeedError extends Error {}
function fail(message: string): never {
  throw new SeedError(message);
}

// ---- the demo team --------------------------------------------------------------------------------

interface Member { name: string; email: string; role: 'executive' | 'closer'; pools?: string; cap?: number }

/**
 * Most serve the default pool "general". Two also serve "b2b": with the default routing (no
 * ROUTING_RULES, everything goes to "general") they still get leads, and with a b2b rule they take
 * the company leads. Valeria is new and has a low cap, so she is at her cap while leads pour in; after
 * the work she goes part-time and the director cuts her cap to half her load. Routing never puts anyone
 * over their cap; a cap lowered under someone's load does, and that is what "over cap" is for.
 */
const TEAM: Member[] = [
  { name: 'Lucía Fernández', email: 'lucia.fernandez@seguimiento.local', role: 'executive', pools: 'general', cap: 50 },
  { name: 'Mateo Gómez', email: 'mateo.gomez@seguimiento.local', role: 'executive', pools: 'general, b2b', cap: 50 },
  { name: 'Camila Rodríguez', email: 'camila.rodriguez@seguimiento.local', role: 'executive', pools: 'general', cap: 50 },
  { name: 'Santiago Herrera', email: 'santiago.herrera@seguimiento.local', role: 'executive', pools: 'b2b, general', cap: 45 },
  { name: 'Valeria Castillo', email: 'valeria.castillo@seguimiento.local', role: 'executive', pools: 'general', cap: 15 },
  { name: 'Andrés Morales', email: 'andres.morales@seguimiento.local', role: 'closer' },
];
const CLOSER = TEAM.find((m) => m.role === 'closer')!.email;
const PART_TIMER = 'valeria.castillo@seguimiento.local';

// ---- deterministic randomness -------------------------------------------------------------------

/** mulberry32: tiny and seedable, so the same SEED_RANDOM gives the same leads and the same work. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(RANDOM_SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
function weighted<T>(entries: readonly (readonly [T, number])[]): T {
  let roll = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of entries) if ((roll -= w) < 0) return value;
  return entries[entries.length - 1]![0];
}

// ---- HTTP ---------------------------------------------------------------------------------------

/** Every request; "connection refused" means the product is not running, which is worth one clear line. */
async function http(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${BASE_URL}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(60_000), ...init });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
      fail(`Seguimiento is not running at ${BASE_URL} (${code}): start it with \`npm start\` or set SEED_BASE_URL`);
    }
    throw err;
  }
}

/** At most CONCURRENCY requests at once, first come first served. */
const limited = pLimit(CONCURRENCY);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** How long the API took to answer (ms), newest last: a busy worker shows here first. */
const latencies: number[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * A JSON API call. A product too busy to answer in time (status 0) or failing (5xx) costs that one
 * request, not the whole seed: the caller counts it. A wrong key stops everything.
 */
async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; json: T & { message?: string } }> {
  return limited(async () => {
    const sent = Date.now();
    try {
      const res = await http(`/api${path}`, {
        method,
        headers: { Authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status === 401) fail(`The API refused the key (401): set API_KEY to the key \`npm start\` printed`);
      return { status: res.status, json: (await res.json().catch(() => ({}))) as T & { message?: string } };
    } catch (err) {
      if (err instanceof SeedError) throw err;
      return { status: 0, json: { message: `no answer (${(err as Error).name})` } as T & { message?: string } };
    } finally {
      latencies.push(Date.now() - sent);
    }
  });
}

// ---- the web app, as the director -----------------------------------------------------------------

/** A browser's worth of state: the cookies and the session's CSRF token every form must carry. */
class WebSession {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  async get(path: string): Promise<Response> {
    return this.keep(await http(path, { headers: { Cookie: this.cookieHeader() } }));
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.keep(await http(path, {
      method: 'POST',
      headers: { Cookie: this.cookieHeader(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
    }));
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const [name, value] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
      // The server clears a cookie (the flash message, once shown) with an empty value and Max-Age=0.
      if (!value || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

const csrfIn = (page: string) => /name="_csrf" value="([^"]*)"/.exec(page)?.[1] ?? '';

async function signIn(): Promise<WebSession> {
  const web = new WebSession();
  const form = await web.get('/login');
  if (form.status !== 200) fail(`GET ${BASE_URL}/login answered ${form.status}: is SEED_BASE_URL Seguimiento's web app?`);
  web.csrf = csrfIn(await form.text());
  const res = await web.post('/login', { email: ADMIN.email, password: ADMIN.password, next: '/cuentas' });
  if (res.status !== 303 || !web.cookie('seg_session')) {
    const why = res.status === 429 ? 'too many failed attempts, wait 15 minutes' : 'wrong email or password';
    fail(`Sign-in as ${ADMIN.email} failed (${res.status}: ${why}): set SEED_ADMIN_EMAIL and SEED_ADMIN_PASSWORD`);
  }
  // Any signed-in page carries the session's CSRF token; "Cuentas" also tells whether we are the director.
  const accounts = await web.get('/cuentas');
  if (accounts.status !== 200) fail(`${ADMIN.email} cannot open "Cuentas" (${accounts.status}): the seed needs a director account`);
  web.csrf = csrfIn(await accounts.text());
  return web;
}

/** Creates the team members that are missing (409: the email already has an account). */
async function ensureTeam(web: WebSession): Promise<{ created: number; existing: number }> {
  let created = 0;
  let existing = 0;
  for (const m of TEAM) {
    const res = await web.post('/cuentas', { name: m.name, email: m.email, role: m.role, password: DEMO_PASSWORD });
    if (res.status === 303) created += 1;
    else if (res.status === 409) existing += 1;
    else fail(`Creating the account ${m.email} failed (${res.status})`);
  }
  return { created, existing };
}

interface ShareOutRow { id: string; active: number; cap: number }

/** Each active executive's row in "Cuentas": the id of their share-out form and their "active / cap". */
async function shareOutRows(web: WebSession): Promise<Map<string, ShareOutRow>> {
  const page = await (await web.get('/cuentas')).text();
  const rows = new Map<string, ShareOutRow>();
  for (const row of page.split('<tr data-executive="').slice(1)) {
    const email = row.slice(0, row.indexOf('"'));
    const id = /action="\/cuentas\/(\d+)\/reparto"/.exec(row)?.[1];
    const [, active = '0', cap = '0'] = /(\d+) \/ (\d+)<\/span>/.exec(row) ?? [];
    if (id) rows.set(email, { id, active: Number(active), cap: Number(cap) });
  }
  return rows;
}

/** Pools and caps, through the share-out form of each executive's row; answers who could not be set. */
async function setShareOut(web: WebSession, caps: Record<string, number> = {}): Promise<string[]> {
  const rows = await shareOutRows(web);
  const skipped: string[] = [];
  for (const m of TEAM.filter((t) => t.role === 'executive')) {
    const id = rows.get(m.email)?.id;
    // Not in the share-out table: the account exists but was deactivated (or is not an executive).
    if (!id) {
      skipped.push(m.email);
      continue;
    }
    const res = await web.post(`/cuentas/${id}/reparto`, { pools: m.pools ?? '', cap: String(caps[m.email] ?? m.cap ?? 50) });
    if (res.status !== 303) fail(`Saving the share-out of ${m.email} failed (${res.status})`);
  }
  return skipped;
}

// ---- the leads ----------------------------------------------------------------------------------

const COURSES = [
  { code: 'DS-101', name: 'Ciencia de Datos con Python', price: 1200 },
  { code: 'PM-201', name: 'Gestión de Proyectos Ágiles', price: 950 },
  { code: 'MK-110', name: 'Marketing Digital y Analítica', price: 780 },
  { code: 'LD-301', name: 'Liderazgo y Gestión de Equipos', price: 1500 },
  { code: 'FN-220', name: 'Finanzas para No Financieros', price: 880 },
  { code: 'UX-150', name: 'Diseño UX/UI', price: 990 },
] as const;

const COUNTRIES = [
  ['CO', 57, 20], ['MX', 52, 18], ['PE', 51, 12], ['CL', 56, 10], ['AR', 54, 10],
  ['EC', 593, 8], ['SV', 503, 6], ['GT', 502, 5], ['BR', 55, 6], ['ES', 34, 5],
] as const;

const FIRST_NAMES = ['Valentina', 'Sofía', 'Isabella', 'Mariana', 'Daniela', 'Gabriela', 'Carolina', 'Paula', 'Andrea', 'Natalia',
  'Juan', 'Carlos', 'Diego', 'Sebastián', 'Alejandro', 'Felipe', 'Javier', 'Ricardo', 'Tomás', 'Martín'];
const LAST_NAMES = ['Rojas', 'García', 'Martínez', 'López', 'Hernández', 'Pérez', 'Sánchez', 'Ramírez', 'Torres', 'Flores',
  'Vargas', 'Castro', 'Ortiz', 'Jiménez', 'Rivera', 'Gutiérrez', 'Mendoza', 'Silva', 'Navarro', 'Aguilar'];
const FIRST_NAMES_BR = ['Ana', 'Beatriz', 'Larissa', 'Fernanda', 'João', 'Pedro', 'Lucas', 'Rafael'];
const LAST_NAMES_BR = ['Souza', 'Oliveira', 'Santos', 'Almeida', 'Costa', 'Pereira', 'Ribeiro', 'Carvalho'];
const COMPANIES = ['Grupo Andino', 'Logística del Pacífico', 'Seguros Aurora', 'Constructora Altamira', 'Agroindustrias del Valle',
  'Tecnologías Cóndor', 'Laboratorios Sol', 'Retail Mercurio', 'Banca Horizonte', 'Energía Austral'];
const JOB_TITLES = ['Gerente de Recursos Humanos', 'Jefa de Formación', 'Director de Operaciones', 'Coordinadora de Talento',
  'Gerente Comercial', 'Jefe de Proyectos', 'Analista de Datos'];
const SOURCES = [['web-form', 40], ['zoho', 20], ['import', 15], ['feria', 10], ['api', 15]] as const;

const digits = (n: number) => Array.from({ length: n }, () => between(0, 9)).join('');
const slug = (text: string) => text.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();

/**
 * Lead n: where they are, what they want and when they arrived. Arrivals lean towards the last days
 * (days ago = 14·r²) so the recent cohort is big enough for "first contact within SLA" to mean something.
 */
function makeLead(n: number, now: number): LeadInput {
  const [country, dial] = weighted(COUNTRIES.map(([c, d, w]) => [[c, d] as const, w] as const));
  const br = country === 'BR';
  const firstName = pick(br ? FIRST_NAMES_BR : FIRST_NAMES);
  const lastName = pick(br ? LAST_NAMES_BR : LAST_NAMES);
  const b2b = chance(0.35);
  const course = b2b ? weighted(COURSES.map((c) => [c, c.code === 'LD-301' || c.code === 'PM-201' ? 3 : 1] as const)) : pick(COURSES);
  const start = new Date(now + between(20, 80) * DAY_MS);
  const createdAt = new Date(now - random() ** 2 * 14 * DAY_MS - between(1, 50) * 60_000);
  return {
    firstName,
    lastName,
    email: `demo.${n}.${RUN_ID}@example.com`,
    phone: chance(0.9) ? `+${dial} ${digits(3)} ${digits(3)} ${digits(4)}` : undefined,
    country,
    profile: b2b ? 'b2b' : 'b2c',
    company: b2b ? pick(COMPANIES) : undefined,
    jobTitle: b2b ? pick(JOB_TITLES) : undefined,
    linkedinUrl: b2b || chance(0.3) ? `https://www.linkedin.com/in/${slug(firstName)}-${slug(lastName)}-${n}` : undefined,
    course: {
      code: course.code,
      name: course.name,
      startDate: start.toISOString().slice(0, 10),
      // Real course data only: some courses have an early-bird deadline or few seats, most do not.
      earlyBirdDeadline: chance(0.3) ? new Date(start.getTime() - 10 * DAY_MS).toISOString().slice(0, 10) : undefined,
      seatsLeft: chance(0.2) ? between(3, 15) : undefined,
    },
    source: weighted(SOURCES),
    urgency: weighted([['normal', 70], ['high', 15], ['low', 15]] as const),
    createdAt: createdAt.toISOString(),
  };
}

/**
 * The course catalog, by API: two cohorts a course, relative to today, some with an early bird or few
 * seats left, one course with nothing scheduled, so the mails show every honest kind of urgency.
 */
async function ensureCatalog(now: number): Promise<number> {
  const day = (days: number) => new Date(now + days * DAY_MS).toISOString().slice(0, 10);
  let saved = 0;
  for (const [i, course] of COURSES.entries()) {
    const cohorts = course.code === 'UX-150' ? [] : [
      { startDate: day(30 + 7 * i), modality: 'online', price: course.price, currency: 'USD', seats: 30, seatsTaken: i % 2 ? 24 : 10,
        ...(i % 3 === 0 ? { earlyBirdDeadline: day(10 + i), earlyBirdPrice: Math.round(course.price * 0.85) } : {}) },
      { startDate: day(120 + 7 * i), modality: i % 2 ? 'presencial' : 'hibrido', price: course.price, currency: 'USD' },
    ];
    const { status, json } = await api('PUT', `/courses/${course.code}`, { name: course.name, cohorts });
    if (status !== 200 && status !== 201) fail(`The catalog refused ${course.code} (${status}): ${json.message ?? ''}`);
    saved += 1;
  }
  return saved;
}

interface Enrolled { leadId: string; lead: LeadInput; created: boolean }

async function enrolAll(leads: LeadInput[]): Promise<{ enrolled: Enrolled[]; failed: string[] }> {
  const results = await Promise.all(leads.map(async (lead) => {
    const { status, json } = await api<{ leadId?: string }>('POST', '/leads', lead);
    if ((status === 200 || status === 201) && json.leadId) return { leadId: json.leadId, lead, created: status === 201 };
    return `${lead.email}: ${status || 'timeout'} ${json.message ?? ''}`.trim();
  }));
  return {
    enrolled: results.filter((r): r is Enrolled => typeof r !== 'string'),
    failed: results.filter((r): r is string => typeof r === 'string'),
  };
}

// ---- the team's work ----------------------------------------------------------------------------

interface Step { type: OutcomeType; note?: string; reason?: LostReason; callBackInHours?: number; byCloser?: boolean }

const NOTES: Partial<Record<OutcomeType, string[]>> = {
  no_answer: ['No contesta; buzón de voz.', 'Sin respuesta, lo intento mañana.'],
  contacted: ['Hablamos por teléfono: quiere conocer el temario.', 'Contesta; pide más información por correo.'],
  replied: ['Respondió al correo con preguntas sobre horarios.'],
  interested: ['Le interesa la modalidad online y el certificado.', 'Interesada; pregunta por facilidades de pago.'],
  call_back_later: ['Está de viaje; pide que la llame la próxima semana.', 'En reunión; devolver la llamada.'],
  meeting_scheduled: ['Videollamada agendada con su jefe.'],
  proposal_requested: ['Pide propuesta formal con precio y calendario.', 'Quiere propuesta para su equipo.'],
  proposal_sent: ['Propuesta enviada por correo.'],
  handed_to_closer: ['Lista para cerrar: pasa a Andrés.'],
  enrolled: ['Pago confirmado. ¡Matriculado!'],
  not_interested: ['Ya no le interesa por ahora.'],
  lost: ['Lo descarta tras revisar la propuesta.'],
  wrong_contact: ['El número no corresponde a la persona.'],
};

const PROPOSAL: OutcomeType[] = ['contacted', 'interested', 'proposal_requested', 'proposal_sent'];

/**
 * What happens to one lead, by how often it happens in a real week. Untouched leads matter too:
 * they are the SLA breaches and the leads the cadence walks into nurturing or the archive.
 */
function planFor(): Step[] {
  const steps = (...types: OutcomeType[]): Step[] => types.map((type) => ({ type }));
  const lost = (reasons: LostReason[]): Step => ({ type: 'lost', reason: pick(reasons) });
  const plans: (readonly [() => Step[], number])[] = [
    [() => [], 18],
    [() => steps(...(chance(0.5) ? ['no_answer', 'no_answer'] as const : ['no_answer'] as const)), 14],
    [() => steps(...(chance(0.5) ? ['no_answer'] as const : []), 'contacted', 'not_interested'), 8],
    [() => [...steps('contacted', 'interested'), lost(['price', 'timing', 'no_budget', 'not_a_fit'])], 7],
    [() => [...steps('contacted'), { type: 'call_back_later', callBackInHours: between(20, 100) }], 10],
    // A conversation that stops moving: the workflow's stall watch picks it up.
    [() => steps('contacted', 'interested'), 8],
    [() => [...steps('replied'), { type: 'meeting_scheduled', callBackInHours: between(20, 75) }], 5],
    [() => steps(...PROPOSAL), 9],
    [() => [...steps(...PROPOSAL), lost(['price', 'competitor', 'timing', 'no_budget'])], 6],
    [() => steps(...PROPOSAL, 'handed_to_closer'), 5],
    [() => [...steps(...PROPOSAL, 'handed_to_closer'), { type: 'enrolled', byCloser: true }], 7],
    // Some people simply pay online after one good call.
    [() => steps('contacted', 'interested', 'enrolled'), 2],
    [() => steps('wrong_contact'), 1],
  ];
  return weighted(plans)().map((s) => ({ ...s, note: s.note ?? (chance(0.7) ? pick(NOTES[s.type] ?? ['']) || undefined : undefined) }));
}

/** When each step happens, in ms from the start of the work: starts spread out, steps in order. */
function scheduleFor(count: number): number[] {
  const start = random() * WORK_MS * 0.4;
  const gap = (WORK_MS - start) / Math.max(count, 1);
  return Array.from({ length: count }, (_, i) => Math.round(start + i * gap + random() * gap * 0.6));
}

interface Tally { applied: number; rejected: number; failed: number; reasons: Map<string, number>; workedLeads: number }

/**
 * One lead's story, told in real time; a rejected step ends it (what follows would make no sense).
 * Outcomes are recorded by the lead's owner, as the routing chose them; the closer records the enrolment.
 */
async function work({ leadId }: Enrolled, steps: Step[], at: number[], began: number, owners: Map<string, string>, tally: Tally): Promise<void> {
  if (!steps.length) return;
  tally.workedLeads += 1;
  for (const [i, step] of steps.entries()) {
    await sleep(began + at[i]! - Date.now());
    // Not in the list yet (its view lagged behind): ask the lead itself, once. No owner yet (it waits
    // in the queue for capacity): the director works it, until an answer names its owner.
    if (!owners.has(leadId)) {
      const { json } = await api<Partial<LeadState>>('GET', `/leads/${leadId}`);
      owners.set(leadId, json.owner ?? ADMIN.email);
    }
    const { status, json } = await api<Partial<LeadState>>('POST', `/leads/${leadId}/outcomes`, {
      type: step.type,
      note: step.note,
      reason: step.reason,
      // Relative to the moment it is said: the workflow wants a call back in the future.
      callBackAt: step.callBackInHours ? new Date(Date.now() + step.callBackInHours * 3600_000).toISOString() : undefined,
      closer: step.type === 'handed_to_closer' ? CLOSER : undefined,
      by: step.byCloser ? CLOSER : owners.get(leadId),
    });
    if (status === 200) {
      tally.applied += 1;
      if (json.owner) owners.set(leadId, json.owner);
      continue;
    }
    const reason = `${status || 'timeout'} ${json.message ?? ''}`.trim();
    tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
    if (status === 400) tally.rejected += 1;
    else tally.failed += 1;
    return;
  }
}

async function simulateWork(enrolled: Enrolled[], plans: Step[][], schedules: number[][], owners: Map<string, string>): Promise<Tally> {
  const tally: Tally = { applied: 0, rejected: 0, failed: 0, reasons: new Map(), workedLeads: 0 };
  const began = Date.now();
  let seen = latencies.length;
  const progress = setInterval(() => {
    const elapsed = Date.now() - began;
    // When the worker is busy the answers slow down and the work runs late: say so rather than look stuck.
    const due = schedules.flat().filter((at) => at <= elapsed).length;
    const recent = median(latencies.slice(seen));
    seen = latencies.length;
    say(`  ${Math.round(elapsed / 1000)}s: ${tally.applied + tally.rejected + tally.failed} outcomes sent, ${due} planned by now (${tally.rejected} rejected); answers in ~${(recent / 1000).toFixed(1)} s`);
  }, 15_000);
  try {
    await Promise.all(enrolled.map((e, i) => work(e, plans[i]!, schedules[i]!, began, owners, tally)));
  } finally {
    clearInterval(progress);
  }
  return tally;
}

// GET /api/leads reads the ledger's lead views, not the workflows: asking it costs the busy worker
// nothing. This run's leads are found by the run id in their emails.
const runSearch = `q=${encodeURIComponent(`.${RUN_ID}@`)}`;

/** This run's leads as the read model has them, through the JSON API (GET /api/leads, page by page). */
async function runLeads(): Promise<{ leadId: string; owner: string | null; stage: string }[]> {
  const leads: { leadId: string; owner: string | null; stage: string }[] = [];
  type Page = { leads: typeof leads; nextCursor: string | null };
  for (let cursor: string | null = ''; cursor !== null;) {
    const { status, json }: { status: number; json: Page & { message?: string } } = await api<Page>('GET', `/leads?${runSearch}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    if (status !== 200) fail(`GET /api/leads answered ${status}: ${json.message ?? ''}`);
    leads.push(...json.leads);
    cursor = json.nextCursor;
  }
  // A lead that changed while we paged comes again, newer: the last sight of each counts.
  return [...new Map(leads.map((l) => [l.leadId, l])).values()];
}

/** Who owns each of this run's leads, as routing decided. */
async function ownersFromList(): Promise<Map<string, string>> {
  return new Map((await runLeads()).filter((l) => l.owner).map((l) => [l.leadId, l.owner!]));
}

/** How many of this run's leads are in each stage now. */
async function stagesFromList(): Promise<string> {
  const counts = new Map<string, number>();
  for (const { stage } of await runLeads()) counts.set(stage, (counts.get(stage) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ');
}

// ---- main ---------------------------------------------------------------------------------------

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  say(`Seguimiento demo seed: ${LEAD_COUNT} leads, ${WORK_MS / 60_000} min of work, against ${BASE_URL} (run ${RUN_ID}, seed ${RANDOM_SEED})`);
  const web = await signIn();
  const team = await ensureTeam(web);
  const skipped = await setShareOut(web);
  say(`Team: ${team.created} accounts created, ${team.existing} already there; share-out set${skipped.length ? ` (skipped, inactive: ${skipped.join(', ')})` : ''}`);

  // Everything random is drawn here, before any answer can influence the order: reproducible runs.
  const now = Date.now();
  const catalog = await ensureCatalog(now);
  say(`Catalog: ${catalog} courses with their cohorts (the mails' urgency comes from it)`);
  const leads = Array.from({ length: LEAD_COUNT }, (_, i) => makeLead(i + 1, now));
  const plans = leads.map(() => planFor());
  const schedules = plans.map((steps) => scheduleFor(steps.length));

  const { enrolled, failed } = await enrolAll(leads);
  const created = enrolled.filter((e) => e.created).length;
  say(`Leads: ${created} created, ${enrolled.length - created} already there${failed.length ? `, ${failed.length} failed (first: ${failed[0]})` : ''}`);
  if (!enrolled.length) fail('No lead could be enrolled: see the API logs of `npm start`');

  say(`The team works for ${WORK_MS / 60_000} min…`);
  const byLead = new Map(leads.map((l, i) => [l.email, i]));
  const indexOf = (e: Enrolled) => byLead.get(e.lead.email)!;
  const workBegan = Date.now();
  const owners = await ownersFromList();
  const tally = await simulateWork(enrolled, enrolled.map((e) => plans[indexOf(e)]!), enrolled.map((e) => schedules[indexOf(e)]!), owners);
  const workSeconds = Math.round((Date.now() - workBegan) / 1000);
  const partTimer = (await shareOutRows(web)).get(PART_TIMER);
  if (partTimer) await setShareOut(web, { [PART_TIMER]: Math.floor(partTimer.active / 2) });
  const loads = [...(await shareOutRows(web))].filter(([email]) => TEAM.some((m) => m.email === email));

  const reasons = [...tally.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([r, n]) => `${n}× ${r}`);
  say('');
  say('Summary');
  const executives = TEAM.filter((m) => m.role === 'executive').length;
  say(`  accounts: ${team.created} created, ${team.existing} existing (${executives} executives, ${TEAM.length - executives} closer; password "${DEMO_PASSWORD}")`);
  say(`  leads:    ${created} created, ${enrolled.length - created} existing, ${failed.length} failed; ${tally.workedLeads} worked, ${enrolled.length - tally.workedLeads} left untouched`);
  say(`  outcomes: ${tally.applied} applied, ${tally.rejected} rejected by the workflow${tally.failed ? `, ${tally.failed} failed` : ''} (in ${workSeconds} s, API median ${median(latencies)} ms)`);
  if (reasons.length) say(`            ${reasons.join('; ')}`);
  say(`  load:     ${loads.map(([email, r]) => `${email.split('@')[0]} ${r.active}/${r.cap}`).join(', ')} (active/cap; ${PART_TIMER.split('@')[0]} now part-time)`);
  say(`  stages:   ${await stagesFromList()} (this run's leads, from GET /api/leads)`);
  say(`  course prices for the value figures: COURSE_PRICES='${JSON.stringify(Object.fromEntries(COURSES.map((c) => [c.code, c.price])))}'`);
  say(`Look at ${BASE_URL}/panel (dashboard) and ${BASE_URL}/cuentas, signed in as ${ADMIN.email}; an executive's day at ${BASE_URL}/mi-dia as ${TEAM[0]!.email}.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo:seed: ${err instanceof SeedError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
