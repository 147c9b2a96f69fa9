import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { changeCadence, getLeadState, leadReturned, recordOutcome, runCommand } from '../../domain/messages';
import { freshEnvPerTest, leadAt, minute, recordingActivities, startLead, travelTo } from './harness';
import type { Lead } from '../../domain/lead';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
freshEnvPerTest((ctx) => ({ env, bundle } = ctx));

const DAY = 86_400_000;

test('no response: exactly the cadence touches at the right local times, then nurturing, then archived', async () => {
  // Monday 1 March 2027, 10:00 in Bogotá (UTC-5): no Colombian holiday for the next two weeks.
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const lead = leadAt(createdAt, { country: 'CO', profile: 'b2c' });
  const { activities, effects, events } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  const firstRunId = handle.firstExecutionRunId;
  const state = await worker.runUntil(async () => {
    await travelTo(env, '2027-03-11T00:00:00.000Z');
    const touches = effects.filter((e) => e.kind === 'email' || e.kind === 'task').map((e) => [minute(e.at), e.kind, e.detail.split(' ')[0]]);
    expect(touches).toEqual([
      ['2027-03-01T15:00', 'email', 'welcome'],
      ['2027-03-01T15:00', 'task', 'call'],
      ['2027-03-03T15:00', 'email', 'first-email'], // day 3, Wednesday 10:00
      ['2027-03-05T15:00', 'task', 'linkedin'], // day 5, Friday
      ['2027-03-08T15:00', 'task', 'call'], // day 8, Monday
      ['2027-03-10T15:00', 'email', 'break-up-email'], // day 10, Wednesday
    ]);
    expect((await handle.query(getLeadState)).stage).toBe('contacting');
    // Two days' grace after the last touch, then nurturing: six monthly value emails, then the archive.
    await travelTo(env, '2027-03-12T16:00:00.000Z');
    expect((await env.client.workflow.getHandle(handle.workflowId).query(getLeadState)).stage).toBe('nurturing');
    await travelTo(env, '2027-10-01T00:00:00.000Z');
    return env.client.workflow.getHandle(handle.workflowId).query(getLeadState);
  });
  const nurturing = effects.filter((e) => e.kind === 'email' && e.detail === 'nurturing').map((e) => e.at);
  expect(nurturing).toHaveLength(6);
  nurturing.forEach((at, i) => {
    const local = new Date(at - 5 * 3_600_000);
    expect(local.getUTCDay()).toBeGreaterThanOrEqual(1);
    expect(local.getUTCDay()).toBeLessThanOrEqual(5);
    expect(local.getUTCHours()).toBeGreaterThanOrEqual(9);
    expect(local.getUTCHours()).toBeLessThan(18);
    if (i > 0) expect(at - nurturing[i - 1]!).toBeGreaterThanOrEqual(30 * DAY - 60_000);
  });
  expect(state.stage).toBe('archived');
  expect(state.nextStep).toMatchObject({ action: 'Revisar si reactivar el lead archivado' });
  // The calls and the LinkedIn message nobody worked are missed, not silently dropped.
  expect(state.counts).toMatchObject({ touchesDone: 2 + 6, touchesMissed: 3, escalations: 1 });
  expect(state.touches.filter((t) => t.kind === 'cadence').map((t) => t.status)).toEqual(['missed', 'done', 'missed', 'missed', 'done']);
  expect(events.filter((e) => e.type === 'stage_changed').map((e) => e.data?.to)).toEqual(['contacting', 'nurturing', 'archived']);
  // Nurturing continued as new once per value touch: the state crossed every boundary intact.
  expect((await env.client.workflow.getHandle(handle.workflowId).describe()).runId).not.toBe(firstRunId);
});

test('a lead without a phone or a LinkedIn profile gets the emails its cadence names instead, on the same days; a phone added later brings the call back', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const lead = leadAt(createdAt, { country: 'CO', profile: 'b2c', phone: undefined, linkedinUrl: undefined });
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-06T00:00:00.000Z');
    const touches = () => effects.filter((e) => e.kind === 'email' || e.kind === 'task').map((e) => [minute(e.at), e.kind, e.detail.split(' ')[0]]);
    expect(touches()).toEqual([
      ['2027-03-01T15:00', 'email', 'welcome'],
      ['2027-03-01T15:00', 'email', 'call-request'], // day 1: no number to call, so ask for one
      ['2027-03-03T15:00', 'email', 'first-email'],
      ['2027-03-05T15:00', 'email', 'personal-note'], // day 5: no profile, so a personal note by mail
    ]);
    const state = await handle.query(getLeadState);
    expect(state.touches.filter((t) => t.kind === 'cadence').map((t) => [t.channel, t.status])).toEqual([['email', 'done'], ['email', 'done'], ['email', 'done']]);
    expect(state.nextStep?.action).toBe('Toque 4/5 · correo');
    // The lead answers with a number: the day-8 touch is a call again.
    await handle.executeUpdate(runCommand, { args: [{ type: 'update_lead', changes: { phone: '+57 300 765 4321' } }] });
    await travelTo(env, '2027-03-09T00:00:00.000Z');
    expect(touches().at(-1)).toEqual(['2027-03-08T15:00', 'task', 'call']);
  });
});

