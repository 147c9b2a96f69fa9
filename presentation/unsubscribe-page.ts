import { html } from '../lib/html';
import type { Language } from './emails/templates';

export type UnsubscribePageState = 'confirm' | 'done' | 'already' | 'invalid' | 'bad-request';

type Words = { title: string; text: string; button?: string };
const WORDS: Record<Language, Record<UnsubscribePageState, Words>> = {
  es: {
    confirm: { title: '¿Dejar de recibir nuestros mensajes?', text: 'Si confirmas, no volverás a recibir correos ni llamadas nuestras sobre este curso.', button: 'Sí, darme de baja' },
    done: { title: 'Listo: te diste de baja', text: 'No volverás a recibir correos ni llamadas nuestras sobre este curso.' },
    already: { title: 'Ya te habías dado de baja', text: 'No recibirás más correos ni llamadas nuestras sobre este curso.' },
    invalid: { title: 'Enlace no válido', text: 'Este enlace para darte de baja no es válido. Si quieres dejar de recibir correos, responde a cualquiera de nuestros mensajes.' },
    'bad-request': { title: 'No se pudo completar', text: 'Abre de nuevo el enlace de tu correo y pulsa el botón para darte de baja.' },
  },
  pt: {
    confirm: { title: 'Deixar de receber nossas mensagens?', text: 'Se confirmar, você não receberá mais e-mails nem ligações nossas sobre este curso.', button: 'Sim, cancelar inscrição' },
    done: { title: 'Pronto: inscrição cancelada', text: 'Você não receberá mais e-mails nem ligações nossas sobre este curso.' },
    already: { title: 'Sua inscrição já estava cancelada', text: 'Você não receberá mais e-mails nem ligações nossas sobre este curso.' },
    invalid: { title: 'Link inválido', text: 'Este link para cancelar a inscrição não é válido. Se não quiser mais receber e-mails, responda a qualquer uma das nossas mensagens.' },
    'bad-request': { title: 'Não foi possível concluir', text: 'Abra novamente o link do seu e-mail e clique no botão para cancelar a inscrição.' },
  },
  en: {
    confirm: { title: 'Stop receiving our messages?', text: 'If you confirm, you will get no more emails or calls from us about this course.', button: 'Yes, unsubscribe me' },
    done: { title: 'Done: you are unsubscribed', text: 'You will get no more emails or calls from us about this course.' },
    already: { title: 'You had already unsubscribed', text: 'You will get no more emails or calls from us about this course.' },
    invalid: { title: 'Invalid link', text: 'This unsubscribe link is not valid. To stop our emails, reply to any of our messages.' },
    'bad-request': { title: 'Could not complete', text: 'Open the link in your email again and press the button to unsubscribe.' },
  },
};

/**
 * The page behind the link in every email, in the lead's language. Opening it changes nothing (mail
 * scanners open every link); only its button, a POST, opts out. The button posts the same body as
 * RFC 8058 one-click, so both go through one door.
 */
export function unsubscribePage({ state, lang }: { state: UnsubscribePageState; lang: Language }): string {
  const { title, text, button } = WORDS[lang][state];
  const form = button
    ? html`<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">${button}</button></form>`
    : '';
  return html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p>${form}</body></html>`.value;
}
