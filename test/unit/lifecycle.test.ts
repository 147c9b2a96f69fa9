import type { LeadState } from '../../domain/lead-state';
import { applyCommand, applyOutcome, applyReturn, rejectCommand, rejectOutcome } from '../../domain/lifecycle';
import { outcomeSchema } from '../../domain/outcomes';
import { leadStateIn } from '../support/leads';

const now = new Date('2027-03-04T15:00:00.000Z');

const leadIn = (stage: LeadState['stage']) => leadStateIn(stage);

test('a reply closes the open call touch, meets the SLA and hands the lead to a human with a due next step', () => {
  const state = leadIn('contacting');
  const events = applyOutcome(state, { type: 'replied' }, now);
  expect(state).toMatchObject({ stage: 'engaged', sla: { status: 'met', firstContactAt: now.toISOString() }, lastProgressAt: now.toISOString() });
  expect(state.touches[0]).toMatchObject({ status: 'done', outcome: 'replied' });
  expect(state.nextStep).toEqual({ action: `Definir el siguiente paso con ${state.lead.firstName}`, dueAt: '2027-03-05T15:00:00.000Z' });
  expect(events.map((e) => e.type)).toEqual(['outcome_recorded', 'first_contact', 'stage_changed']);
});

test('stages only move forward: interest from a lead already with the closer keeps it in closing', () => {
  const state = leadIn('closing');
  applyOutcome(state, { type: 'interested' }, now);
  expect(state.stage).toBe('closing');
});

test('engagement from nurturing or the archive counts as a reactivation', () => {
  const state = leadIn('nurturing');
  const events = applyOutcome(state, { type: 'call_back_later', callBackAt: '2027-03-10T15:00:00.000Z' }, now);
  expect(state).toMatchObject({ stage: 'engaged', counts: { reactivations: 1 }, nextStep: { dueAt: '2027-03-10T15:00:00.000Z' } });
  expect(events.map((e) => e.type)).toContain('lead_reactivated');
});

test('opt-out ends everything: no next step, nothing left planned or due', () => {
  const state = leadIn('contacting');
  applyOutcome(state, { type: 'opted_out' }, now);
  expect(state).toMatchObject({ stage: 'opted_out', nextStep: null, sla: { firstContactAt: null } });
  expect(state.touches.map((t) => t.status)).toEqual(['skipped']);
});

test('outcomes that make no sense are refused with a reason', () => {
  expect(rejectOutcome(leadIn('contacting'), { type: 'enrolled' }, now)).toMatch(/makes no sense while the lead is en contacto/);
  expect(rejectOutcome(leadIn('enrolled'), { type: 'replied' }, now)).toMatch(/already matriculado/);
  expect(rejectOutcome(leadIn('engaged'), { type: 'call_back_later', callBackAt: '2027-03-01T00:00:00.000Z' }, now)).toBe('callBackAt must be in the future');
  expect(rejectOutcome(leadIn('proposal'), { type: 'handed_to_closer' }, now)).toBeNull();
});

test('the outcome schema demands a reason for lost and a date for a call back', () => {
  const errors = (o: unknown) => outcomeSchema.safeParse(o).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(errors({ type: 'lost' })).toEqual(['reason: is required when the lead is lost']);
  expect(errors({ type: 'call_back_later' })).toEqual(['callBackAt: is required for call_back_later']);
  expect(errors({ type: 'teleported' })?.[0]).toMatch(/^type: must be one of no_answer/);
  expect(errors({ type: 'lost', reason: 'price' })).toBeUndefined();
});

test('commands: pause needs an active lead, resume a paused one, reactivate a dormant one', () => {
  const state = leadIn('contacting');
  expect(rejectCommand(state, { type: 'resume' })).toBe('The lead is not paused');
  applyCommand(state, { type: 'pause' }, now);
  expect(state.nextStep?.action).toBe('Seguimiento en pausa: reanudar');
  expect(rejectCommand(state, { type: 'pause' })).toBe('The lead is already paused');
  expect(rejectCommand(state, { type: 'reactivate' })).toMatch(/Only a lead in nurturing or archived/);
  const archived = leadIn('archived');
  applyCommand(archived, { type: 'reactivate' }, now);
  expect(archived).toMatchObject({ stage: 'contacting', cadenceRun: 2, cadenceStartedAt: now.toISOString(), counts: { reactivations: 1 } });
  const wrong = leadIn('contacting');
  applyOutcome(wrong, { type: 'wrong_contact' }, now);
  expect(wrong.contactProblem).toBe(true);
  applyCommand(wrong, { type: 'update_lead', changes: { phone: '+57 311 222 3333' } }, now);
  expect(wrong).toMatchObject({ contactProblem: false, lead: { phone: '+57 311 222 3333' } });
});

describe('a return that names another course', () => {
  const pm = { code: 'PM-201', name: 'Gestión de Proyectos Ágiles' };
  const now = new Date('2027-03-04T15:00:00.000Z');

  test('an active follow-up keeps its course and cadence and takes the new course in, once', () => {
    const state = leadStateIn('contacting');
    const before = { run: state.cadenceRun, stage: state.stage };
    applyReturn(state, { source: 'web-form', course: pm }, now);
    applyReturn(state, { source: 'import', course: pm }, now);
    expect(state.lead.course.code).toBe('DS-101');
    expect(state.lead.otherCourses).toEqual([pm]);
    expect({ run: state.cadenceRun, stage: state.stage }).toEqual(before);
  });

  test('a dormant follow-up is followed up for the course asked about now, the earlier one kept', () => {
    const state = leadStateIn('nurturing');
    const events = applyReturn(state, { source: 'web-form', course: pm }, now);
    expect(state.lead.course).toEqual(pm);
    expect(state.lead.otherCourses).toEqual([{ code: 'DS-101', name: 'Ciencia de Datos con Python' }]);
    expect(state.stage).toBe('contacting');
    expect(events.map((e) => e.type)).toEqual(['lead_returned', 'lead_reactivated', 'stage_changed']);
  });

  test('the same course again, or no course (signals from before interests), changes no course', () => {
    const state = leadStateIn('contacting');
    applyReturn(state, { source: 'web-form', course: { code: 'DS-101', name: 'Ciencia de Datos con Python' } }, now);
    applyReturn(state, { source: 'zoho' }, now);
    expect(state.lead.otherCourses).toBeUndefined();
  });
});
