import { findBottlenecks } from '../../services/analytics/bottlenecks';
import { computeKpis, defaultKpiSettings, type KpiEvent, type KpiLead, type KpiSettings } from '../../services/analytics/kpis';
import { suggestionsFrom } from '../../services/analytics/suggestions';
import type { Stage } from '../../domain/lead';
import type { LeadView } from '../../domain/lead-view';
import type { OutcomeType } from '../../domain/outcomes';
import { formatChange, formatFigure } from '../../presentation/kpi-rows';
import { periodLabel, renderWeeklyReport, type WeeklyReportInput } from '../../presentation/emails/weekly-report';

/*
 * Two weeks in El Salvador (UTC−6): the report's week is Mon 23 – Sun 29 Nov 2026, the previous one
 * 16–22 Nov.
 *
 *   lead owner country created        story
 *   A1   ana   MX      11-23 10:00    call answered (interested) 31 h after creation → engaged
 *   A2   ana   CO      11-23 12:00    call not answered 2 h after creation
 *   B1   ben   CO      11-17 10:00    (previous week) call answered, enrolled on 11-20
 *
 * This week: 2 calls, 1 answered → 50 %; the previous week 1 of 1 → 100 %: ▼ 50 %.
 * Mexico's first contact took 31 h on average, over the 24 h SLA.
 */
const ANA = 'ana@cursos.test';
const BEN = 'ben@cursos.test';
const TZ = 'America/El_Salvador';
const period = { from: '2026-11-23T06:00:00.000Z', to: '2026-11-30T06:00:00.000Z' };
const before = { from: '2026-11-16T06:00:00.000Z', to: period.from };
const now = period.to;
const at = (when: string) => `2026-${when}:00.000Z`;
const settings: KpiSettings = { ...defaultKpiSettings, caps: { [ANA]: 2 } };

const lead = (leadId: string, owner: string, country: string, created: string, stage: Stage): KpiLead =>
  ({ leadId, owner, country, courseCode: 'DS-101', createdAt: at(created), stage });
const ev = (leadId: string, type: string, when: string, data: Record<string, unknown> = {}): KpiEvent => ({ leadId, type, occurredAt: at(when), data });
const start = (id: string, when: string, owner: string) => [
  ev(id, 'lead_assigned', when, { owner, pool: 'general' }),
  ev(id, 'stage_changed', when, { from: 'new', to: 'contacting' }),
];
const outcome = (id: string, when: string, type: OutcomeType, stageBefore: Stage, stageAfter: Stage, by: string, touchChannel: 'call' | null) =>
  ev(id, 'outcome_recorded', when, { outcome: type, stageBefore, stageAfter, reason: null, by, note: null, touchChannel, closer: null });

const leads = [
  lead('A1', ANA, 'MX', '11-23T10:00', 'engaged'),
  lead('A2', ANA, 'CO', '11-23T12:00', 'contacting'),
  lead('B1', BEN, 'CO', '11-17T10:00', 'enrolled'),
];
const events = [
  ...start('A1', '11-23T10:00', ANA),
  outcome('A1', '11-24T17:00', 'interested', 'contacting', 'engaged', ANA, 'call'),
  ev('A1', 'first_contact', '11-24T17:00', { slaStatus: 'breached' }),
  ev('A1', 'stage_changed', '11-24T17:00', { from: 'contacting', to: 'engaged' }),
  ...start('A2', '11-23T12:00', ANA),
  outcome('A2', '11-23T14:00', 'no_answer', 'contacting', 'contacting', ANA, 'call'),
  ev('A2', 'first_contact', '11-23T14:00', { slaStatus: 'met' }),
  ...start('B1', '11-17T10:00', BEN),
  outcome('B1', '11-17T12:00', 'interested', 'contacting', 'engaged', BEN, 'call'),
  ev('B1', 'first_contact', '11-17T12:00', { slaStatus: 'met' }),
  ev('B1', 'stage_changed', '11-17T12:00', { from: 'contacting', to: 'engaged' }),
  outcome('B1', '11-20T10:00', 'enrolled', 'engaged', 'enrolled', BEN, null),
  ev('B1', 'stage_changed', '11-20T10:00', { from: 'engaged', to: 'enrolled' }),
];
const report = computeKpis({ events, leads, period, settings, now });
const previous = computeKpis({ events, leads, period: before, settings, now });

