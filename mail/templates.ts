import type { Lead } from '../domain/lead';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type TouchTemplate = 'welcome' | 'first-email' | 'break-up-email' | 'nurturing' | 'reactivation';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const formatDate = (isoDate: string, locale: string) =>
  new Date(`${isoDate}T12:00:00Z`).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Honest urgency only: each line appears only when the course data makes it true. */
function urgencyLines(lead: Lead, pt: boolean, today: string): string[] {
  const { course } = lead;
  const locale = pt ? 'pt-BR' : 'es';
  const lines: string[] = [];
  if (course.earlyBirdDeadline && course.earlyBirdDeadline >= today) {
    const d = formatDate(course.earlyBirdDeadline, locale);
    lines.push(pt ? `O desconto de inscrição antecipada vale até ${d}.` : `El descuento por inscripción anticipada vale hasta el ${d}.`);
  }
  if (course.seatsLeft !== undefined && course.seatsLeft <= 10) {
    lines.push(pt ? `Restam ${course.seatsLeft} vagas.` : `Quedan ${course.seatsLeft} cupos.`);
  }
  if (course.startDate && course.startDate >= today) {
    const d = formatDate(course.startDate, locale);
    lines.push(pt ? `A próxima turma começa em ${d}.` : `La próxima cohorte comienza el ${d}.`);
  }
  return lines;
}

function pitch(lead: Lead, pt: boolean): string {
  const company = lead.company;
  if (lead.profile === 'b2b') {
    return pt
      ? `Podemos preparar uma proposta para a equipe${company ? ` da ${company}` : ''}, com opções de aprovação de orçamento.`
      : `Podemos preparar una propuesta para el equipo${company ? ` de ${company}` : ''}, con opciones para la aprobación del presupuesto.`;
  }
  return pt ? 'Vamos conversar sobre como este curso pode impulsionar a sua carreira.' : 'Conversemos sobre cómo este curso puede impulsar tu carrera.';
}

/**
 * Touch emails, Spanish by default and Brazilian Portuguese for Brazil, personalised with the lead's
 * name, course, profile, company and the benefit noted on the first call.
 */
export function renderTouchEmail({ lead, template, today, unsubscribeUrl }: { lead: Lead; template: TouchTemplate; today: string; unsubscribeUrl: string }): RenderedMail {
  const pt = lead.country === 'BR';
  const course = lead.course.name;
  const benefit = lead.benefit
    ? pt ? `Você nos contou que busca: ${lead.benefit}.` : `Nos contaste que buscas: ${lead.benefit}.`
    : null;
  const hello = pt ? `Olá, ${lead.firstName}!` : `¡Hola, ${lead.firstName}!`;
  const urgency = urgencyLines(lead, pt, today);
  const content: Record<TouchTemplate, { subject: string; lines: (string | null)[] }> = {
    welcome: {
      subject: pt ? `Seu interesse em ${course}` : `Tu interés en ${course}`,
      lines: [hello, pt ? `Obrigado pelo seu interesse em "${course}".` : `Gracias por tu interés en "${course}".`, pitch(lead, pt), ...urgency.slice(-1),
        pt ? 'Em breve uma pessoa da nossa equipe vai ligar para você.' : 'Muy pronto una persona de nuestro equipo te llamará.'],
    },
    'first-email': {
      subject: pt ? `${lead.firstName}, mais sobre ${course}` : `${lead.firstName}, más sobre ${course}`,
      lines: [hello, pt ? `Queria compartilhar mais detalhes sobre "${course}".` : `Quería compartirte más detalles sobre "${course}".`, benefit, pitch(lead, pt), ...urgency,
        pt ? 'Responda a este e-mail e combinamos uma conversa.' : 'Responde a este correo y coordinamos una conversación.'],
    },
    'break-up-email': {
      subject: pt ? `Fecho o seu pedido sobre ${course}?` : `¿Cierro tu solicitud sobre ${course}?`,
      lines: [hello, pt ? 'Tentamos falar com você algumas vezes, sem sucesso.' : 'Intentamos hablar contigo algunas veces, sin éxito.', benefit,
        pt ? 'Se ainda tiver interesse, basta responder a este e-mail.' : 'Si todavía te interesa, basta con responder este correo.'],
    },
    nurturing: {
      subject: pt ? `Novas turmas de ${course}` : `Nuevas cohortes de ${course}`,
      lines: [hello, pt ? `Temos novidades sobre "${course}" e novas turmas.` : `Tenemos novedades sobre "${course}" y nuevas cohortes.`, ...urgency,
        pt ? 'Se quiser conversar, responda a este e-mail.' : 'Si quieres conversar, responde este correo.'],
    },
    reactivation: {
      subject: pt ? `${lead.firstName}, seguimos com ${course}?` : `${lead.firstName}, ¿seguimos con ${course}?`,
      lines: [hello, pt ? `Ficou algo pendente sobre "${course}".` : `Quedó algo pendiente sobre "${course}".`, benefit, ...urgency,
        pt ? 'Podemos retomar quando for melhor para você.' : 'Podemos retomarlo cuando te venga mejor.'],
    },
  };
  const { subject, lines } = content[template];
  const body = lines.filter((l): l is string => Boolean(l));
  // Visible in every email, besides the List-Unsubscribe header: one click and it is over, for good.
  const unsubscribe = pt ? 'Não quer receber mais e-mails? Cancele a inscrição:' : '¿No quieres recibir más correos? Date de baja:';
  return {
    subject,
    text: `${body.join('\n\n')}\n\n--\n${unsubscribe} ${unsubscribeUrl}`,
    html:
      `<!doctype html><html lang="${pt ? 'pt-BR' : 'es'}"><body>${body.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}` +
      `<hr><p style="font-size:12px;color:#666">${escapeHtml(unsubscribe)} <a href="${escapeHtml(unsubscribeUrl)}">${pt ? 'cancelar inscrição' : 'darme de baja'}</a></p></body></html>`,
  };
}
