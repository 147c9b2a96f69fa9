import { pauseUntilOf, readInboundMail, returnDateOf } from '../../domain/inbound-mail';
import { languageOf } from '../../presentation/emails/templates';
import { aLead } from '../support/leads';

describe('an auto-reply is told from a person by its headers (RFC 3834 and the usual X- headers)', () => {
  it.each([
    [{ 'Auto-Submitted': 'auto-replied' }, 'Auto-Submitted: auto-replied'],
    [{ 'auto-submitted': 'auto-generated; owner-email="x@example.org"' }, 'Auto-Submitted: auto-generated'],
    [{ 'X-Autoreply': 'yes' }, 'x-autoreply: yes'],
    [{ 'X-Autorespond': 'Out of office' }, 'x-autorespond: Out of office'],
    [{ Precedence: 'auto_reply' }, 'Precedence: auto_reply'],
    [{ Precedence: 'bulk' }, 'Precedence: bulk'],
    [{ precedence: 'junk' }, 'Precedence: junk'],
  ])('%j', (headers, signal) => {
    expect(readInboundMail({ subject: 'Re: Tu interés', text: 'Gracias', headers })).toEqual({ kind: 'auto_reply', signal });
  });

  it('Auto-Submitted: no, and Precedence: list, are a person writing', () => {
    expect(readInboundMail({ subject: 'Re: Tu interés', text: 'Me interesa', headers: { 'Auto-Submitted': 'no', Precedence: 'list' } })).toEqual({ kind: 'reply' });
  });
});

describe('out-of-office wording in Spanish, Portuguese and English', () => {
  it.each([
    ['Respuesta automática: Tu interés en Ciencia de Datos', ''],
    ['Fuera de la oficina', ''],
    ['Ausente', ''],
    ['Re: Tu interés', 'Hola, estoy de vacaciones y sin acceso al correo.'],
    ['Re: Tu interés', 'Me encuentro fuera de la oficina hasta el lunes.'],
    ['Resposta automática: Seu interesse', ''],
    ['Re: Seu interesse', 'Estou fora do escritório. Estarei de férias até 15/01.'],
    ['Automatic reply: Your interest', ''],
    ['Out of Office: Your interest', ''],
    ['Re: Your interest', 'I am on vacation with limited access to email.'],
  ])('%s / %s', (subject, text) => {
    expect(readInboundMail({ subject, text }).kind).toBe('auto_reply');
  });

  it('a person who replies is a reply, even when what they quote, or a word like "ausente" in passing, sounds like an absence', () => {
    const quoted = 'Sí, me interesa. Estuve ausente la semana pasada.\n\nEl lun, 14 dic 2026, Seguimiento escribió:\n> Respuesta automática de vacaciones';
    expect(readInboundMail({ subject: 'Re: Tu interés en Ciencia de Datos', text: quoted })).toEqual({ kind: 'reply' });
    expect(readInboundMail({ subject: 'Re: Your interest', text: 'Yes please, call me.\n> out of office' })).toEqual({ kind: 'reply' });
  });
});

