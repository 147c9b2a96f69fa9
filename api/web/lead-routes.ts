import { Router, type Request, type Response } from 'express';
import { ZodError } from 'zod';
import { mayRunCommand, type User } from '../../domain/accounts';
import { COUNTRY_TIME_ZONES, zonedTime } from '../../domain/calendar';
import { STAGES, type Lead } from '../../domain/lead';
import type { LeadState } from '../../domain/lead-state';
import { leadTime, OUTCOME_LABELS, spanishFieldErrors } from '../../domain/texts';
import type { Ledger } from '../../integrations/ledger/ledger';
import type { LeadFilters, LeadViews } from '../../integrations/ledger/lead-views';
import { ConflictError, RejectedError } from '../errors';
import type { LeadService } from '../../services/lead-service';
import type { Accounts } from './accounts';
import type { WebContext } from './context';
import { flash, ForbiddenError, mayWork, requireLogin, scopeOf, userOf, verifyCsrf, type CookieOptions } from './guard';
import { leadPage, type LeadLinks } from './pages/lead';
import { leadsPage } from './pages/leads';
import { myDayPage } from './pages/my-day';

export interface LeadRoutesDeps {
  leads: LeadService;
  views: LeadViews;
  ledger: Ledger;
  accounts: Accounts;
  cookie: CookieOptions;
  ctx: WebContext;
  links: (state: LeadState) => LeadLinks;
}

const PAGE_SIZE = 50;
const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * `datetime-local` and `date` inputs have no zone: the executive picks the hour as the lead lives it.
 * Anything that is not such a value is passed on as typed, for the schema to refuse in words.
 */
