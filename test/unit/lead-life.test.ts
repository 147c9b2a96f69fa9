import * as life from '../../domain/lead-life';
import type { Touch } from '../../domain/lead-state';
import { leadStateIn } from '../support/leads';

/** The timer- and activity-driven half of the lifecycle, without Temporal. */
const now = new Date('2027-03-04T15:00:00.000Z');
const slot = { at: '2027-03-05T14:00:00.000Z', localDate: '2027-03-05', label: 'vie 5 mar 09:00 America/Bogota' };
const cadenceTouch = (step: number, status: Touch['status'], channel: Touch['channel'] = 'call'): Touch => ({
  key: `k${step}`, kind: 'cadence', run: 1, step, channel, template: 't', status, dueAt: `2027-03-0${step}T15:00:00.000Z`, localDate: `2027-03-0${step}`,
});
const welcome: Touch = { key: 'w', kind: 'welcome', channel: 'email', template: 'welcome', status: 'done', dueAt: '2027-03-01T15:00:00.000Z', localDate: '2027-03-01' };

describe('what a lead waits for next', () => {
  test('a new lead first gets its welcome, planned from its enrolment', () => {
    expect(life.nextPlan(leadStateIn('contacting', { touches: [] }), now)).toEqual({ kind: 'welcome', notBefore: '2027-03-01T15:00:00.000Z' });
  });

  test('then the cadence step after the touches done, on its day of the cadence', () => {
    const state = leadStateIn('contacting', { touches: [welcome, cadenceTouch(1, 'missed')] });
    expect(life.nextPlan(state, now)).toMatchObject({ kind: 'touch', n: 2, step: { day: 3, channel: 'email' }, notBefore: '2027-03-03T15:00:00.000Z', label: 'Toque 2/5 · correo' });
  });

  test('after the last touch, a grace period counted from that touch', () => {
    const touches = [welcome, ...[1, 2, 3, 4, 5].map((n) => cadenceTouch(n, 'done'))];
    expect(life.nextPlan(leadStateIn('contacting', { touches }), now)).toEqual({ kind: 'grace', until: '2027-03-07T15:00:00.000Z', touches: 5 });
  });

  test('a pause, a contact problem and a conversation each say what to wait for', () => {
    expect(life.nextPlan(leadStateIn('contacting', { paused: { since: now.toISOString(), until: null } }), now)).toEqual({ kind: 'paused', until: null });
    expect(life.nextPlan(leadStateIn('contacting', { touches: [welcome], contactProblem: true }), now)).toEqual({ kind: 'blocked' });
    expect(life.nextPlan(leadStateIn('proposal'), now)).toEqual({ kind: 'stall', stage: 'proposal' });
    expect(life.nextPlan(leadStateIn('archived'), now)).toEqual({ kind: 'idle' });
  });

  test('nurturing: one touch a month after the last, then the archive', () => {
    const state = leadStateIn('nurturing', { stageSince: '2027-03-10T15:00:00.000Z', nurturingTouchesSent: 1, touches: [
      { key: 'n1', kind: 'nurturing', channel: 'email', template: 'nurturing', status: 'done', dueAt: '2027-04-09T15:00:00.000Z' },
    ] });
    expect(life.nextPlan(state, now)).toEqual({ kind: 'nurture', n: 2, notBefore: '2027-05-09T15:00:00.000Z' });
    expect(life.nextPlan({ ...state, nurturingTouchesSent: 6 }, now)).toEqual({ kind: 'archive' });
  });
});

