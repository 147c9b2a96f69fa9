import { renderBottleneckMail } from '../../presentation/emails/bottlenecks';
import { defaultBottleneckThresholds, findBottlenecks } from '../../services/analytics/bottlenecks';
import type { Stage } from '../../domain/lead';
import type { LeadView } from '../../domain/lead-view';
import type { ExecutiveLoad } from '../../integrations/ledger/routing';

const ANA = 'ana@cursos.test';
const BEN = 'ben@cursos.test';
const now = new Date('2026-11-30T14:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();

let seq = 0;
/** A lead in `stage` since `since` days ago; override what the case cares about. */
function view(stage: Stage, since: number, overrides: Partial<LeadView> = {}): LeadView {
  seq += 1;
  return {
    leadId: `L${seq}`, workflowId: `lead-L${seq}`, firstName: 'Lead', lastName: String(seq), email: `l${seq}@example.co`,
    phone: null, company: null, linkedinUrl: null, country: 'CO', courseCode: 'DS-101', courseName: 'Ciencia de Datos',
    profile: 'b2c', source: 'web-form', benefit: null, stage, stageSince: daysAgo(since), owner: ANA, closer: null,
    nextStep: null, sla: { status: 'met', dueAt: daysAgo(since + 1) }, stalledSince: null, paused: false,
    contactProblem: false, lostReason: null, dueTouches: [], createdAt: daysAgo(since + 1), revision: 1,
    ...overrides,
  };
}
const step = (dueDaysAgo: number, action = 'Llamar') => ({ action, dueAt: daysAgo(dueDaysAgo) });

const load = (email: string, name: string, active: number, cap: number): ExecutiveLoad => ({ email, name, active, cap, away: false, pools: [] });

/** Overdue the moment it is past due, so the fixtures can use whole days; the default grace is tested apart. */
const EXACT = { ...defaultBottleneckThresholds, overdueGraceHours: 0 };

describe('findBottlenecks', () => {
  const views: LeadView[] = [
    // contacting: ana 3 (one for 12 days, over 10), ben 1, unassigned 1
    view('contacting', 2, { leadId: 'C1', nextStep: step(3) }),
    view('contacting', 12, { leadId: 'C2' }),
    view('contacting', 1, { leadId: 'C3', nextStep: step(-1) }), // due tomorrow: not overdue
    view('contacting', 11, { leadId: 'C4', owner: BEN }),
    view('contacting', 0.5, { leadId: 'C5', owner: null, nextStep: step(0.1) }),
    // engaged: 2 over 7 days (one paused: left out of dwell and overdue), 1 under
    view('engaged', 8, { leadId: 'E1', owner: BEN, nextStep: step(1) }),
    view('engaged', 9, { leadId: 'E2', paused: true, nextStep: step(5) }),
    view('engaged', 3, { leadId: 'E3', nextStep: step(2) }),
    // proposal: 1 under
    view('proposal', 6, { leadId: 'P1', owner: BEN }),
    // closed leads: an old next step on a lost lead is not overdue
    view('lost', 40, { leadId: 'X1', nextStep: step(30) }),
    view('nurturing', 40, { leadId: 'X2', nextStep: step(30) }),
  ];
  const loads = [load(ANA, 'Ana Pérez', 41, 40), load(BEN, 'Ben Ruiz', 40, 40)];
  const b = findBottlenecks({ views, loads, waitingForOwner: 2, now, thresholds: EXACT });

  test('overdue next steps: open, not paused, due before now; per owner and stage, oldest first', () => {
    expect(b.overdue.total).toBe(4);
    expect(b.overdue.byOwner).toEqual({ [ANA]: 2, [BEN]: 1, '': 1 });
    expect(b.overdue.byStage).toEqual({ contacting: 2, engaged: 2 });
    expect(b.overdue.worst.map((w) => w.leadId)).toEqual(['C1', 'E3', 'E1', 'C5']);
    expect(b.overdue.worst[0]).toEqual({ leadId: 'C1', name: `Lead ${views[0]!.lastName}`, owner: ANA, stage: 'contacting', dueAt: daysAgo(3), action: 'Llamar' });
  });

  test('keeps only the 20 most overdue leads', () => {
    const many = Array.from({ length: 25 }, (_, i) => view('contacting', 1, { leadId: `M${i}`, nextStep: step(i + 1) }));
    const r = findBottlenecks({ views: many, loads: [], waitingForOwner: 0, now, thresholds: EXACT });
    expect(r.overdue.total).toBe(25);
    expect(r.overdue.worst).toHaveLength(20);
    expect(r.overdue.worst[0]!.leadId).toBe('M24');
  });

  test('no-reply backlog per owner, over the threshold only for executives', () => {
    expect(b.noReply).toEqual([
      { owner: ANA, count: 3, over: false, limit: 30 },
      { owner: '', count: 1, over: false, limit: 30 },
      { owner: BEN, count: 1, over: false, limit: 30 },
    ]);
    const tight = findBottlenecks({ views, loads, waitingForOwner: 0, now, thresholds: { ...defaultBottleneckThresholds, noReplyBacklogPerExecutive: 2 } });
    expect(tight.noReply.filter((r) => r.over).map((r) => r.owner)).toEqual([ANA]);
  });

  test('over cap: above the cap, not at it', () => {
    expect(b.overCap).toEqual([{ email: ANA, name: 'Ana Pérez', active: 41, cap: 40 }]);
  });

  test('dwell per stage against its threshold, paused leads left out', () => {
    expect(b.dwell).toEqual([
      { stage: 'contacting', over: 2, total: 5, medianDays: 2, byOwner: { [ANA]: 1, [BEN]: 1 }, limitDays: 10 },
      { stage: 'engaged', over: 1, total: 2, medianDays: 3, byOwner: { [BEN]: 1 }, limitDays: 7 },
      { stage: 'proposal', over: 0, total: 1, medianDays: 6, byOwner: {}, limitDays: 7 },
      { stage: 'closing', over: 0, total: 0, medianDays: null, byOwner: {}, limitDays: 10 },
    ]);
  });

  test('by default a next step is overdue only a day after it was due: this morning\'s call is today\'s work', () => {
    const graced = findBottlenecks({ views, loads, waitingForOwner: 2, now });
    expect(graced.overdue.worst.map((w) => w.leadId)).toEqual(['C1', 'E3']);
  });

  test('any: true with something to act on, false when all is calm', () => {
    expect(b.at).toBe(now.toISOString());
    expect(b.waitingForOwner).toBe(2);
    expect(b.any).toBe(true);
    const calm = findBottlenecks({ views: [view('engaged', 1, { nextStep: step(-2) })], loads: [load(ANA, 'Ana', 3, 40)], waitingForOwner: 0, now });
    expect(calm.any).toBe(false);
  });
});

describe('renderBottleneckMail', () => {
  const views = [
    view('contacting', 2, { leadId: 'S1', firstName: '<script>alert(1)</script>', lastName: 'O\'Hara & Co', nextStep: step(2, 'Llamar <b>ya</b>') }),
    view('proposal', 9, { leadId: 'S2', owner: BEN, nextStep: step(1) }),
  ];
  const b = findBottlenecks({ views, loads: [load(ANA, 'Ana <Pérez>', 41, 40)], waitingForOwner: 0, now, thresholds: EXACT });
  const mail = renderBottleneckMail({ bottlenecks: b, dashboardUrl: 'https://seguimiento.test/panel?a=1&b=2', names: { [ANA]: 'Ana <Pérez>', [BEN]: 'Ben Ruiz' }, timeZone: 'America/El_Salvador' });

  test('the subject says what is wrong, in Spanish, with the day', () => {
    expect(mail.subject).toBe('Cuellos de botella · 30 nov: 2 leads vencidos, 1 ejecutiva sobre su tope, 1 lead demasiado tiempo en su etapa');
  });

  test('escapes every piece of user data in the HTML', () => {
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Hara &amp; Co');
    expect(mail.html).toContain('Llamar &lt;b&gt;ya&lt;/b&gt;');
    expect(mail.html).toContain('Ana &lt;Pérez&gt;');
    expect(mail.html).toContain('href="https://seguimiento.test/panel?a=1&amp;b=2"');
    expect(mail.html).not.toContain('<b>');
  });

  test('tables per executive and per stage, the same facts in the text part', () => {
    expect(mail.html).toContain('Por ejecutiva');
    expect(mail.html).toContain('Por etapa');
    expect(mail.text).toContain('Sobre su tope: Ana <Pérez> (41 de 40).');
    expect(mail.text).toContain('- Propuesta · 1 · 1 de 1 (más de 7 días) · 9 días');
    expect(mail.text).toContain('- Ben Ruiz · 1 · 0 · — · 1');
    expect(mail.text).toContain('Ver el panel: https://seguimiento.test/panel?a=1&b=2');
  });
});
