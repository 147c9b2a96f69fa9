import type { User } from '../../../domain/accounts';
import { COUNTRY_TIME_ZONES } from '../../../domain/calendar';
import { isTerminal } from '../../../domain/lifecycle';
import type { LeadState } from '../../../domain/lead-state';
import { leadViewOf } from '../../../domain/lead-view';
import { LOST_REASONS, OUTCOME_TYPES } from '../../../domain/outcomes';
import type { StoredLeadEvent } from '../../../integrations/ledger/ledger';
import type { Interest } from '../../../integrations/ledger/interests';
import type { Lead, Stage } from '../../../domain/lead';
import { html, type Html } from '../../../lib/html';
import {
  CHANNEL_LABELS, COUNTRY_NAMES, leadTime, LOST_REASON_LABELS, OUTCOME_LABELS, ROLE_NAMES, SLA_STATUS_LABELS, STAGE_LABELS, TOUCH_STATUS_LABELS,
} from '../../../domain/texts';
import { csrfField, fieldErrors, formKeyField, page, type PageContext } from './layout';
import { badges, dueTouchBlocks, nextStepLine, quickOutcomes } from './lead-parts';

export interface LeadLinks { temporal: string; zoho: string | null }

/** Ledger events worth a line of their own (touches and outcomes have theirs). */
const EVENT_LINES: Record<string, (d: Record<string, unknown>) => string> = {
  lead_enrolled: (d) => `Alta del lead (origen: ${String(d.source)})`,
  lead_returned: (d) => `Volvió a escribir (origen: ${String(d.source)})`,
  lead_reassigned: (d) => `Reasignado de ${String(d.from ?? 'nadie')} a ${String(d.to)}`,
  lead_paused: () => 'Seguimiento en pausa',
  lead_resumed: () => 'Seguimiento reanudado',
  lead_escalated: () => 'Escalado a la dirección',
  sla_missed: () => 'SLA de primer contacto incumplido',
  lead_stalled: () => 'Estancado sin avances',
  lead_reactivated: () => 'Reactivado',
  lead_updated: (d) => `Datos editados (${(d.fields as string[] | undefined)?.join(', ') ?? ''})`,
  email_failed: () => 'Correo rechazado por el servidor del destinatario',
  // Zoho's own settings kept a value from being written: the director fixes ZOHO_VALUE_MAP or the user.
  zoho_value_fallback: (d) => `Zoho no tiene el valor «${String(d.code)}» en ${String(d.field)}: se envió ${d.sent ? `«${String(d.sent)}»` : 'el campo vacío'}`,
  zoho_owner_missing: (d) => `${String(d.owner)} no es usuario de Zoho: el registro queda sin propietario asignado`,
};

interface TimelineItem { at: string; cls: string; text: Html }

