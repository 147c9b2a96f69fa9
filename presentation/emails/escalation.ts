import type { Lead } from '../../domain/lead';
import type { EscalationKind, RenderedMail } from '../../domain/emails';
import { html } from '../../lib/html';


/** An internal email (always Spanish) with the lead's context and where to act. */
export function renderEscalation({ lead, kind, stage, owner, leadUrl, temporalUrl }: {
  lead: Lead; kind: EscalationKind; stage: string; owner: string | null; leadUrl: string; temporalUrl: string;
}): RenderedMail {
  const who = `${lead.firstName} ${lead.lastName}`;
  const subject = {
    sla_missed: `SLA incumplido: ${who} sin primer contacto a tiempo`,
    stalled: `Lead estancado: ${who} (${stage})`,
    unassigned: `Sin capacidad: ${who} espera una ejecutiva`,
  }[kind];
  const lines = [
    {
      sla_missed: `Nadie registró un intento de contacto con ${who} en las 24 horas siguientes a su creación.`,
      stalled: `${who} no avanza en la etapa "${stage}" y no respondió al toque de reactivación.`,
      unassigned: `Todas las ejecutivas que pueden atender a ${who} están en su tope de leads activos (o ausentes). El lead espera en la cola y se asignará en cuanto se libere capacidad; también puede asignarse a mano.`,
    }[kind],
    `Curso: ${lead.course.name} (${lead.course.code}) · País: ${lead.country} · Perfil: ${lead.profile}${lead.company ? ` · Empresa: ${lead.company}` : ''}`,
    `Responsable: ${owner ?? 'sin asignar'}`,
    `Ver el lead: ${leadUrl}`,
    `Ver en Temporal: ${temporalUrl}`,
  ];
  return {
    subject,
    text: lines.join('\n\n'),
    html: html`<!doctype html><html lang="es"><body>${lines.map((l) => html`<p>${l}</p>`)}</body></html>`.value,
  };
}