describe('the return date an out-of-office states, always ahead of today', () => {
  const today = '2026-12-20';
  it.each([
    ['Estaré fuera de la oficina hasta el 15 de enero.', '2027-01-15'],
    ['Regreso el 2027-01-15.', '2027-01-15'],
    ['Estou de férias até 15/01.', '2027-01-15'],
    ['Volto em 2 de fevereiro de 2027.', '2027-02-02'],
    ['I am out of the office until January 15.', '2027-01-15'],
    ['Back on 01/15/2027.', '2027-01-15'],
    ['On vacation from Dec 22 until Jan 5th, back on the 6th.', '2027-01-05'],
    ['Del 21 de diciembre al 8 de enero, vuelvo el 11 de enero.', '2027-01-11'],
    ['De vacaciones hasta el 28 de diciembre.', '2026-12-28'],
    ['Out of office.', null],
    ['Fuera de la oficina hasta el 1 de enero de 2026.', null], // in the past: not a return date
  ])('%s → %s', (text, date) => {
    expect(returnDateOf(text, today)).toBe(date);
  });

  it('pauses until 09:00 on the return day in the lead\'s time zone, or a week when no day is stated', () => {
    const now = new Date('2026-12-20T15:00:00Z');
    expect(pauseUntilOf({ text: 'De vacaciones hasta el 15 de enero', now, timeZone: 'America/Bogota' })).toEqual({ until: new Date('2027-01-15T14:00:00Z'), returnDate: '2027-01-15' });
    expect(pauseUntilOf({ subject: 'Ausência', text: 'Estou de férias até 15/01', now, timeZone: 'Europe/Lisbon' }).until).toEqual(new Date('2027-01-15T09:00:00Z'));
    expect(pauseUntilOf({ text: 'Out of office', now, timeZone: 'America/Mexico_City' })).toEqual({ until: new Date('2026-12-27T15:00:00Z'), returnDate: null });
    // Without the lead's time zone: the start of the day after, in UTC, when the person is back anywhere.
    expect(pauseUntilOf({ text: 'Back on January 15', now, timeZone: null }).until).toEqual(new Date('2027-01-16T00:00:00Z'));
  });
});

describe('a delivery status notification (RFC 3464) is a bounce', () => {
  const dsn = (status: string, action: string) => [
    'This is the mail system at host mx.example.org.', '',
    'Reporting-MTA: dns; mx.example.org', 'Arrival-Date: Mon, 14 Dec 2026 10:00:00 +0000', '',
    'Final-Recipient: rfc822; Ana@Example.co', 'Original-Recipient: rfc822;ana@example.co', `Action: ${action}`, `Status: ${status}`,
    'Diagnostic-Code: smtp; 550 5.1.1 <ana@example.co>: Recipient address rejected', '',
    'From: Seguimiento <seguimiento@example.com>', 'Message-ID: <L-0abc.step-0.attempt-1@example.com>', 'Subject: Tu interés',
  ].join('\n');
  const reportType = { 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b1"' };

  it('5.x.x failed is permanent, with the recipient and the returned message\'s id', () => {
    expect(readInboundMail({ subject: 'Undelivered Mail Returned to Sender', text: dsn('5.1.1', 'failed'), headers: reportType })).toEqual({
      kind: 'bounce', status: '5.1.1', permanent: true, finalRecipient: 'ana@example.co', originalRecipient: 'ana@example.co',
      returnedMessageIds: ['<L-0abc.step-0.attempt-1@example.com>'],
    });
  });

  it('4.x.x delayed is transient; a report without its Content-Type header is still read from its fields', () => {
    expect(readInboundMail({ subject: 'Delayed Mail (still being retried)', text: dsn('4.4.7', 'delayed') })).toMatchObject({ kind: 'bounce', status: '4.4.7', permanent: false });
  });

  it('a bounce is a bounce even when the relay also marks it auto-submitted', () => {
    expect(readInboundMail({ text: dsn('5.2.1', 'failed'), headers: { ...reportType, 'Auto-Submitted': 'auto-replied' } }).kind).toBe('bounce');
  });
});

test('Portuguese for leads in Portugal as for Brazil; Spanish elsewhere; the lead\'s own choice first', () => {
  const lead = (overrides: object) => ({ ...aLead(overrides), leadId: 'L-0000000000001', createdAt: '2026-12-01T00:00:00Z' }) as Parameters<typeof languageOf>[0];
  expect(languageOf(lead({ country: 'PT' }))).toBe('pt');
  expect(languageOf(lead({ country: 'BR' }))).toBe('pt');
  expect(languageOf(lead({ country: 'ES' }))).toBe('es');
  expect(languageOf(lead({ country: 'PT', language: 'en' }))).toBe('en');
});