describe('touches', () => {
  test('each kind of touch has its own key, so a retried send is the same send', () => {
    const state = leadStateIn('contacting', { cadenceRun: 2 });
    const plan = life.nextPlan(leadStateIn('contacting', { touches: [welcome] }), now);
    expect(life.touchFor(state, plan, slot)).toMatchObject({ key: `${state.leadId}:step-1:attempt-2`, kind: 'cadence', run: 2, channel: 'call', dueAt: slot.at, localDate: slot.localDate });
    expect(life.touchFor(state, { kind: 'welcome', notBefore: '' }, slot).key).toBe(`${state.leadId}:step-0:attempt-1`);
    expect(life.touchFor(state, { kind: 'nurture', n: 3, notBefore: '' }, slot).key).toBe(`${state.leadId}:step-103:attempt-2`);
    expect(life.touchFor({ ...state, counts: { ...state.counts, outcomes: 4 } }, { kind: 'stall', stage: 'engaged' }, slot).key).toBe(`${state.leadId}:step-204:attempt-2`);
  });

  test('a call nobody worked before the next touch is missed; emails are never missed', () => {
    const state = leadStateIn('contacting', { touches: [cadenceTouch(1, 'due'), cadenceTouch(2, 'due', 'email')] });
    const events = life.markMissed(state, now);
    expect(state.touches.map((t) => t.status)).toEqual(['missed', 'due']);
    expect(state.counts.touchesMissed).toBe(1);
    expect(events).toEqual([{ type: 'touch_missed', occurredAt: now.toISOString(), data: { key: 'k1', channel: 'call' } }]);
  });

  test('a permanently refused email skips the touch and asks a person to fix the address', () => {
    const state = leadStateIn('contacting');
    const touch = life.touchFor(state, { kind: 'welcome', notBefore: '' }, slot);
    const events = life.emailFailed(state, touch, 'PermanentDeliveryError: 550', now);
    expect(touch.status).toBe('skipped');
    expect(state).toMatchObject({ contactProblem: true, nextStep: { action: `Corregir el correo de ${state.lead.firstName} (rechazado)`, dueAt: '2027-03-05T15:00:00.000Z' } });
    expect(events[0]).toMatchObject({ type: 'email_failed', data: { template: 'welcome', error: 'PermanentDeliveryError: 550' } });
  });

  test('a task created after an opt-out stays skipped', () => {
    const touch = cadenceTouch(1, 'skipped');
    life.taskCreated(touch, 'task-1', now);
    expect(touch).toMatchObject({ status: 'skipped', ref: 'task-1' });
  });

  test('slots are asked for from now at the earliest, counting only real touch days', () => {
    const state = leadStateIn('contacting', { touches: [welcome, cadenceTouch(1, 'missed'), cadenceTouch(2, 'skipped')] });
    expect(life.slotRequest(state, '2027-03-01T00:00:00.000Z', now)).toEqual({ country: 'CO', notBefore: now.toISOString(), touchedDates: ['2027-03-01'], weeklyCap: 3, calendarAligned: true });
  });
});

describe('stages, owner and SLA', () => {
  test('a cadence with no answer marks its open call missed and moves the lead to its dormant stage', () => {
    const state = leadStateIn('contacting');
    const events = life.cadenceExhausted(state, 5, now);
    expect(events.map((e) => e.type)).toEqual(['touch_missed', 'cadence_exhausted', 'stage_changed']);
    expect(state).toMatchObject({ stage: 'nurturing', stageSince: now.toISOString(), nurturingTouchesSent: 0 });
  });

  test('the archive leaves a review step for a person', () => {
    const state = leadStateIn('nurturing');
    life.dormant(state, 'archived', now);
    expect(state.nextStep).toEqual({ action: 'Revisar si reactivar el lead archivado', dueAt: '2027-06-02T15:00:00.000Z' });
  });

  test('the waits re-plan when the stage, owner, pause or SLA moves, and not for a missed touch', () => {
    const state = leadStateIn('contacting');
    const key = life.planKey(state);
    life.markMissed(state, now);
    expect(life.planKey(state)).toBe(key);
    for (const change of [
      (s: typeof state) => life.assigned(s, { owner: 'ana@empresa.example', pool: 'general' }, now),
      (s: typeof state) => life.slaMissed(s, now),
      (s: typeof state) => life.dormant(s, 'archived', now),
    ]) {
      const other = leadStateIn('contacting');
      const before = life.planKey(other);
      change(other);
      expect(life.planKey(other)).not.toBe(before);
    }
  });

  test('an enrolment that an outcome overtook never moves the lead back', () => {
    expect(life.contactingStarted(leadStateIn('engaged'), now)).toEqual([]);
    const state = leadStateIn('new');
    expect(life.contactingStarted(state, now).map((e) => e.data)).toEqual([{ from: 'new', to: 'contacting' }]);
  });

  test('the wait for capacity backs off from minutes to an hour', () => {
    const state = leadStateIn('contacting');
    const pauses = [life.capacityRetryMs(state)];
    for (let i = 0; i < 6; i++) pauses.push(life.capacityRetryMs(state, pauses[pauses.length - 1]));
    expect(pauses).toEqual([300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 3_600_000, 3_600_000]);
  });
});

