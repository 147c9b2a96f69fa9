import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { renderEscalation } from '../../presentation/emails/escalation';
import type { TouchTemplate } from '../../domain/emails';
import { renderTouchEmail } from '../../presentation/emails/templates';
import { NO_URGENCY, type Urgency } from '../../domain/urgency';
import { aLead } from '../support/leads';

const lead = (overrides: Parameters<typeof aLead>[0] = {}): Lead => {
  const input = leadInputSchema.parse(aLead(overrides));
  return { ...input, leadId: leadIdFor(input.email), createdAt: '2027-03-01T15:00:00.000Z' };
};
const render = (l: Lead, template: TouchTemplate, urgency: Urgency = NO_URGENCY) =>
  renderTouchEmail({ lead: l, template, urgency, unsubscribeUrl: 'http://localhost:3000/unsubscribe/x' });

const URGENT: Urgency = {
  nextCohort: { startDate: '2027-04-05', modality: 'online', price: 1200, currency: 'USD' },
  earlyBird: { deadline: '2027-03-10', price: 990, currency: 'USD' },
  seatsLeft: 6,
  noUpcomingCohort: false,
};

test('the mail says what the urgency computed at send time says, and nothing more', () => {
  const text = render(lead(), 'first-email', URGENT).text;
  expect(text).toContain('Con inscripción anticipada pagas USD 990 hasta el 10 de marzo de 2027.');
  expect(text).toContain('Quedan 6 cupos.');
  expect(text).toContain('La próxima cohorte comienza el 5 de abril de 2027.');
  expect(render(lead(), 'first-email', { ...URGENT, seatsLeft: 1 }).text).toContain('Queda 1 cupo.');
  // The lead's own snapshot (12 seats, a start date from its form) is never a reason to hurry.
  expect(render(lead(), 'first-email').text).not.toMatch(/anticipada|cupo|cohorte/);
});

test('a course without an open cohort gets the promise to write when one opens, never a date', () => {
  const none: Urgency = { noUpcomingCohort: true };
  expect(render(lead(), 'first-email', none).text).toContain('Por ahora no hay una cohorte abierta: te escribiremos apenas abramos la próxima.');
  const nurturing = render(lead(), 'nurturing', none);
  expect(nurturing.subject).toBe('Novedades de Ciencia de Datos con Python');
  expect(nurturing.text).not.toMatch(/nueva cohorte/i);
  expect(render(lead(), 'nurturing', URGENT).subject).toBe('Nueva cohorte de Ciencia de Datos con Python');
});

test('the welcome mail promises a call only to a lead who gave a phone number', () => {
  expect(render(lead(), 'welcome').text).toContain('te llamará');
  const noPhone = render(lead({ phone: undefined }), 'welcome').text;
  expect(noPhone).not.toMatch(/llamar/);
  expect(noPhone).toContain('Responde a este correo y coordinamos una conversación.');
});

test('personalised: name, course, the benefit from the first call, the company team for b2b, the career for b2c', () => {
  const b2b = render(lead({ profile: 'b2b', company: 'Andes Datos SAS', benefit: 'certificar al equipo de BI' }), 'first-email').text;
  expect(b2b).toContain('¡Hola, Valentina!');
  expect(b2b).toContain('"Ciencia de Datos con Python"');
  expect(b2b).toContain('Nos contaste que buscas: certificar al equipo de BI.');
  expect(b2b).toContain('equipo de Andes Datos SAS');
  expect(render(lead({ profile: 'b2c' }), 'first-email').text).toContain('impulsar tu carrera');
});

test('Spanish by default, Brazilian Portuguese for Brazil, with a visible unsubscribe line in both parts', () => {
  const pt = render(lead({ country: 'BR', firstName: 'João' }), 'nurturing', URGENT);
  expect(pt.subject).toBe('Nova turma de Ciencia de Datos con Python');
  expect(pt.text).toContain('Olá, João!');
  expect(pt.text).toContain('Cancele a inscrição: http://localhost:3000/unsubscribe/x');
  expect(pt.html).toContain('<html lang="pt-BR">');
  const es = render(lead({ country: 'MX' }), 'break-up-email');
  expect(es.subject).toBe('¿Cierro tu solicitud sobre Ciencia de Datos con Python?');
  expect(es.html).toContain('<a href="http://localhost:3000/unsubscribe/x">darme de baja</a>');
});

test('HTML is escaped: a name cannot inject markup', () => {
  expect(render(lead({ firstName: '<script>x</script>' }), 'welcome').html).not.toContain('<script>');
});

test('an escalation carries the lead context and the links to act on it', () => {
  const mail = renderEscalation({
    lead: lead({ company: 'Andes Datos SAS' }), kind: 'stalled', stage: 'proposal', owner: 'ana.perez',
    leadUrl: 'http://localhost:3000/leads/L-1', temporalUrl: 'http://localhost:8233/namespaces/default/workflows/lead-L-1',
  });
  expect(mail.subject).toBe('Lead estancado: Valentina Rojas (proposal)');
  expect(mail.text).toContain('Responsable: ana.perez');
  expect(mail.text).toContain('Ver el lead: http://localhost:3000/leads/L-1');
  expect(mail.text).toContain('Ver en Temporal: http://localhost:8233/namespaces/default/workflows/lead-L-1');
});

test('English when the lead asks for it, whatever the country', () => {
  const en = render(lead({ country: 'BR', language: 'en', course: { code: 'C', name: 'Cloud' } }), 'first-email', { ...URGENT, seatsLeft: 3 });
  expect(en.subject).toBe('Valentina, more about Cloud');
  expect(en.text).toContain('Hello Valentina,');
  expect(en.text).toContain('3 seats left.');
  expect(en.text).toContain("Don't want these emails? Unsubscribe: http://localhost:3000/unsubscribe/x");
  expect(en.html).toContain('<html lang="en">');
});

test('a person who comes back is greeted as such: an alumnus by the course they took', () => {
  const alumnus = { ...lead(), returning: { previousStage: 'enrolled' as const, previousCourse: { code: 'DS-101', name: 'Ciencia de Datos con Python' } } };
  expect(render(alumnus, 'welcome').text).toContain('Como egresado de "Ciencia de Datos con Python", ya conoces cómo trabajamos');
  expect(render({ ...alumnus, country: 'BR' }, 'first-email').text).toContain('Como ex-aluno de "Ciencia de Datos con Python"');
  const lostBefore = { ...alumnus, returning: { ...alumnus.returning, previousStage: 'lost' as const } };
  expect(render(lostBefore, 'welcome').text).toContain('Qué bueno saber de ti otra vez.');
  expect(render(lead(), 'welcome').text).not.toMatch(/egresado|otra vez/);
});
