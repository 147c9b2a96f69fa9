import type { Lead } from '../domain/lead';
import type { RenderedMail } from './templates';

export type EscalationKind = 'sla_missed' | 'stalled';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** An internal email (always Spanish) with the lead's context and where to act. */
export function renderEscalation({ lead, kind, stage, owner, leadUrl, temporalUrl }: {
  lead: Lead; kind: EscalationKind; stage: string; owner: string | null; leadUrl: string; temporalUrl: string;
}): RenderedMail {
  const who = `${lead.firstName} ${lead.lastName}`;
  const subject = kind === 'sla_missed'
    ? `SLA incumplido: ${who} sin primer contacto a tiempo`
    : `Lead estancado: ${who} (${stage})`;
  const lines = [
    kind === 'sla_missed'
      ? `Nadie registró un intento de contacto con ${who} en las 24 horas siguientes a su creación.`
      : `${who} no avanza en la etapa "${stage}" y no respondió al toque de reactivación.`,
    `Curso: ${lead.course.name} (${lead.course.code}) · País: ${lead.country} · Perfil: ${lead.profile}${lead.company ? ` · Empresa: ${lead.company}` : ''}`,
    `Responsable: ${owner ?? 'sin asignar'}`,
    `Ver el lead: ${leadUrl}`,
    `Ver en Temporal: ${temporalUrl}`,
  ];
  return {
    subject,
    text: lines.join('\n\n'),
    html: `<!doctype html><html lang="es"><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  };
}
