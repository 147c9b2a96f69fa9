import type { Lead } from '../../domain/lead';
import { html } from '../../lib/html';

import type { RenderedMail, TouchTemplate } from '../../domain/emails';
import type { Urgency } from '../../domain/urgency';

export type Language = 'es' | 'pt' | 'en';

const LOCALES: Record<Language, string> = { es: 'es', pt: 'pt-BR', en: 'en' };

/** Spanish by default, Portuguese for Brazil and Portugal, English when the lead asked for it. */
export function languageOf(lead: Lead): Language {
  return lead.language ?? (lead.country === 'BR' || lead.country === 'PT' ? 'pt' : 'es');
}

const formatDate = (isoDate: string, lang: Language) =>
  new Date(`${isoDate}T12:00:00Z`).toLocaleDateString(LOCALES[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

type Phrase = Record<Language, string>;
const say = (lang: Language, phrase: Phrase) => phrase[lang];

/** "USD 990", "COP 1.990.000": the ISO code reads the same in every country we sell in. */
const formatMoney = (amount: number, currency: string, lang: Language) =>
  `${currency} ${new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 }).format(amount)}`;

/**
 * Honest urgency only: each line is one the catalog makes true at the moment of sending
 * (domain/urgency.ts); the last line is always the cohort, or that none is open yet.
 */
function urgencyLines(urgency: Urgency, lang: Language): string[] {
  const lines: string[] = [];
  if (urgency.earlyBird) {
    const d = formatDate(urgency.earlyBird.deadline, lang);
    const price = formatMoney(urgency.earlyBird.price, urgency.earlyBird.currency, lang);
    lines.push(say(lang, { es: `Con inscripción anticipada pagas ${price} hasta el ${d}.`, pt: `Com a inscrição antecipada você paga ${price} até ${d}.`, en: `With early registration you pay ${price} until ${d}.` }));
  }
  if (urgency.seatsLeft !== undefined) {
    const n = urgency.seatsLeft;
    lines.push(n === 1
      ? say(lang, { es: 'Queda 1 cupo.', pt: 'Resta 1 vaga.', en: '1 seat left.' })
      : say(lang, { es: `Quedan ${n} cupos.`, pt: `Restam ${n} vagas.`, en: `${n} seats left.` }));
  }
  if (urgency.nextCohort) {
    const d = formatDate(urgency.nextCohort.startDate, lang);
    lines.push(say(lang, { es: `La próxima cohorte comienza el ${d}.`, pt: `A próxima turma começa em ${d}.`, en: `The next cohort starts on ${d}.` }));
  } else if (urgency.noUpcomingCohort) {
    lines.push(say(lang, { es: 'Por ahora no hay una cohorte abierta: te escribiremos apenas abramos la próxima.', pt: 'No momento não há turma aberta: vamos escrever assim que abrirmos a próxima.', en: 'There is no open cohort right now: we will write as soon as the next one opens.' }));
  }
  return lines;
}

/** A person who comes back is greeted as such: an alumnus by the course they took, anyone else warmly. */
function returningLine(lead: Lead, lang: Language): string | null {
  const back = lead.returning;
  if (!back) return null;
  const before = back.previousCourse.name;
  if (back.previousStage === 'enrolled') {
    return say(lang, {
      es: `Como egresado de "${before}", ya conoces cómo trabajamos: nos alegra que quieras seguir aprendiendo con nosotros.`,
      pt: `Como ex-aluno de "${before}", você já conhece o nosso jeito de trabalhar: ficamos felizes que queira continuar aprendendo conosco.`,
      en: `As a graduate of "${before}", you already know how we work: we are glad you want to keep learning with us.`,
    });
  }
  return say(lang, { es: 'Qué bueno saber de ti otra vez.', pt: 'Que bom ter notícias suas de novo.', en: 'Good to hear from you again.' });
}

/** Courses the person also asked about during this follow-up: said once, so the mail answers all of them. */
function otherCoursesLine(lead: Lead, lang: Language): string | null {
  const names = (lead.otherCourses ?? []).map((c) => `"${c.name}"`).join(', ');
  if (!names) return null;
  return say(lang, {
    es: `También nos preguntaste por ${names}: con gusto te contamos de ${lead.otherCourses!.length > 1 ? 'todos' : 'ambos'}.`,
    pt: `Você também perguntou por ${names}: contamos com prazer sobre ${lead.otherCourses!.length > 1 ? 'todos' : 'ambos'}.`,
    en: `You also asked about ${names}: we are happy to tell you about ${lead.otherCourses!.length > 1 ? 'all of them' : 'both'}.`,
  });
}

function pitch(lead: Lead, lang: Language): string {
  const c = lead.company;
  if (lead.profile === 'b2b') {
    return say(lang, {
      es: `Podemos preparar una propuesta para el equipo${c ? ` de ${c}` : ''}, con opciones para la aprobación del presupuesto.`,
      pt: `Podemos preparar uma proposta para a equipe${c ? ` da ${c}` : ''}, com opções de aprovação de orçamento.`,
      en: `We can prepare a proposal for the team${c ? ` at ${c}` : ''}, with options for budget approval.`,
    });
  }
  return say(lang, { es: 'Conversemos sobre cómo este curso puede impulsar tu carrera.', pt: 'Vamos conversar sobre como este curso pode impulsionar a sua carreira.', en: "Let's talk about how this course can move your career forward." });
}

/**
 * Touch emails, personalised with the lead's name, course, profile, company and the benefit noted on
 * the first call, in the lead's language.
 */
export function renderTouchEmail({ lead, template, urgency, unsubscribeUrl }: { lead: Lead; template: TouchTemplate; urgency: Urgency; unsubscribeUrl: string }): RenderedMail {
  const lang = languageOf(lead);
  const course = lead.course.name;
  const name = lead.firstName;
  const benefit = lead.benefit ? say(lang, { es: `Nos contaste que buscas: ${lead.benefit}.`, pt: `Você nos contou que busca: ${lead.benefit}.`, en: `You told us you are looking for: ${lead.benefit}.` }) : null;
  const hello = say(lang, { es: `¡Hola, ${name}!`, pt: `Olá, ${name}!`, en: `Hello ${name},` });
  const urgent = urgencyLines(urgency, lang);
  const replyToTalk = say(lang, { es: 'Responde a este correo y coordinamos una conversación.', pt: 'Responda a este e-mail e combinamos uma conversa.', en: 'Reply to this email and we will set up a conversation.' });
  const content: Record<TouchTemplate, { subject: Phrase; lines: (string | null)[] }> = {
    welcome: {
      subject: { es: `Tu interés en ${course}`, pt: `Seu interesse em ${course}`, en: `Your interest in ${course}` },
      lines: [hello, returningLine(lead, lang), say(lang, { es: `Gracias por tu interés en "${course}".`, pt: `Obrigado pelo seu interesse em "${course}".`, en: `Thank you for your interest in "${course}".` }), pitch(lead, lang), ...urgent.slice(-1),
        // A call is promised only to someone who gave us a number to call.
        lead.phone
          ? say(lang, { es: 'Muy pronto una persona de nuestro equipo te llamará.', pt: 'Em breve uma pessoa da nossa equipe vai ligar para você.', en: 'Someone from our team will call you very soon.' })
          : replyToTalk],
    },
    'first-email': {
      subject: { es: `${name}, más sobre ${course}`, pt: `${name}, mais sobre ${course}`, en: `${name}, more about ${course}` },
      lines: [hello, returningLine(lead, lang), say(lang, { es: `Quería compartirte más detalles sobre "${course}".`, pt: `Queria compartilhar mais detalhes sobre "${course}".`, en: `I wanted to share more details about "${course}".` }), otherCoursesLine(lead, lang), benefit, pitch(lead, lang), ...urgent, replyToTalk],
    },
    'break-up-email': {
      subject: { es: `¿Cierro tu solicitud sobre ${course}?`, pt: `Fecho o seu pedido sobre ${course}?`, en: `Shall I close your request about ${course}?` },
      lines: [hello, say(lang, { es: 'Intentamos hablar contigo algunas veces, sin éxito.', pt: 'Tentamos falar com você algumas vezes, sem sucesso.', en: 'We tried to reach you a few times, without luck.' }), benefit,
        say(lang, { es: 'Si todavía te interesa, basta con responder este correo.', pt: 'Se ainda tiver interesse, basta responder a este e-mail.', en: 'If you are still interested, just reply to this email.' })],
    },
    'call-request': {
      subject: { es: `${name}, ¿cuándo podemos conversar?`, pt: `${name}, quando podemos conversar?`, en: `${name}, when can we talk?` },
      lines: [hello, returningLine(lead, lang),
        say(lang, { es: `Me gustaría llamarte para contarte sobre "${course}", pero no tengo un número tuyo.`, pt: `Gostaria de ligar para contar sobre "${course}", mas não tenho o seu número.`, en: `I would like to call you about "${course}", but I do not have your number.` }),
        say(lang, { es: 'Si te parece, responde con tu teléfono y el horario que mejor te acomode; o escríbeme aquí tus preguntas.', pt: 'Se quiser, responda com o seu telefone e o melhor horário; ou escreva aqui as suas perguntas.', en: 'If you like, reply with your phone number and a good time; or write your questions here.' }),
        otherCoursesLine(lead, lang), benefit, ...urgent],
    },
    'call-request-follow-up': {
      subject: { es: `¿Seguimos por correo, ${name}?`, pt: `Seguimos por e-mail, ${name}?`, en: `Shall we keep to email, ${name}?` },
      lines: [hello,
        say(lang, { es: `Sigo sin un número para llamarte, así que te escribo por aquí sobre "${course}".`, pt: `Continuo sem um número para ligar, então escrevo por aqui sobre "${course}".`, en: `I still have no number to call you, so I am writing here about "${course}".` }),
        benefit, pitch(lead, lang), ...urgent, replyToTalk],
    },
    'personal-note': {
      subject: { es: `${name}, una nota personal sobre ${course}`, pt: `${name}, uma nota pessoal sobre ${course}`, en: `${name}, a personal note about ${course}` },
      lines: [hello,
        say(lang, { es: `Te escribo personalmente porque vi tu interés en "${course}"${lead.company ? ` y tu trabajo en ${lead.company}` : ''}.`, pt: `Escrevo pessoalmente porque vi o seu interesse em "${course}"${lead.company ? ` e o seu trabalho na ${lead.company}` : ''}.`, en: `I am writing personally because I saw your interest in "${course}"${lead.company ? ` and your work at ${lead.company}` : ''}.` }),
        otherCoursesLine(lead, lang), pitch(lead, lang), ...urgent, replyToTalk],
    },
    // "New cohorts" only when one is scheduled; otherwise news, and the promise to write when one opens.
    nurturing: urgency.nextCohort ? {
      subject: { es: `Nueva cohorte de ${course}`, pt: `Nova turma de ${course}`, en: `A new cohort of ${course}` },
      lines: [hello, say(lang, { es: `Abrimos una nueva cohorte de "${course}".`, pt: `Abrimos uma nova turma de "${course}".`, en: `We have opened a new cohort of "${course}".` }), ...urgent,
        say(lang, { es: 'Si quieres conversar, responde este correo.', pt: 'Se quiser conversar, responda a este e-mail.', en: 'If you would like to talk, reply to this email.' })],
    } : {
      subject: { es: `Novedades de ${course}`, pt: `Novidades de ${course}`, en: `News about ${course}` },
      lines: [hello, say(lang, { es: `Seguimos pensando en ti y en "${course}".`, pt: `Continuamos pensando em você e em "${course}".`, en: `We are still thinking of you and "${course}".` }), ...urgent,
        say(lang, { es: 'Si quieres conversar, responde este correo.', pt: 'Se quiser conversar, responda a este e-mail.', en: 'If you would like to talk, reply to this email.' })],
    },
    reactivation: {
      subject: { es: `${name}, ¿seguimos con ${course}?`, pt: `${name}, seguimos com ${course}?`, en: `${name}, shall we continue with ${course}?` },
      lines: [hello, say(lang, { es: `Quedó algo pendiente sobre "${course}".`, pt: `Ficou algo pendente sobre "${course}".`, en: `Something is still open about "${course}".` }), otherCoursesLine(lead, lang), benefit, ...urgent,
        say(lang, { es: 'Podemos retomarlo cuando te venga mejor.', pt: 'Podemos retomar quando for melhor para você.', en: 'We can pick it up whenever suits you best.' })],
    },
  };
  const { subject, lines } = content[template];
  const body = lines.filter((l): l is string => Boolean(l));
  // Visible in every email, besides the List-Unsubscribe header: one click and it is over, for good.
  const unsubscribe = say(lang, { es: '¿No quieres recibir más correos? Date de baja:', pt: 'Não quer receber mais e-mails? Cancele a inscrição:', en: "Don't want these emails? Unsubscribe:" });
  const linkText = say(lang, { es: 'darme de baja', pt: 'cancelar inscrição', en: 'unsubscribe' });
  const footer = html`<hr><p style="font-size:12px;color:#666">${unsubscribe} <a href="${unsubscribeUrl}">${linkText}</a></p>`;
  return {
    subject: subject[lang],
    text: `${body.join('\n\n')}\n\n--\n${unsubscribe} ${unsubscribeUrl}`,
    html: html`<!doctype html><html lang="${LOCALES[lang]}"><body>${body.map((l) => html`<p>${l}</p>`)}${footer}</body></html>`.value,
  };
}