let seq = 0;
function view(overrides: Partial<LeadView> = {}): LeadView {
  seq += 1;
  return {
    leadId: `V${seq}`, workflowId: `lead-V${seq}`, firstName: 'Lucía', lastName: `Gómez ${seq}`, email: `v${seq}@example.co`,
    phone: null, company: null, linkedinUrl: null, country: 'CO', courseCode: 'DS-101', courseName: 'Ciencia de Datos',
    profile: 'b2c', source: 'web-form', benefit: null, stage: 'contacting', stageSince: at('11-23T10:00'), owner: ANA, closer: null,
    nextStep: null, sla: { status: 'met', dueAt: at('11-24T10:00') }, stalledSince: null, paused: false, contactProblem: false,
    lostReason: null, dueTouches: [], createdAt: at('11-23T10:00'), revision: 1, ...overrides,
  };
}

const names = { [ANA]: 'Ana <Pérez>', [BEN]: 'Ben Ruiz' };
const needy = view({ firstName: '<img src=x onerror=alert(1)>', sla: { status: 'breached', dueAt: at('11-24T10:00') }, nextStep: { action: 'Llamar & confirmar', dueAt: at('11-27T15:00') } });
const bottlenecks = findBottlenecks({ views: [needy], loads: [], waitingForOwner: 0, now: new Date(now) });
const suggestions = suggestionsFrom({ report, previous, bottlenecks, settings, names });

const input = (overrides: Partial<WeeklyReportInput> = {}): WeeklyReportInput => ({
  report, previous, bottlenecks, suggestions,
  needSupport: [needy],
  converted: [view({ firstName: 'Mateo', lastName: 'Ríos', stage: 'enrolled', courseCode: 'PM-201', courseName: 'Gestión' })],
  lost: [{ ...view({ firstName: 'Sofía', lastName: 'Lara', stage: 'lost', lostReason: 'price' }), reason: 'price' }],
  names,
  courseNames: { 'PM-201': 'Gestión de Proyectos <Ágil>' },
  dashboardUrl: 'https://seguimiento.test/panel?semana=1&x=2',
  timeZone: TZ,
  ...overrides,
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the KPI fixture', () => {
  test('holds what the report below shows', () => {
    expect(report.overall.contactRatePercent.call).toBe(50);
    expect(previous.overall.contactRatePercent.call).toBe(100);
    expect(report.byCountry.MX!.firstContactAvgHours).toBe(31);
    expect(report.overall.leadsCreated).toBe(2);
    expect(previous.overall.leadsCreated).toBe(1);
  });
});

describe('suggestionsFrom', () => {
  test('names the figure and the threshold, most important first', () => {
    expect(suggestions).toEqual([
      'Ana <Pérez> tiene 2 leads activos de un tope de 2 (100 %): por encima del 90 % de su tope.',
      'Primer contacto promedio de 31 h en México: por encima del SLA de 24 h.',
      '1 próximo paso vencido: 1 de Ana <Pérez>.',
      'Las matrículas bajaron de 1 a 0 respecto de la semana anterior (−100 %): caída de más del 20 %.',
      'La tasa de contacto por Llamada bajó de 100 % a 50 % respecto de la semana anterior (−50 %): caída de más del 20 %.',
      'Ana <Pérez> dejó un próximo paso definido en el 50 % de sus contactos: por debajo del objetivo de 90 %.',
    ]);
  });

  test('nothing when everything is fine', () => {
    const calm = computeKpis({ events: [], leads: [], period, settings, now });
    expect(suggestionsFrom({ report: calm, previous: calm, bottlenecks: null, settings, names })).toEqual([]);
  });
});