test('a stalled conversation: reactivation due a stall after the last progress, escalation a stall later', () => {
  const state = leadStateIn('proposal', { lastProgressAt: '2027-03-01T15:00:00.000Z' });
  expect(life.stalledAt(state, 'proposal')).toBe('2027-03-08T15:00:00.000Z');
  life.stalled(state, 'proposal', new Date('2027-03-08T15:00:00.000Z'));
  life.reactivationSent(state, 'proposal', new Date('2027-03-09T14:00:00.000Z'));
  expect(state.nextStep).toEqual({ action: `Confirmar respuesta de ${state.lead.firstName} tras la reactivación`, dueAt: '2027-03-16T14:00:00.000Z' });
  expect(life.stallEscalationAt(state, 'proposal')).toBe('2027-03-15T15:00:00.000Z');
  const events = life.stallEscalated(state, 'proposal', now);
  expect(state).toMatchObject({ stall: { reactivationSent: true, escalated: true }, counts: { escalations: 1 } });
  expect(events[0]).toMatchObject({ type: 'lead_escalated', data: { stage: 'proposal', reason: 'stalled' } });
});

test('a call outcome leaves a Zoho note and a call log; an email leaves a note only', () => {
  const state = leadStateIn('engaged');
  const outcome = { type: 'outcome_recorded', occurredAt: now.toISOString(), data: { outcome: 'interested', stageBefore: 'contacting', stageAfter: 'engaged', touchChannel: 'call', note: 'Pide precios', by: 'ana' } };
  const { note, call } = life.zohoRecordsFor(state, outcome);
  expect(note).toEqual({ leadId: state.leadId, key: `${state.leadId}:zoho:outcome_recorded:${now.toISOString()}`, title: 'Resultado: interested', content: 'Etapa: contacting → engaged\nNota: Pide precios\nRegistrado por: ana' });
  expect(call).toMatchObject({ key: `${note.key}:call`, result: 'interested', note: 'Pide precios' });
  expect(life.zohoRecordsFor(state, { type: 'email_sent', occurredAt: now.toISOString(), data: { template: 'first-email', messageId: '<m>' } }).call).toBeNull();
});

test("an email's slot request names the touch, so it books a place in the sending mailbox's day; a call's does not", () => {
  const state = leadStateIn('contacting', { touches: [] });
  const now = new Date('2027-03-01T15:00:00.000Z');
  const [call, email] = state.cadence.steps;
  const touch = (n: number, step: typeof call) => ({ kind: 'touch' as const, n, step: step!, notBefore: now.toISOString(), label: '' });
  const welcome = life.slotRequest(state, now.toISOString(), now, { kind: 'welcome', notBefore: now.toISOString() });
  expect(welcome.mailKey).toBe(life.touchFor(state, { kind: 'welcome', notBefore: now.toISOString() }, { at: '', localDate: '', label: '' }).key);
  expect(life.slotRequest(state, now.toISOString(), now, touch(2, email)).mailKey).toMatch(/:step-2:attempt-1$/);
  expect(life.slotRequest(state, now.toISOString(), now, touch(1, call))).not.toHaveProperty('mailKey');
  // A call to a lead without a phone goes out as an email: it books a place too.
  const noPhone = leadStateIn('contacting', { touches: [] });
  delete noPhone.lead.phone;
  expect(life.slotRequest(noPhone, now.toISOString(), now, touch(1, call)).mailKey).toMatch(/:step-1:attempt-1$/);
});
