import { touchScript } from '../../../domain/call-script';
import type { LeadView } from '../../../domain/lead-view';
import type { OutcomeType } from '../../../domain/outcomes';
import { CHANNEL_LABELS, leadTime, OUTCOME_LABELS, relative, STAGE_LABELS } from '../../../domain/texts';
import { html, type Html } from '../../../lib/html';
import { csrfField, formKeyField, type PageContext } from './layout';

/** The one-tap buttons of "Mi día": what a call or LinkedIn message usually ends in. */
const QUICK_OUTCOMES: readonly OutcomeType[] = ['no_answer', 'contacted', 'interested', 'not_interested', 'wrong_contact'];

type LeadSummary = Pick<LeadView, 'leadId' | 'stage' | 'sla' | 'stalledSince' | 'paused' | 'contactProblem'>;

export function badges(lead: LeadSummary, now = new Date()): Html {
  const slaLate = lead.sla.status === 'breached' || (lead.sla.status === 'pending' && Date.parse(lead.sla.dueAt) <= now.getTime());
  return html`<span class="badge">${STAGE_LABELS[lead.stage]}</span>
    ${slaLate ? html`<span class="badge bad">SLA vencido</span>` : lead.sla.status === 'pending' ? html`<span class="badge warn">SLA ${relative(lead.sla.dueAt, now)}</span>` : ''}
    ${lead.stalledSince ? html`<span class="badge warn">Estancado</span>` : ''}
    ${lead.paused ? html`<span class="badge">En pausa</span>` : ''}
    ${lead.contactProblem ? html`<span class="badge bad">Revisar datos</span>` : ''}`;
}

export function nextStepLine(lead: Pick<LeadView, 'nextStep' | 'country'>, now = new Date()): Html {
  if (!lead.nextStep) return html`<span class="muted">Sin próximo paso</span>`;
  const overdue = Date.parse(lead.nextStep.dueAt) < now.getTime();
  return html`<strong>${lead.nextStep.action}</strong> · ${leadTime(lead.nextStep.dueAt, lead.country)}
    <span class="${overdue ? 'badge bad' : 'muted'}">${relative(lead.nextStep.dueAt, now)}</span>`;
}

/** The call script or LinkedIn draft of each touch due, with what it takes to do it from a phone. */
export function dueTouchBlocks(view: LeadView): Html {
  return html`${view.dueTouches.map((touch) => {
    const id = `script-${view.leadId}-${touch.key.replace(/[^a-zA-Z0-9-]/g, '-')}`;
    const script = touchScript({ lead: { ...view, phone: view.phone ?? undefined, company: view.company ?? undefined, benefit: view.benefit ?? undefined, course: { name: view.courseName } }, channel: touch.channel, template: touch.template });
    return html`<div>
      <p class="small"><strong>${CHANNEL_LABELS[touch.channel]}</strong> · desde ${leadTime(touch.dueAt, view.country)}</p>
      <pre class="script" id="${id}">${script}</pre>
      <div class="buttons">
        <button type="button" data-copy="${id}">Copiar ${touch.channel === 'linkedin' ? 'mensaje' : 'guion'}</button>
        ${view.phone && touch.channel === 'call' ? html`<a class="button" href="tel:${view.phone.replace(/[^+0-9]/g, '')}">Llamar ${view.phone}</a>` : ''}
        ${view.linkedinUrl && touch.channel === 'linkedin' ? html`<a class="button" href="${view.linkedinUrl}" target="_blank" rel="noopener noreferrer">Abrir LinkedIn</a>` : ''}
      </div>
    </div>`;
  })}`;
}

/** One tap per usual result; anything needing more (lost, a call-back time) is on the lead's page. */
export function quickOutcomes(ctx: PageContext, leadId: string, returnTo: string): Html {
  return html`<form method="post" action="/leads/${leadId}/outcome" class="buttons">
    ${csrfField(ctx)}${formKeyField()}<input type="hidden" name="returnTo" value="${returnTo}">
    ${QUICK_OUTCOMES.map((type) => html`<button type="submit" name="type" value="${type}">${OUTCOME_LABELS[type]}</button>`)}
    <a class="button" href="/leads/${leadId}">Más acciones…</a>
  </form>`;
}
