import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import type { LeadView } from '../../domain/lead-view';
import { computeKpis, defaultKpiSettings } from '../../services/analytics/kpis';
import type { EscalationKind } from '../../domain/emails';
import { renderEscalation } from '../../presentation/emails/escalation';
import { TOUCH_TEMPLATES, type TouchTemplate } from '../../domain/emails';
import { renderTouchEmail } from '../../presentation/emails/templates';
import { NO_URGENCY } from '../../domain/urgency';
import { renderWeeklyReport } from '../../presentation/emails/weekly-report';
import { aLead } from '../support/leads';

/** Every email goes through lib/html.ts: lead data shows as text in the HTML part, never as markup. */
const NAME = '<script>alert(1)</script>';
const COMPANY = '"Tom & Jerry"';
const ESCAPED_NAME = '&lt;script&gt;alert(1)&lt;/script&gt;';
const ESCAPED_COMPANY = '&quot;Tom &amp; Jerry&quot;';

const input = leadInputSchema.parse(aLead({ firstName: NAME, company: COMPANY, profile: 'b2b' }));
const lead: Lead = { ...input, leadId: leadIdFor(input.email), createdAt: '2027-03-01T15:00:00.000Z' };

function expectEscaped(html: string, { company }: { company: boolean }) {
  expect(html).not.toContain('<script');
  expect(html).toContain(ESCAPED_NAME);
  expect(html).not.toContain(COMPANY);
  if (company) expect(html).toContain(ESCAPED_COMPANY);
}

const TOUCHES = TOUCH_TEMPLATES;
// The company is named by the b2b pitch and by the note that replaces a LinkedIn message.
const NAMES_COMPANY: Record<TouchTemplate, boolean> = {
  welcome: true, 'first-email': true, 'break-up-email': false, nurturing: false, reactivation: false,
  'call-request': false, 'call-request-follow-up': true, 'personal-note': true,
};

test.each(TOUCHES)('touch email %s: escaped HTML, the text part as the lead wrote it', (template) => {
  const mail = renderTouchEmail({ lead, template, urgency: NO_URGENCY, unsubscribeUrl: 'http://localhost:3000/unsubscribe/x?a=1&b=2' });
  expectEscaped(mail.html, { company: NAMES_COMPANY[template] });
  expect(mail.html).toContain('href="http://localhost:3000/unsubscribe/x?a=1&amp;b=2"');
  expect(mail.text).toContain(NAME);
  if (NAMES_COMPANY[template]) expect(mail.text).toContain(COMPANY);
});

test.each<EscalationKind>(['sla_missed', 'stalled', 'unassigned'])('escalation %s: escaped HTML', (kind) => {
  const mail = renderEscalation({ lead, kind, stage: 'proposal', owner: null, leadUrl: 'http://localhost:3000/leads/L-1', temporalUrl: 'http://localhost:8233/x' });
  expectEscaped(mail.html, { company: true });
  expect(mail.text).toContain(`Empresa: ${COMPANY}`);
});

test('weekly report: a lead row with an evil name is escaped', async () => {
  const period = { from: '2026-11-23T06:00:00.000Z', to: '2026-11-30T06:00:00.000Z' };
  const report = computeKpis({ events: [], leads: [], period, settings: defaultKpiSettings, now: period.to });
  const row: LeadView = {
    leadId: 'V1', workflowId: 'lead-V1', firstName: NAME, lastName: 'Rojas', email: 'v1@example.co', phone: null, company: COMPANY,
    linkedinUrl: null, country: 'CO', courseCode: 'DS-101', courseName: COMPANY, profile: 'b2b', source: 'web-form', benefit: null,
    stage: 'enrolled', stageSince: period.from, owner: null, closer: null, nextStep: null, sla: { status: 'met', dueAt: period.from },
    stalledSince: null, paused: false, contactProblem: false, lostReason: null, dueTouches: [], createdAt: period.from, revision: 1,
  };
  const mail = await renderWeeklyReport({
    report, previous: null, bottlenecks: null, suggestions: [], needSupport: [], converted: [row], lost: [], names: {}, courseNames: {},
    dashboardUrl: 'https://seguimiento.test/panel', timeZone: 'America/El_Salvador',
  });
  expectEscaped(mail.html, { company: true });
  expect(mail.text).toContain(`- ${NAME} Rojas · ${COMPANY} · Sin asignar`);
});
