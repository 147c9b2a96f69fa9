import { localParts, zonedTime } from '../../domain/calendar';
import { defaultPolicy } from '../../domain/policy';
import { parseMail } from '../../dev/smtp-catcher/catcher';
import { LeadService } from '../../services/lead-service';
import { aLead } from '../support/leads';
import { pythonMessageIds } from '../support/rfc5322';
import { API_KEY, eventually, MAIL_DOMAIN, PUBLIC_URL, SECRETS, startStack, type Stack } from '../support/stack';

/**
 * What comes back to our mails, through the real inbound webhook: a person's reply, an out-of-office
 * and a bounce each do what a person reading the inbox would do.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const api = () => stack.api;
const inbound = (body: object) => api().post('/webhooks/inbound-email').set('X-Webhook-Secret', SECRETS.inboundEmailWebhook).send(body);
const leadOf = async (leadId: string) => (await api().get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200)).body;
const mailsTo = (email: string) => stack.catcher.list().filter((m) => m.envelope.to.includes(email));
async function enrolAndGetWelcome(overrides = {}) {
  const lead = aLead(overrides);
  const { body } = await api().post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(lead).expect(201);
  const raw = await stack.catcher.waitFor((m) => m.envelope.to.includes(lead.email), 60_000);
  return { lead, leadId: body.leadId as string, raw, welcome: await parseMail(raw) };
}
const MESES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
const daysAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

test('a real reply to a mail with the new Message-ID still ends the cadence; the id is one a standard parser keeps whole', async () => {
  const { leadId, raw, welcome } = await enrolAndGetWelcome();
  expect(welcome.messageId).toBe(`<${leadId}.step-0.attempt-1@${MAIL_DOMAIN}>`);
  expect(pythonMessageIds([raw.raw])).toEqual([{ id: welcome.messageId, defects: [] }]);

  const reply = await inbound({
    from: 'Valentina <otra.direccion@example.org>', subject: `Re: ${welcome.subject}`, inReplyTo: welcome.messageId, references: welcome.messageId,
    text: 'Sí, me interesa. ¿Cuándo empieza?', headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  }).expect(200);
  expect(reply.body).toEqual({ matched: true, leadId, matchedBy: 'thread', kind: 'reply', delivered: true });
  const state = await eventually(async () => {
    const s = await leadOf(leadId);
    expect(s.stage).toBe('engaged');
    return s;
  });
  expect(state.outcomes.map((o: { type: string; by: string }) => [o.type, o.by])).toEqual([['replied', 'inbound-email']]);
});

test('an out-of-office pauses the lead until 09:00 of the day it says, in the lead\'s time zone, and does not count as a reply', async () => {
  const { lead, leadId, welcome } = await enrolAndGetWelcome({ country: 'CO' });
  const today = localParts(new Date(), 'America/Bogota').date;
  const back = daysAfter(today, 20);
  const [, month, day] = back.split('-').map(Number) as [number, number, number];
  const autoReply = {
    from: lead.email, subject: `Respuesta automática: ${welcome.subject}`, messageId: `<oof-${leadId}@mail.example.co>`, inReplyTo: welcome.messageId,
    text: `Hola, estoy fuera de la oficina hasta el ${day} de ${MESES[month - 1]} sin acceso al correo. Gracias.`,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
  };
  const until = zonedTime(back, 9, 'America/Bogota').toISOString();
  const { body } = await inbound(autoReply).expect(200);
  expect(body).toEqual({
    matched: true, leadId, matchedBy: 'thread', kind: 'auto_reply', signal: 'Auto-Submitted: auto-replied', returnDate: back, pausedUntil: until, applied: true,
  });
  const state = await leadOf(leadId);
  expect(state.paused).toEqual({ since: expect.any(String), until });
  expect(state.stage).toBe('contacting');
  expect(state.outcomes).toEqual([]);
  // The provider delivering the same message again changes nothing.
  expect((await inbound(autoReply).expect(200)).body).toMatchObject({ kind: 'auto_reply', pausedUntil: until, applied: true });
  expect((await leadOf(leadId)).paused.until).toBe(until);
});

test('a Portuguese lead in Portugal gets Portuguese, and an auto-reply without a date pauses a week, to 09:00 in Lisbon', async () => {
  const { lead, leadId, welcome } = await enrolAndGetWelcome({
    country: 'PT', firstName: 'Inês', course: { code: 'DS-101', name: 'Ciência de Dados', startDate: '2027-02-01' },
  });
  expect(welcome.text).toContain('Olá, Inês!');
  const { body } = await inbound({ from: `Inês <${lead.email}>`, subject: 'Ausente', text: 'Estou de férias, sem acesso ao email.', headers: { Precedence: 'auto_reply' } }).expect(200);
  const until = zonedTime(daysAfter(localParts(new Date(), 'Europe/Lisbon').date, 7), 9, 'Europe/Lisbon').toISOString();
  expect(body).toMatchObject({ leadId, matchedBy: 'sender', kind: 'auto_reply', returnDate: null, pausedUntil: until, applied: true });
  expect((await leadOf(leadId)).paused.until).toBe(until);
});

test('a permanent bounce marks the contact bad and stops mail; a transient one changes nothing', async () => {
  // Days of two seconds, so the cadence's next mails come within the test.
  const quick = new LeadService({ temporal: stack.env.client, ledger: stack.ledger, publicUrl: PUBLIC_URL, policy: { ...defaultPolicy({ dayMs: 2000 }), calendarAligned: false } });
  const bounced = aLead({ phone: undefined, linkedinUrl: undefined });
  const control = aLead({ phone: undefined, linkedinUrl: undefined });
  const { leadId } = await quick.enrol(bounced);
  await quick.enrol(control);
  const welcome = await parseMail(await stack.catcher.waitFor((m) => m.envelope.to.includes(bounced.email), 60_000));

  const dsn = (status: string, action: string) => ({
    from: 'Mail Delivery System <MAILER-DAEMON@mx.example.co>',
    subject: 'Undelivered Mail Returned to Sender',
    headers: { 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="B"', 'Auto-Submitted': 'auto-replied' },
    text: [
      'This is the mail system at host mx.example.co.', '', 'Reporting-MTA: dns; mx.example.co', '',
      `Final-Recipient: rfc822; ${bounced.email}`, `Original-Recipient: rfc822;${bounced.email}`, `Action: ${action}`, `Status: ${status}`,
      `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550' : '451'} ${status} mailbox unavailable`, '',
      'From: Seguimiento <seguimiento@example.com>', `Message-ID: ${welcome.messageId}`, `Subject: ${welcome.subject}`,
    ].join('\n'),
  });

  const transient = await inbound(dsn('4.4.7', 'delayed')).expect(200);
  expect(transient.body).toMatchObject({ matched: true, leadId, matchedBy: 'thread', kind: 'bounce', status: '4.4.7', permanent: false, applied: false });
  expect((await quick.state(leadId)).contactProblem).toBe(false);
  expect(await stack.ledger.suppressionOf({ address: bounced.email })).toBeNull();

  const permanent = await inbound(dsn('5.1.1', 'failed')).expect(200);
  expect(permanent.body).toEqual({ matched: true, leadId, matchedBy: 'thread', kind: 'bounce', status: '5.1.1', permanent: true, delivered: true });
  const state = await eventually(async () => {
    const s = await leadOf(leadId);
    expect(s.contactProblem).toBe(true);
    return s;
  });
  expect(state.outcomes).toEqual([expect.objectContaining({ type: 'wrong_contact', by: 'inbound-email', note: expect.stringContaining('5.1.1') })]);
  expect(await stack.ledger.suppressionOf({ address: bounced.email })).toMatchObject({ reason: 'bounced' });
  // A send claimed before the bounce arrived may still be on its way: let it land, then count.
  await eventually(async () => expect((await quick.state(leadId)).touches.filter((t) => t.status === 'planned')).toEqual([]));
  const beforeBounce = mailsTo(bounced.email).length;

  // Several cadence days later, the control lead has had its next mails and the bounced address none.
  const controlSoFar = mailsTo(control.email).length;
  await eventually(async () => expect(mailsTo(control.email).length).toBeGreaterThanOrEqual(controlSoFar + 2), 60_000);
  expect(mailsTo(bounced.email)).toHaveLength(beforeBounce);
}, 120_000);

test('a bounce for an address we do not know, with no thread of ours, is a 404 and changes nothing', async () => {
  const res = await inbound({
    from: 'MAILER-DAEMON@mx.example.org', subject: 'Undelivered',
    text: 'Final-Recipient: rfc822; nadie@example.org\nAction: failed\nStatus: 5.1.1\n',
  }).expect(404);
  expect(res.body.message).toMatch(/No lead matches this message/);
  expect(await stack.ledger.suppressionOf({ address: 'nadie@example.org' })).toBeNull();
});
