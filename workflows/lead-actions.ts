import { ActivityFailure } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { touchScript } from '../domain/call-script';
import type { SendTouchEmailResult } from '../domain/effects';
import type { TouchTemplate } from '../domain/emails';
import * as life from '../domain/lead-life';
import type { Touch } from '../domain/lead-state';
import { applyOutcome, isTerminal } from '../domain/lifecycle';
import { failureMessage } from './activity-proxies';
import type { LeadContext } from './lead-context';

/** What a lead does to the world: send a touch email, put a call or LinkedIn touch in the queue, escalate. */
export function leadActions({ state, now, run, apply, survive }: LeadContext, publicUrl: string) {
  const escalate = (kind: Parameters<Activities['escalate']>[0]['kind'], key: string, summary: string) =>
    run('escalate', summary, { lead: state.lead, workflowId: state.workflowId, kind, stage: state.stage, owner: kind === 'unassigned' ? null : state.owner, key, publicUrl });

  async function sendEmail(touch: Touch, summary: string): Promise<void> {
    state.touches.push(touch);
    try {
      // SMTP answers in seconds; a worker that died mid-send is noticed after 30 s and the send retried.
      const sent: SendTouchEmailResult = await run('sendTouchEmail', summary, { lead: state.lead, owner: state.owner, touchKey: touch.key, template: touch.template as TouchTemplate }, '30 seconds');
      if (sent.outcome === 'uncertain') apply(life.emailUncertain(touch, now()));
      else if (sent.outcome === 'suppressed') apply(life.emailSuppressed(state, touch, sent.reason ?? 'suppressed', now()));
      else apply(life.emailSent(state, touch, sent.messageId!, now()));
      // The ledger knew of an opt-out the workflow never heard (its update could not reach us): close now.
      if (sent.reason === 'opted_out' && !isTerminal(state.stage)) apply(() => applyOutcome(state, { type: 'opted_out', by: 'ledger' }, now()), true);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      apply(life.emailFailed(state, touch, failureMessage(err), now()));
    }
  }

  async function createTask(touch: Touch, summary: string, highPriority = false): Promise<void> {
    state.touches.push(touch);
    const { lead, zohoLeadId } = state;
    try {
      const { taskId } = await run('createTouchTask', summary, {
        lead, zohoLeadId, touchKey: touch.key, channel: touch.channel, dueAt: touch.dueAt, subject: life.taskSubject(state, touch),
        script: touchScript({ lead, channel: touch.channel, template: touch.template }), highPriority,
      });
      apply(life.taskCreated(touch, taskId, now()));
    } catch (err) {
      // No Zoho task, but the touch still reaches the owner's queue in the web app.
      apply(life.taskCreated(touch, null, now()));
      await survive(err, { callSite: 'createTouchTask', integration: 'zoho' });
    }
  }

  return { escalate, sendEmail, createTask };
}