describe('renderWeeklyReport', () => {
  let mail: Awaited<ReturnType<typeof renderWeeklyReport>>;
  beforeAll(async () => {
    mail = await renderWeeklyReport(input());
  });

  test('the subject carries the days of the week in the company time zone', () => {
    expect(mail.subject).toBe('Informe semanal de seguimiento · 23–29 nov 2026');
  });

  test('key figures, formatted in Spanish, with the week-over-week change', () => {
    expect(mail.text).toContain('Tasa de contacto efectiva · Llamada: 50 % (semana anterior: 100 %; cambio: ▼ 50 %)');
    expect(mail.text).toContain('Leads creados: 2 (semana anterior: 1; cambio: ▲ 100 %)');
    expect(mail.text).toContain('Primer contacto · promedio: 16,5 h');
    expect(mail.text).toContain('Tasa de contacto efectiva · Correo: — (semana anterior: —; cambio: —)');
    expect(mail.html).toContain('▼ 50 %');
    expect(mail.text).toContain('2. Primer contacto promedio de 31 h en México: por encima del SLA de 24 h.');
  });

  test('per executive, support, won and lost, with Spanish labels', () => {
    expect(mail.text).toContain('- Ana <Pérez>: asignados 2; primer contacto 2; tasa de contacto 50 %; próximo paso 50 %; activos/tope 2 / 2;');
    expect(mail.text).toContain('SLA de primer contacto incumplido; próximo paso vencido el 27 nov: Llamar & confirmar');
    expect(mail.text).toContain('- Mateo Ríos · Gestión de Proyectos <Ágil> · Ana <Pérez>');
    expect(mail.text).toContain('- Sofía Lara · Ciencia de Datos · Ana <Pérez> · Precio');
    expect(mail.text).toContain('Panel de seguimiento: https://seguimiento.test/panel?semana=1&x=2');
  });

  test('charts are attached as PNG, each referenced by its cid in the HTML', () => {
    expect(mail.attachments.map((a) => a.cid)).toEqual(['embudo@seguimiento', 'contacto-por-canal@seguimiento', 'activos-vs-tope@seguimiento']);
    for (const a of mail.attachments) {
      expect(a.contentType).toBe('image/png');
      expect(a.filename).toMatch(/\.png$/);
      expect(a.content.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(mail.html).toContain(`<img src="cid:${a.cid}"`);
    }
  });

  test('user data is escaped in the HTML', () => {
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('Ana &lt;Pérez&gt;');
    expect(mail.html).toContain('Gestión de Proyectos &lt;Ágil&gt;');
    expect(mail.html).toContain('Llamar &amp; confirmar');
    expect(mail.html).toContain('href="https://seguimiento.test/panel?semana=1&amp;x=2"');
  });

  test('no suggestions: "Sin alertas esta semana"; no previous week: no change', async () => {
    const quiet = await renderWeeklyReport(input({ suggestions: [], previous: null, bottlenecks: null }));
    expect(quiet.text).toContain('Sin alertas esta semana.');
    expect(quiet.text).toContain('Tasa de contacto efectiva · Llamada: 50 %\n');
  });

  test('without fonts the mail still goes, without images', async () => {
    let render: typeof renderWeeklyReport = renderWeeklyReport;
    jest.isolateModules(() => {
      jest.doMock('../../presentation/charts/png', () => ({ svgToPng: () => Promise.reject(new Error('svgToPng: no font available')) }));
      render = (jest.requireActual('../../presentation/emails/weekly-report') as typeof import('../../presentation/emails/weekly-report')).renderWeeklyReport;
    });
    jest.dontMock('../../presentation/charts/png');
    const plain = await render(input());
    expect(plain.attachments).toEqual([]);
    expect(plain.html).not.toContain('<img');
    expect(plain.subject).toBe(mail.subject);
  });
});

describe('formatting helpers', () => {
  test('figures, changes and periods', () => {
    expect(formatFigure(12345.67, 'number')).toBe('12.345,7');
    expect(formatFigure(1234.5, 'money')).toBe('1235');
    expect(formatFigure(null, 'percent')).toBe('—');
    expect(formatChange(50, 100)).toBe('▼ 50 %');
    expect(formatChange(3, 3)).toBe('=');
    expect(formatChange(3, 0)).toBe('—');
    expect(periodLabel({ from: '2026-11-30T06:00:00.000Z', to: '2026-12-07T06:00:00.000Z' }, TZ)).toBe('30 nov–6 dic 2026');
    expect(periodLabel({ from: '2026-12-28T06:00:00.000Z', to: '2027-01-04T06:00:00.000Z' }, TZ)).toBe('28 dic 2026–3 ene 2027');
  });
});
