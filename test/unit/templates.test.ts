import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { renderEscalation } from '../../presentation/emails/escalation';
import type { TouchTemplate } from '../../domain/emails';
import { renderTouchEmail } from '../../presentation/emails/templates';
import { aLead } from '../support/leads';

const lead = (overrides: Parameters<typeof aLead>[0] = {}): Lead => {
  const input = leadInputSchema.parse(aLead(overrides));
  return { ...input, leadId: leadIdFor(input.email), createdAt: '2027-03-01T15:00:00.000Z' };
};
const render = (l: Lead, template: TouchTemplate, today = '2027-03-01') =>
  renderTouchEmail({ lead: l, template, today, unsubscribeUrl: 'http://localhost:3000/unsubscribe/x' });

test('urgency appears only when the course data makes it true', () => {
  const urgent = lead({ course: { code: 'C', name: 'Cloud', startDate: '2027-04-05', earlyBirdDeadline: '2027-03-10', seatsLeft: 6 } });
  const text = render(urgent, 'first-email').text;
  expect(text).toContain('El descuento por inscripción anticipada vale hasta el 10 de marzo de 2027.');
  expect(text).toContain('Quedan 6 cupos.');
  expect(text).toContain('La próxima cohorte comienza el 5 de abril de 2027.');
  // A deadline already past, plenty of seats and no start date: nothing to press on.
  const calm = lead({ course: { code: 'C', name: 'Cloud', earlyBirdDeadline: '2027-02-01', seatsLeft: 50 } });
  expect(render(calm, 'first-email').text).not.toMatch(/descuento|cupos|cohorte comienza/);
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
  const pt = render(lead({ country: 'BR', firstName: 'João' }), 'nurturing');
  expect(pt.subject).toBe('Novas turmas de Ciencia de Datos con Python');
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
  const en = render(lead({ country: 'BR', language: 'en', course: { code: 'C', name: 'Cloud', seatsLeft: 3 } }), 'first-email');
  expect(en.subject).toBe('Valentina, more about Cloud');
  expect(en.text).toContain('Hello Valentina,');
  expect(en.text).toContain('3 seats left.');
  expect(en.text).toContain("Don't want these emails? Unsubscribe: http://localhost:3000/unsubscribe/x");
  expect(en.html).toContain('<html lang="en">');
});
