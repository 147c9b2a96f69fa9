import type { Lead } from '../domain/lead';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const formatDate = (isoDate: string, locale: string) =>
  new Date(`${isoDate}T12:00:00Z`).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * The welcome email that opens the cadence. Spanish by default, Brazilian Portuguese for Brazil;
 * the full template set (follow-ups, break-up, nurturing, urgency) grows from here.
 */
export function renderWelcome({ lead }: { lead: Lead }): RenderedMail {
  const pt = lead.country === 'BR';
  const locale = pt ? 'pt-BR' : 'es';
  const { course } = lead;
  const start = course.startDate ? formatDate(course.startDate, locale) : null;
  const lines = pt
    ? [
        `Olá, ${lead.firstName}!`,
        `Obrigado pelo seu interesse em "${course.name}".`,
        lead.profile === 'b2b'
          ? `Podemos preparar uma proposta para a equipe${lead.company ? ` da ${lead.company}` : ''}, com opções de aprovação de orçamento.`
          : 'Vamos conversar sobre como este curso pode impulsionar a sua carreira.',
        start ? `A próxima turma começa em ${start}.` : null,
        'Em breve uma pessoa da nossa equipe vai ligar para você.',
      ]
    : [
        `¡Hola, ${lead.firstName}!`,
        `Gracias por tu interés en "${course.name}".`,
        lead.profile === 'b2b'
          ? `Podemos preparar una propuesta para el equipo${lead.company ? ` de ${lead.company}` : ''}, con opciones para la aprobación del presupuesto.`
          : 'Conversemos sobre cómo este curso puede impulsar tu carrera.',
        start ? `La próxima cohorte comienza el ${start}.` : null,
        'Muy pronto una persona de nuestro equipo te llamará.',
      ];
  const body = lines.filter((l): l is string => l !== null);
  return {
    subject: pt ? `Seu interesse em ${course.name}` : `Tu interés en ${course.name}`,
    text: body.join('\n\n'),
    html: `<!doctype html><html lang="${locale}"><body>${body.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  };
}
