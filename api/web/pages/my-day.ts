import type { LeadView } from '../../../domain/lead-view';
import { html } from '../../../lib/html';
import { COUNTRY_NAMES } from '../../../domain/texts';
import { page, type PageContext } from './layout';
import { badges, dueTouchBlocks, nextStepLine, quickOutcomes } from './lead-parts';

export function myDayPage(ctx: PageContext, { leads, now = new Date() }: { leads: LeadView[]; now?: Date }): string {
  return page(ctx, 'Mi día', html`
<h1>Mi día <span class="muted small">${leads.length} ${leads.length === 1 ? 'lead' : 'leads'} por atender</span></h1>
${leads.length === 0 ? html`<div class="card"><p>No hay nada pendiente ahora. Los correos salen solos; aquí aparecerán las llamadas y los mensajes de LinkedIn cuando toquen.</p></div>` : ''}
${leads.map((lead) => html`<article class="card" data-lead="${lead.leadId}">
  <h3><a href="/leads/${lead.leadId}">${lead.firstName} ${lead.lastName}</a></h3>
  <p class="small muted">${lead.courseName} · ${COUNTRY_NAMES[lead.country]}${lead.company ? ` · ${lead.company}` : ''} · ${lead.profile.toUpperCase()}</p>
  <p>${badges(lead, now)}</p>
  <p class="next-step">${nextStepLine(lead, now)}</p>
  ${dueTouchBlocks(lead)}
  ${quickOutcomes(ctx, lead.leadId, '/mi-dia')}
</article>`)}`);
}