function leadZoneInstant(local: string | undefined, lead: Lead): string | undefined {
  const m = local && /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(local);
  const [hour, minute] = [Number(m?.[2] ?? 9), Number(m?.[3] ?? 0)];
  if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`)) || hour > 23 || minute > 59) return local;
  return zonedTime(m[1]!, hour, COUNTRY_TIME_ZONES[lead.country], minute).toISOString();
}

/** The workflow's rejections are written in English for API clients; the executive reads Spanish. */
function spanishRejection(message: string): string {
  if (/closed|already/i.test(message)) return 'El lead ya está cerrado: no admite más cambios.';
  if (/makes no sense/.test(message)) return 'Ese resultado no corresponde a la etapa actual del lead.';
  if (/callBackAt must be in the future/.test(message)) return 'La fecha y hora deben ser futuras.';
  if (/not paused/.test(message)) return 'El lead no está en pausa.';
  if (/already paused/.test(message)) return 'El lead ya está en pausa.';
  return 'No se pudo guardar el cambio en este momento de la vida del lead.';
}

export function leadRoutes({ leads, views, ledger, accounts, cookie, ctx, links }: LeadRoutesDeps): Router {
  // Mounted at the root next to the API: each route asks for a session itself rather than every request.
  const router = Router();
  router.get('/', requireLogin, (_req, res) => res.redirect(303, '/mi-dia'));

  router.get('/mi-dia', requireLogin, async (req, res) => {
    const now = new Date();
    res.send(myDayPage(ctx(req, res), { leads: await views.queue({ scope: scopeOf(userOf(res)), until: now }), now }));
  });

  router.get('/leads', requireLogin, async (req, res) => {
    const user = userOf(res);
    const q = req.query;
    const filters: LeadFilters = {
      q: text(q.q)?.slice(0, 100),
      stage: STAGES.find((s) => s === q.stage),
      owner: user.role === 'director' ? text(q.owner)?.slice(0, 254) : undefined,
      country: text(q.country)?.slice(0, 2),
      course: text(q.course)?.slice(0, 40),
      overdue: q.overdue === '1',
      stalled: q.stalled === '1',
    };
    const pageNumber = Math.max(1, Math.min(10_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
    const scope = scopeOf(user);
    const [{ total, leads: list }, facets] = await Promise.all([
      views.list({ scope, filters, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE }),
      views.facets({ scope }),
    ]);
    res.send(leadsPage(ctx(req, res), {
      leads: list, total, filters, page: pageNumber, pageSize: PAGE_SIZE, owners: user.role === 'director' ? facets.owners : null, courses: facets.courses,
    }));
  });

  /** The lead as the workflow knows it, once we know this person may see it. */
  async function leadFor(req: Request, res: Response): Promise<LeadState> {
    const state = await leads.state(String(req.params.leadId));
    if (!mayWork(userOf(res), state)) throw new ForbiddenError('Este lead no es tuyo: pídele a la dirección que te lo asigne.');
    return state;
  }

  async function showLead(req: Request, res: Response, state: LeadState, errors?: Record<string, string[]>): Promise<void> {
    const users = await accounts.list();
    const byRole = (role: User['role']) => users.filter((u) => u.role === role);
    res.status(errors ? 400 : 200).send(leadPage(ctx(req, res), {
      state, events: await ledger.eventsOf({ leadId: state.leadId }), links: links(state), executives: byRole('executive'), closers: byRole('closer'), errors,
      interests: (await leads.history(state.leadId)).interests,
    }));
  }

  router.get('/leads/:leadId', requireLogin, async (req, res) => {
    await showLead(req, res, await leadFor(req, res));
  });

  /** Runs a change; bad fields show the page again, a refusal comes back as a message. */
  async function act(req: Request, res: Response, change: (state: LeadState) => Promise<LeadState>, done: (after: LeadState) => string): Promise<void> {
    const state = await leadFor(req, res);
    const back = req.body?.returnTo === '/mi-dia' ? '/mi-dia' : `/leads/${state.leadId}`;
    try {
      const after = await change(state);
      flash(res, { kind: 'ok', text: done(after) }, cookie);
    } catch (err) {
      if (err instanceof ZodError) return showLead(req, res, state, spanishFieldErrors(err));
      // The same form sent again with other values (e.g. another button after the first click).
      if (err instanceof ConflictError) flash(res, { kind: 'error', text: 'Este formulario ya guardó otro cambio. Revisa el lead y vuelve a intentarlo.' }, cookie);
      else if (err instanceof RejectedError) flash(res, { kind: 'error', text: spanishRejection(err.message) }, cookie);
      else throw err;
    }
    res.redirect(303, back);
  }

  /** The form's own key (a hidden field): the same form sent twice is recorded once. */
  const formKey = (req: Request) => ({ idempotencyKey: req.body?.idempotencyKey as string | undefined });

  const nextStepText = (s: LeadState) => (s.nextStep ? `Próximo paso: ${s.nextStep.action} (${leadTime(s.nextStep.dueAt, s.lead.country)}).` : 'Sin próximo paso.');

  router.post('/leads/:leadId/outcome', requireLogin, verifyCsrf, async (req, res) => {
    const b = req.body ?? {};
    await act(req, res, (state) => leads.recordOutcome(state.leadId, {
      type: b.type,
      reason: text(b.reason),
      note: text(b.note),
      callBackAt: leadZoneInstant(text(b.callBackAt), state.lead),
      closer: text(b.closer),
      by: userOf(res).email,
    }, formKey(req)), (after) => `Guardado: ${OUTCOME_LABELS[after.outcomes.at(-1)?.type ?? 'contacted']}. ${nextStepText(after)}`);
  });

  router.post('/leads/:leadId/command', requireLogin, verifyCsrf, async (req, res) => {
    const b = req.body ?? {};
    if (!mayRunCommand(userOf(res).role, b.type)) throw new ForbiddenError('Como vendedor registras resultados y notas; reasignar o reactivar leads lo decide la ejecutiva o la dirección.');
    await act(req, res, async (state) => {
      if (b.type === 'reassign' && !(await accounts.list()).some((u) => u.email === b.owner && u.active && u.role === 'executive')) {
        throw new ZodError([{ code: 'custom', path: ['owner'], message: 'must be an active executive', input: b.owner }]);
      }
      const command = b.type === 'update_lead' ? { type: b.type, changes: changedFields(b, state.lead) }
        : b.type === 'pause' ? { type: b.type, until: leadZoneInstant(text(b.until), state.lead) }
        : { type: b.type, owner: text(b.owner) };
      return leads.runCommand(state.leadId, command, formKey(req));
    }, (after) => `Cambio guardado. ${nextStepText(after)}`);
  });

  return router;
}

const EDITABLE = ['firstName', 'lastName', 'phone', 'linkedinUrl', 'company', 'jobTitle', 'benefit'] as const;

/** Only what the person actually changed is sent: an untouched form changes nothing. */
function changedFields(body: Record<string, unknown>, lead: Lead): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const field of EDITABLE) {
    const value = text(body[field]);
    if (value !== undefined && value !== (lead[field] ?? undefined)) changes[field] = value;
  }
  return changes;
}