test('a reply on day 4 ends the cadence at once: no cadence touch after it, a human next step, stage engaged', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const lead = leadAt(createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-04T17:00:00.000Z');
    const replyAt = await env.currentTimeMs();
    const state = await handle.executeUpdate(recordOutcome, { args: [{ type: 'replied', note: 'Pide el temario' }] });
    expect(state.stage).toBe('engaged');
    expect(state.nextStep?.action).toBe('Definir el siguiente paso con Valentina');
    expect(minute(Date.parse(state.nextStep!.dueAt))).toBe(minute(replyAt + DAY));
    await travelTo(env, '2027-03-09T00:00:00.000Z');
    expect(effects.filter((e) => e.at > replyAt && (e.kind === 'email' || e.kind === 'task'))).toEqual([]);
    const later = await handle.query(getLeadState);
    expect(later.touches.filter((t) => t.kind === 'cadence').map((t) => t.step)).toEqual([1, 2]);
    expect(later.counts.touchesMissed).toBe(1); // the day-1 call nobody worked before the day-3 email
    expect(later.sla.status).toBe('breached');
  });
});

test('an operator moves one lead to a new cadence version deliberately; it continues from where it was', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-04T00:00:00.000Z'); // steps 1 (call) and 2 (email) done
    const v1 = (await handle.query(getLeadState)).cadence;
    const v2 = { ...v1, version: 2, steps: [v1.steps[0]!, v1.steps[1]!, { day: 12, channel: 'email' as const, template: 'break-up-email' }], maxTouches: 3 };
    const moved = await handle.executeUpdate(changeCadence, { args: [{ cadence: v2 }] });
    expect(moved.cadence.version).toBe(2);
    await travelTo(env, '2027-03-04T00:01:00.000Z');
    expect((await handle.query(getLeadState)).nextStep?.action).toBe('Toque 3/3 · correo');
    await travelTo(env, '2027-03-13T00:00:00.000Z');
  });
  const after = effects.filter((e) => (e.kind === 'email' || e.kind === 'task') && e.at > Date.parse('2027-03-04T00:00:00Z'));
  expect(after.map((e) => [minute(e.at), e.detail.split(' ')[0]])).toEqual([['2027-03-12T15:00', 'break-up-email']]);
});

test('the same person arriving again while in nurturing reactivates the lead into a fresh cadence', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z';
  await travelTo(env, createdAt);
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead: leadAt(createdAt), activities });
  await worker.runUntil(async () => {
    await travelTo(env, '2027-03-20T00:00:00.000Z');
    const current = env.client.workflow.getHandle(handle.workflowId);
    expect((await current.query(getLeadState)).stage).toBe('nurturing');
    await current.signal(leadReturned, { source: 'web-form' });
    await travelTo(env, '2027-03-24T00:00:00.000Z');
    const state = await current.query(getLeadState);
    expect(state).toMatchObject({ stage: 'contacting', cadenceRun: 2, counts: { reactivations: 1 } });
  });
  // A new first call for the second pass, on the next business morning: Saturday → Monday 22 March is
  // San José in Colombia → Tuesday 09:00 Bogotá.
  const secondRun = effects.filter((e) => e.kind === 'task' && e.detail.endsWith('attempt-2'));
  expect(secondRun.map((e) => [minute(e.at), e.detail.split(' ')[0]])).toEqual([['2027-03-23T14:00', 'call']]);
});

test('an alumnus back for another course: the alumni cadence, under keys of its own, then nurturing', async () => {
  const createdAt = '2027-03-01T15:00:00.000Z'; // Monday, 10:00 in Bogotá
  await travelTo(env, createdAt);
  const lead: Lead = { ...leadAt(createdAt, { country: 'CO', profile: 'b2c' }), returning: { previousStage: 'enrolled', previousCourse: { code: 'DS-101', name: 'Ciencia de Datos con Python' } } };
  const { activities, effects } = recordingActivities();
  const { worker, handle } = await startLead({ env, bundle, lead, activities });
  const state = await worker.runUntil(async () => {
    await travelTo(env, '2027-03-12T16:00:00.000Z');
    return env.client.workflow.getHandle(handle.workflowId).query(getLeadState);
  });
  const touches = effects.filter((e) => e.kind === 'email' || e.kind === 'task');
  expect(touches.map((e) => [minute(e.at), e.kind, e.detail.split(' ')[0]])).toEqual([
    ['2027-03-01T15:00', 'email', 'welcome'],
    ['2027-03-01T15:00', 'task', 'call'],
    ['2027-03-04T15:00', 'email', 'first-email'], // day 4, Thursday
    ['2027-03-09T15:00', 'email', 'break-up-email'], // day 9, Tuesday
  ]);
  // Not the keys of the person's first follow-up (which are the bare lead id's): nothing is skipped as "already sent".
  const tag = `${lead.leadId}.f${Date.parse(createdAt).toString(36)}:`;
  for (const e of touches) expect(e.key ?? e.detail.split(' ')[1]).toMatch(new RegExp(`^${tag.replace('.', '\\.')}`));
  expect(state).toMatchObject({ stage: 'nurturing', cadence: { id: 'alumni' } });
});
