import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { Activities, CreateCallTaskInput, RecordLeadEventInput, SendTouchEmailInput } from '../../activities';
import { leadIdFor, leadWorkflowId } from '../../domain/ids';
import { leadInputSchema, type Lead } from '../../domain/lead';
import { getLeadState } from '../../domain/messages';
import { bundleLeadWorkflows } from '../../workers/lead-worker';
import { aLead } from '../support/leads';
import { timeSkippingEnv } from '../support/temporal';

/**
 * The lead workflow against the real time-skipping test server. Activities are recording fakes here:
 * this tests the workflow's decisions; the integration test proves the real side effects.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnv(), bundleLeadWorkflows()]);
});
afterAll(() => env?.teardown());

function leadFrom(createdAt: string): Lead {
  const input = leadInputSchema.parse({ ...aLead(), createdAt });
  return { ...input, leadId: leadIdFor(input.email), createdAt };
}

function recordingActivities(opts: { failEmail?: 'transient' | 'permanent' } = {}) {
  const calls = { events: [] as RecordLeadEventInput[], tasks: [] as CreateCallTaskInput[], emails: [] as SendTouchEmailInput[], emailAttempts: 0 };
  const activities: Activities = {
    async recordLeadEvent(input) {
      calls.events.push(input);
    },
    async syncLeadToZoho() {
      return { zohoLeadId: '5843000000123001' };
    },
    async createCallTask(input) {
      calls.tasks.push(input);
      return { taskId: '5843000000456001' };
    },
    async sendTouchEmail(input) {
      calls.emailAttempts += 1;
      if (opts.failEmail === 'permanent') throw ApplicationFailure.create({ type: 'PermanentDeliveryError', message: '550 mailbox unavailable' });
      if (opts.failEmail === 'transient' && calls.emailAttempts < 3) throw new Error('connect ECONNREFUSED');
      calls.emails.push(input);
      return { messageId: `<${input.touchKey}@seguimiento>` };
    },
  };
  return { calls, activities };
}

async function enrol(lead: Lead, activities: Activities) {
  const taskQueue = `wf-test-${lead.leadId}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const handle = await env.client.workflow.start('leadWorkflow', {
    workflowId: leadWorkflowId(lead),
    taskQueue,
    args: [{ lead, publicUrl: 'http://localhost:3000' }],
  });
  return { worker, handle };
}

test('a new lead gets a day-1 call task due within 24 h and a welcome email, then waits in contacting', async () => {
  const lead = leadFrom('2026-03-02T14:00:00.000Z');
  const { calls, activities } = recordingActivities();
  const { worker, handle } = await enrol(lead, activities);
  await worker.runUntil(async () => {
    // Let days pass: the lead keeps its single task and single email, and the workflow stays alive.
    await env.sleep('3 days');
    const state = await handle.query(getLeadState);
    expect(state.stage).toBe('contacting');
    expect(state.nextStep).toEqual({ action: 'Llamada del día 1', dueAt: '2026-03-03T14:00:00.000Z' });
    expect(state.touches.map((t) => [t.step, t.channel, t.status])).toEqual([[1, 'call', 'planned'], [0, 'email', 'done']]);
    expect(state.zohoLeadId).toBe('5843000000123001');
    const { status } = await handle.describe();
    expect(status.name).toBe('RUNNING');
  });
  expect(calls.tasks).toHaveLength(1);
  expect(calls.tasks[0]).toMatchObject({ dueDate: '2026-03-03', zohoLeadId: '5843000000123001', touchKey: `${lead.leadId}:step-1:attempt-1` });
  expect(calls.tasks[0]!.script).toContain('Llamar a Valentina Rojas');
  expect(calls.emails).toHaveLength(1);
  expect(calls.events.map((e) => e.type)).toEqual(['lead_enrolled', 'touch_planned', 'email_sent']);
});

test('a temporary SMTP failure is retried until the welcome email goes out, once', async () => {
  const lead = leadFrom('2026-03-02T14:00:00.000Z');
  const { calls, activities } = recordingActivities({ failEmail: 'transient' });
  const { worker, handle } = await enrol(lead, activities);
  await worker.runUntil(async () => {
    await env.sleep('10 minutes');
    expect((await handle.query(getLeadState)).counts.touchesDone).toBe(1);
  });
  expect(calls.emailAttempts).toBe(3);
  expect(calls.emails).toHaveLength(1);
});

test('a permanently rejected address does not end the lead: it asks a human to check the contact', async () => {
  const lead = leadFrom('2026-03-02T14:00:00.000Z');
  const { calls, activities } = recordingActivities({ failEmail: 'permanent' });
  const { worker, handle } = await enrol(lead, activities);
  await worker.runUntil(async () => {
    await env.sleep('1 hour');
    const state = await handle.query(getLeadState);
    expect(state.stage).toBe('contacting');
    expect(state.nextStep?.action).toMatch(/Verificar el correo/);
  });
  expect(calls.emailAttempts).toBe(1);
  expect(calls.events.map((e) => e.type)).toEqual(['lead_enrolled', 'touch_planned', 'email_failed']);
});