function timeline(state: LeadState, events: StoredLeadEvent[]): TimelineItem[] {
  const c = state.lead.country;
  const items: TimelineItem[] = [
    ...state.touches.map((t) => ({
      at: t.doneAt ?? t.dueAt,
      cls: t.status,
      text: html`<strong>${CHANNEL_LABELS[t.channel]}</strong> (${t.template}) · ${TOUCH_STATUS_LABELS[t.status]} · ${leadTime(t.doneAt ?? t.dueAt, c)}${t.outcome ? ` · ${OUTCOME_LABELS[t.outcome]}` : ''}`,
    })),
    ...state.outcomes.map((o) => ({
      at: o.at,
      cls: 'done',
      text: html`<strong>Resultado: ${OUTCOME_LABELS[o.type]}</strong> · ${leadTime(o.at, c)}${o.reason ? ` · ${LOST_REASON_LABELS[o.reason]}` : ''}${o.by ? ` · ${o.by}` : ''}${o.note ? html`<br><span class="small">${o.note}</span>` : ''}`,
    })),
    ...events.filter((e) => EVENT_LINES[e.type]).map((e) => ({
      at: e.occurredAt,
      cls: 'event',
      text: html`${EVENT_LINES[e.type]!(e.data)} · <span class="muted">${leadTime(e.occurredAt, c)}</span>`,
    })),
  ];
  return items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

export interface LeadPageData {
  state: LeadState;
  events: StoredLeadEvent[];
  links: LeadLinks;
  executives: User[];
  closers: User[];
  /** Every time this person asked about a course, and what it started. */
  interests?: Interest[];
  errors?: Record<string, string[]>;
  now?: Date;
}

const INTEREST_OUTCOMES: Record<Interest['outcome'], string> = {
  new_lead: 'primer seguimiento',
  new_follow_up: 'nuevo seguimiento',
  existing_follow_up: 'se sumó al seguimiento en curso',
  opted_out: 'sin seguimiento: pidió la baja',
};

function interestList(interests: Interest[], country: Lead['country']): Html {
  return html`<h2>Intereses</h2><div class="card small"><ol class="interests">${interests.map((i) => html`<li>
    <strong>${i.course.name}</strong> (${i.course.code}) · ${leadTime(i.receivedAt, country)} · origen ${i.source} · ${INTEREST_OUTCOMES[i.outcome]}${i.previousStage ? html` <span class="muted">(el anterior terminó: ${STAGE_LABELS[i.previousStage as Stage] ?? i.previousStage})</span>` : ''}
  </li>`)}</ol></div>`;
}

export function leadPage(ctx: PageContext, { state, events, links, executives, closers, interests = [], errors, now = new Date() }: LeadPageData): string {
  const { lead } = state;
  const view = leadViewOf(state);
  const open = !isTerminal(state.stage);
  const self = `/leads/${state.leadId}`;
  const zone = COUNTRY_TIME_ZONES[lead.country];
  const person = (email: string | null | undefined, people: User[]) => (email ? people.find((u) => u.email === email)?.name ?? email : 'sin asignar');
  return page(ctx, `${lead.firstName} ${lead.lastName}`, html`
<h1>${lead.firstName} ${lead.lastName}</h1>
<p>${badges(view, now)}</p>
<div class="grid2">
<section>
  <div class="card">
    <p class="next-step">Próximo paso: ${nextStepLine(view, now)}</p>
    ${dueTouchBlocks(view)}
    ${open ? quickOutcomes(ctx, state.leadId, self) : ''}
  </div>
  <h2>Historial</h2>
  <div class="card"><ol class="timeline">${timeline(state, events).map((i) => html`<li class="${i.cls}">${i.text}</li>`)}</ol></div>
</section>
<aside>
  <div class="card small">
    <p><strong>${lead.course.name}</strong> (${lead.course.code})${lead.course.startDate ? ` · inicia ${lead.course.startDate}` : ''}</p>
    <p>${lead.email}<br>${lead.phone ? html`<a href="tel:${lead.phone.replace(/[^+0-9]/g, '')}">${lead.phone}</a>` : 'Sin teléfono'}<br>
      ${lead.linkedinUrl ? html`<a href="${lead.linkedinUrl}" target="_blank" rel="noopener noreferrer">Perfil de LinkedIn</a>` : 'Sin LinkedIn'}</p>
    <p>${COUNTRY_NAMES[lead.country]} (${zone}) · ${lead.profile.toUpperCase()}${lead.company ? ` · ${lead.company}` : ''}${lead.jobTitle ? ` · ${lead.jobTitle}` : ''}</p>
    <p>Responsable: <strong class="owner">${person(state.owner, executives)}</strong><br>Vendedor: ${person(state.closer, closers)}</p>
    <p>Etapa: ${STAGE_LABELS[state.stage]} desde ${leadTime(state.stageSince, lead.country)}<br>
      SLA primer contacto: ${SLA_STATUS_LABELS[state.sla.status]} (vence ${leadTime(state.sla.dueAt, lead.country)})<br>
      Toques: ${state.counts.touchesDone} hechos · ${state.counts.touchesMissed} no realizados · origen ${lead.source}</p>
    <p><a href="${links.temporal}" target="_blank" rel="noopener">Ver en Temporal</a>${links.zoho ? html` · <a href="${links.zoho}" target="_blank" rel="noopener">Ver en Zoho</a>` : ''}</p>
  </div>
  ${lead.returning ? html`<p class="card small returning">${lead.returning.previousStage === 'enrolled' ? 'Egresado' : 'Vuelve'}: antes siguió «${lead.returning.previousCourse.name}» (${STAGE_LABELS[lead.returning.previousStage]}).</p>` : ''}
  ${interests.length ? interestList(interests, lead.country) : ''}
  ${open ? actions(ctx, state, { executives, closers, errors, self, zone }) : ''}
</aside>
</div>`);
}

function actions(ctx: PageContext, state: LeadState, { executives, closers, errors, self, zone }: { executives: User[]; closers: User[]; errors?: Record<string, string[]>; self: string; zone: string }): Html {
  const { lead } = state;
  // Each form its own key: two different changes from one page are two requests.
  const hidden = () => html`${csrfField(ctx)}${formKeyField()}<input type="hidden" name="returnTo" value="${self}">`;
  const peopleOptions = (people: User[], selected: string | null | undefined) =>
    people.filter((u) => u.active).map((u) => html`<option value="${u.email}" ${u.email === selected ? 'selected' : ''}>${u.name} (${ROLE_NAMES[u.role]})</option>`);
  return html`
  <h2>Registrar resultado</h2>
  <form class="card" method="post" action="${self}/outcome" id="outcome-form">
    ${hidden()}${fieldErrors(errors, '')}
    <label for="type">Resultado</label>
    <select id="type" name="type">${OUTCOME_TYPES.map((t) => html`<option value="${t}">${OUTCOME_LABELS[t]}</option>`)}</select>${fieldErrors(errors, 'type')}
    <label for="reason">Motivo (si se pierde)</label>
    <select id="reason" name="reason"><option value="">—</option>${LOST_REASONS.map((r) => html`<option value="${r}">${LOST_REASON_LABELS[r]}</option>`)}</select>${fieldErrors(errors, 'reason')}
    <label for="callBackAt">Fecha y hora (hora de ${zone})</label>
    <input id="callBackAt" name="callBackAt" type="datetime-local">${fieldErrors(errors, 'callBackAt')}
    <label for="note">Nota</label><textarea id="note" name="note" maxlength="2000"></textarea>${fieldErrors(errors, 'note')}
    <div class="buttons"><button class="primary" type="submit">Guardar resultado</button></div>
  </form>
  <h2>Volver a llamar</h2>
  <form class="card" method="post" action="${self}/outcome">
    ${hidden()}<input type="hidden" name="type" value="call_back_later">
    <label for="callback">Cuándo (hora de ${zone})</label><input id="callback" name="callBackAt" type="datetime-local" required>
    <div class="buttons"><button type="submit">Agendar llamada</button></div>
  </form>
  ${['engaged', 'proposal'].includes(state.stage) ? html`<h2>Pasar a cierre</h2>
  <form class="card" method="post" action="${self}/outcome">
    ${hidden()}<input type="hidden" name="type" value="handed_to_closer">
    ${closers.some((u) => u.active)
      ? html`<label for="closer">Vendedor</label><select id="closer" name="closer" required>${peopleOptions(closers, state.closer)}</select>${fieldErrors(errors, 'closer')}
    <div class="buttons"><button type="submit">Pasar al vendedor</button></div>`
      : html`<p class="muted">No hay cuentas de vendedor activas: la dirección puede crearlas en Cuentas.</p>`}
  </form>` : ''}
  <h2>Seguimiento</h2>
  <div class="card">
    <form method="post" action="${self}/command">${hidden()}
      ${state.paused
        ? html`<input type="hidden" name="type" value="resume"><button type="submit">Reanudar seguimiento</button>`
        : html`<input type="hidden" name="type" value="pause"><label for="until">Pausar hasta (opcional)</label><input id="until" name="until" type="date"><div class="buttons"><button type="submit">Pausar</button></div>`}
    </form>
    ${ctx.user?.role === 'director' || ctx.user?.role === 'executive' ? html`<form method="post" action="${self}/command">${hidden()}
      <input type="hidden" name="type" value="reassign">
      <label for="owner">Reasignar a</label><select id="owner" name="owner">${peopleOptions(executives, state.owner)}</select>
      <div class="buttons"><button type="submit">Reasignar</button></div>
    </form>` : ''}
  </div>
  <h2>Editar datos</h2>
  <form class="card" method="post" action="${self}/command">${hidden()}
    <input type="hidden" name="type" value="update_lead">
    ${(['firstName', 'lastName', 'phone', 'linkedinUrl', 'company', 'jobTitle', 'benefit'] as const).map((f) => html`
      <label for="f-${f}">${EDIT_LABELS[f]}</label><input id="f-${f}" name="${f}" value="${lead[f] ?? ''}">${fieldErrors(errors, `changes.${f}`)}`)}
    <div class="buttons"><button type="submit">Guardar datos</button></div>
  </form>`;
}

const EDIT_LABELS = { firstName: 'Nombre', lastName: 'Apellido', phone: 'Teléfono', linkedinUrl: 'LinkedIn (URL)', company: 'Empresa', jobTitle: 'Cargo', benefit: 'Beneficio que busca' };
