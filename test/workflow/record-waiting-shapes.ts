/**
 * Records the replay set of leads that are still waiting (`npm run histories:record-waiting`).
 *
 * `record-histories.ts` stores finished lives; but what a workflow change must not break is the
 * thousands of leads parked mid-way in production: their next workflow task replays everything they
 * did so far with the new code. So here every shape a real lead can be waiting in is driven into place
 * on the time-skipping server, checked from its own state, and its open run (with the earlier runs of
 * its continue-as-new chain) is stored as `test/histories/waiting-<shape>.run-N.history.bin`.
 *
 * Like the other recorder: run it only when a workflow change is deliberate and released behind
 * `patched()`, never to make a failing replay pass. `npx tsx test/workflow/record-waiting-shapes.ts
 * [--into=<release>] [shape…]` records only the named shapes; `--into` stores them in a folder of
 * their own (`test/histories/<release>/`), so the shapes of each release stay in the replay set.
 */
// First: worker chatter would drown the event counts this script prints.
import '../support/quiet-runtime';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Lead, LeadInput } from '../../domain/lead';
import type { LeadState } from '../../domain/lead-state';
import { getLeadState, leadReturned, outcomeSignal, recordOutcome, runCommand, type LeadReturn } from '../../domain/messages';
import type { Command, Outcome } from '../../domain/outcomes';
import { bundleLeadWorkflows } from '../../workers/lead-worker';
import { runsOf, timeSkippingEnv } from '../support/temporal';
import { DEFAULT_OWNER, leadAt, recordingActivities, startLead, travelTo, type SideEffect } from './harness';

const into = process.argv.find((a) => a.startsWith('--into='))?.slice('--into='.length);
const dir = join(__dirname, '..', 'histories', ...(into ? [into] : []));
const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

/** What a shape's script gets: the server, the lead's latest run, and what the fakes saw. */
interface LeadDriver {
  env: TestWorkflowEnvironment;
  workflowId: string;
  effects: SideEffect[];
  /** The latest run of the lead's chain (continue-as-new starts new runs). */
  state(): Promise<LeadState>;
  outcome(outcome: Outcome): Promise<LeadState>;
  command(command: Command): Promise<LeadState>;
  /** The update must be refused by its validator (a refused update leaves no event in the history). */
  rejectedOutcome(outcome: unknown): Promise<void>;
  signal(outcome: unknown): Promise<void>;
  /** The same person asked again (the API's signal, with the course asked about). */
  returned(returned: LeadReturn): Promise<void>;
  travelTo(iso: string): Promise<void>;
}

interface Shape {
  name: string;
  /** When the lead arrives (the clock starts there). */
  createdAt: string;
  lead?: Partial<LeadInput>;
  /** A person's later follow-up (a new run of the same workflow id, started by the API). */
  returning?: Lead['returning'];
  hooks?: Parameters<typeof recordingActivities>[0];
  /** Drives the lead into the shape; the recorder then waits until the workflow has settled. */
  drive(lead: LeadDriver): Promise<void>;
  /** Throws unless the settled state proves the lead is waiting in this shape. */
  check(state: LeadState, lead: LeadDriver): void;
  /** Continue-as-new runs the chain must have reached. */
  minRuns?: number;
}

function need(condition: unknown, what: string): void {
  if (!condition) throw new Error(`expected ${what}`);
}

const cadenceTouches = (s: LeadState) => s.touches.filter((t) => t.kind === 'cadence');
const nextIs = (s: LeadState, action: string, dueAt?: string) => {
  need(s.nextStep?.action.startsWith(action), `next step "${action}…", got "${s.nextStep?.action}"`);
  if (dueAt) need(s.nextStep?.dueAt === dueAt, `next step due ${dueAt}, got ${s.nextStep?.dueAt}`);
};
const waitingInCadence = (s: LeadState) => {
  need(s.stage === 'contacting', `stage contacting, got ${s.stage}`);
  need(!s.paused && !s.contactProblem, 'neither paused nor a contact problem');
};

// Dates: 2027-03-01 is a Monday; the lead is in Bogotá (UTC-5), business hours 09:00-18:00 = 14:00-23:00Z.
// Arriving Monday 10:00 local, the default cadence touches at that hour on Mon 1 (call), Wed 3 (email),
// Fri 5 (LinkedIn), Mon 8 (call), Wed 10 (email).
// The time-skipping server refuses a workflow task that cancels a timer it has just fired itself
// ("invalid history builder state for action"; the real server drops the buffered TimerFired instead),
// and the lead then hangs. So the recordings never send a message at the instant a timer is due (the
// SLA: Tue 2 15:00Z), nor let two timers come due at the same instant.
const MONDAY = '2027-03-01T15:00:00.000Z';

const PM = { code: 'PM-201', name: 'Gestión de Proyectos Ágiles' };

const SHAPES: Shape[] = [
  {
    // No phone and no LinkedIn profile: the day-1 call and day-5 LinkedIn steps went out as the emails
    // the cadence names instead (patched), waiting for the day-8 step, itself a replaced call.
    name: 'steps-replaced',
    createdAt: MONDAY,
    lead: { phone: undefined, linkedinUrl: undefined },
    async drive(lead) {
      await lead.travelTo('2027-03-06T00:00:00.000Z');
    },
    check(s) {
      waitingInCadence(s);
      need(s.touches.filter((t) => t.kind === 'cadence').map((t) => t.template).join() === 'call-request,first-email,personal-note', 'the call and LinkedIn steps replaced by their emails');
      nextIs(s, 'Toque 4/5 · correo', '2027-03-08T15:00:00.000Z');
    },
  },
  {
    // An alumnus back for another course: the alumni cadence, its keys tagged as a later follow-up,
    // waiting for its day-4 email after the day-1 call was worked.
    name: 'alumni-before-email',
    createdAt: MONDAY,
    returning: { previousStage: 'enrolled', previousCourse: { code: 'DS-101', name: 'Ciencia de Datos con Python' } },
    async drive(lead) {
      await lead.travelTo('2027-03-01T16:00:00.000Z');
      await lead.outcome({ type: 'no_answer', by: DEFAULT_OWNER });
      await lead.travelTo('2027-03-02T16:00:00.000Z');
    },
    check(s) {
      waitingInCadence(s);
      need(s.cadence.id === 'alumni', 'the alumni cadence');
      need(s.touches.every((t) => t.key.includes('.f')), 'keys tagged as a later follow-up');
      nextIs(s, 'Toque 2/3 · correo', '2027-03-04T15:00:00.000Z');
    },
  },
  {
    // Asked about another course while the cadence runs: taken in, the cadence goes on (patched).
    name: 'other-course-while-active',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-01T18:00:00.000Z');
      await lead.returned({ source: 'web-form', course: PM });
    },
    check(s) {
      waitingInCadence(s);
      need(s.lead.course.code === 'DS-101' && s.lead.otherCourses?.[0]?.code === PM.code, 'the first course kept, the second taken in');
      nextIs(s, 'Toque 2/5 · correo', '2027-03-03T15:00:00.000Z');
    },
  },
  {
    // Asked about another course in nurturing: reactivated for it, a fresh pass of the cadence (patched).
    name: 'other-course-from-nurturing',
    createdAt: MONDAY,
    minRuns: 2,
    async drive(lead) {
      await lead.travelTo('2027-04-20T00:00:00.000Z');
      await lead.returned({ source: 'import', course: PM });
      await lead.travelTo('2027-04-20T18:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'contacting' && s.cadenceRun === 2, `a second pass of the cadence, got ${s.stage} run ${s.cadenceRun}`);
      need(s.lead.course.code === PM.code && s.lead.otherCourses?.[0]?.code === 'DS-101', 'followed up for the new course, the first kept');
    },
  },
  {
    // Arrived on a Saturday: the acknowledgement waits for Monday morning, nothing else has happened.
    name: 'welcome-slot',
    createdAt: '2027-03-06T15:00:00.000Z',
    async drive() {},
    check(s) {
      waitingInCadence(s);
      need(s.touches.length === 0, 'no touch yet');
      nextIs(s, 'Correo de bienvenida', '2027-03-08T14:00:00.000Z');
      need(s.owner === DEFAULT_OWNER, 'an owner from routing');
    },
  },
  {
    // The day-1 call task is in the executive's queue; the lead waits for its outcome or touch 2.
    name: 'call-task-due',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-01T18:00:00.000Z');
    },
    check(s) {
      waitingInCadence(s);
      need(s.touches.some((t) => t.kind === 'welcome' && t.status === 'done'), 'the welcome email sent');
      const call = cadenceTouches(s)[0];
      need(call?.channel === 'call' && call.status === 'due' && call.ref, 'touch 1 a due call task with its task id');
      nextIs(s, 'Toque 2/5 · correo', '2027-03-03T15:00:00.000Z');
    },
  },
  {
    // The executive worked the call (no answer); the cadence sleeps until the day-3 email.
    name: 'before-email',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-01T16:00:00.000Z');
      await lead.outcome({ type: 'no_answer', by: DEFAULT_OWNER });
      await lead.travelTo('2027-03-02T16:00:00.000Z');
    },
    check(s) {
      waitingInCadence(s);
      const call = cadenceTouches(s)[0];
      need(call?.status === 'done' && call.outcome === 'no_answer', 'touch 1 done with no_answer');
      need(!s.touches.some((t) => t.status === 'due'), 'no open task');
      nextIs(s, 'Toque 2/5 · correo', '2027-03-03T15:00:00.000Z');
    },
  },
  {
    // Three touches in, nobody worked the tasks (the SLA broke): the weekend before the day-8 call.
    name: 'before-call',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-06T12:00:00.000Z');
    },
    check(s, lead) {
      waitingInCadence(s);
      need(cadenceTouches(s).map((t) => `${t.channel}:${t.status}`).join() === 'call:missed,email:done,linkedin:due', 'touches call missed, email done, LinkedIn due');
      need(s.sla.status === 'breached' && lead.effects.some((e) => e.detail === 'sla_missed'), 'the SLA breached and escalated');
      nextIs(s, 'Toque 4/5 · llamada', '2027-03-08T15:00:00.000Z');
    },
  },
  {
    name: 'paused-until',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-02T16:00:00.000Z');
      await lead.command({ type: 'pause', until: '2027-03-23T14:00:00.000Z', note: 'De vacaciones hasta el 23' });
    },
    check(s) {
      need(s.stage === 'contacting', 'stage contacting');
      need(s.paused?.until === '2027-03-23T14:00:00.000Z', 'paused until 2027-03-23');
      nextIs(s, 'Seguimiento en pausa', '2027-03-23T14:00:00.000Z');
    },
  },
  {
    name: 'paused-indefinitely',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-02T16:00:00.000Z');
      await lead.command({ type: 'pause', note: 'Pidió que lo llamemos cuando vuelva' });
    },
    check(s) {
      need(s.stage === 'contacting', 'stage contacting');
      need(s.paused && s.paused.until === null, 'paused without an end date');
      nextIs(s, 'Seguimiento en pausa');
    },
  },
  {
    // A proposal nobody answered for 7 days: the reactivation email went out, escalation is next.
    name: 'stalled-after-reactivation',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-02T17:00:00.000Z');
      await lead.outcome({ type: 'replied', by: 'inbound-email' });
      await lead.outcome({ type: 'proposal_sent', by: DEFAULT_OWNER });
      await lead.travelTo('2027-03-10T15:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'proposal', `stage proposal, got ${s.stage}`);
      need(s.stall?.reactivationSent && !s.stall.escalated, 'stalled, reactivation sent, not yet escalated');
      need(s.touches.some((t) => t.kind === 'reactivation' && t.status === 'done'), 'the reactivation email sent');
      nextIs(s, 'Confirmar respuesta');
    },
  },
  {
    // The escalation after the reactivation: the closer has an urgent task; nothing automatic is left.
    name: 'stalled-escalated',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-02T17:00:00.000Z');
      await lead.outcome({ type: 'replied', by: 'inbound-email' });
      await lead.outcome({ type: 'proposal_sent', by: DEFAULT_OWNER });
      await lead.travelTo('2027-03-20T00:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'proposal', `stage proposal, got ${s.stage}`);
      need(s.stall?.reactivationSent && s.stall.escalated, 'stalled, reactivated and escalated');
      nextIs(s, 'Escalado');
    },
  },
  {
    // Everyone in the pool is at their cap: the director heard once, routing retries on a growing pause.
    name: 'capacity-queue',
    createdAt: MONDAY,
    hooks: { assign: () => null },
    async drive(lead) {
      await lead.travelTo('2027-03-01T17:00:00.000Z');
    },
    check(s, lead) {
      waitingInCadence(s);
      need(s.owner === null, 'no owner');
      need(lead.effects.filter((e) => e.kind === 'queued').length === 1, 'queued once');
      need(lead.effects.some((e) => e.kind === 'escalation' && e.detail === 'unassigned'), 'the director told');
      need(cadenceTouches(s)[0]?.status === 'due', 'the cadence going on meanwhile (call task due)');
    },
  },
  {
    // The cadence ended unanswered; one value touch sent, continued as new, waiting for the next.
    name: 'nurturing',
    createdAt: MONDAY,
    minRuns: 2,
    async drive(lead) {
      await lead.travelTo('2027-04-20T00:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'nurturing', `stage nurturing, got ${s.stage}`);
      need(s.nurturingTouchesSent === 1, 'one nurturing touch sent');
      nextIs(s, 'Toque de nurturing 2/6');
    },
  },
  {
    // B2B leads are archived rather than nurtured: parked with no timer, until a person or the lead acts.
    // Arriving on a Friday: on a Monday the b2b day-2 touch and the SLA would be due at the same instant,
    // which the time-skipping server mishandles one run in a few (see MONDAY).
    name: 'archived',
    createdAt: '2027-03-05T15:00:00.000Z',
    lead: { profile: 'b2b' },
    async drive(lead) {
      await lead.travelTo('2027-03-20T00:00:00.000Z');
    },
    check(s) {
      need(s.cadence.id === 'b2b', 'the b2b cadence');
      need(s.stage === 'archived', `stage archived, got ${s.stage}`);
      nextIs(s, 'Revisar si reactivar');
    },
  },
  {
    // Refused updates (wrong stage, unknown outcome, missing reason: the validator runs, nothing is
    // recorded), a signal the handler drops, then a valid reply the same handler takes.
    name: 'update-rejected',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-02T16:00:00.000Z');
      await lead.rejectedOutcome({ type: 'enrolled' });
      await lead.rejectedOutcome({ type: 'maybe_later' });
      await lead.rejectedOutcome({ type: 'lost' });
      await lead.signal({ type: 'proposal_sent', by: 'zoho' });
      await lead.outcome({ type: 'replied', by: 'inbound-email' });
    },
    check(s) {
      need(s.stage === 'engaged', `stage engaged, got ${s.stage}`);
      need(s.outcomes.map((o) => o.type).join() === 'replied', 'only the reply recorded');
      nextIs(s, 'Definir el siguiente paso');
    },
  },
  {
    // The phone was wrong: automatic touches wait, with no timer, for a person to fix the data.
    name: 'contact-problem',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-01T16:00:00.000Z');
      await lead.outcome({ type: 'wrong_contact', by: DEFAULT_OWNER, note: 'El número no existe' });
      await lead.travelTo('2027-03-04T00:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'contacting' && s.contactProblem, 'contacting with a contact problem');
      need(cadenceTouches(s).length === 1, 'no touch after the wrong contact');
      nextIs(s, 'Corregir los datos de contacto');
    },
  },
  {
    // The welcome email bounced for good: the same wait for a person, reached through a failed activity.
    name: 'email-bounced',
    createdAt: MONDAY,
    hooks: { failEmail: 'permanent' },
    async drive(lead) {
      await lead.travelTo('2027-03-01T18:00:00.000Z');
    },
    check(s) {
      need(s.stage === 'contacting' && s.contactProblem, 'contacting with a contact problem');
      need(s.touches.some((t) => t.kind === 'welcome' && t.status === 'skipped'), 'the welcome email skipped');
      nextIs(s, 'Corregir el correo');
    },
  },
  {
    // A person fixed the wrong phone and moved the lead to another executive; the cadence resumed.
    name: 'reassigned-and-updated',
    createdAt: MONDAY,
    async drive(lead) {
      await lead.travelTo('2027-03-01T16:00:00.000Z');
      await lead.outcome({ type: 'wrong_contact', by: DEFAULT_OWNER });
      await lead.travelTo('2027-03-02T16:00:00.000Z');
      await lead.command({ type: 'reassign', owner: 'luis.gomez@empresa.example' });
      await lead.command({ type: 'update_lead', changes: { phone: '+57 310 555 0101' } });
    },
    check(s) {
      waitingInCadence(s);
      need(s.owner === 'luis.gomez@empresa.example', 'reassigned');
      need(s.lead.phone === '+57 310 555 0101', 'the phone updated');
      nextIs(s, 'Toque 2/5 · correo', '2027-03-03T15:00:00.000Z');
    },
  },
];

/**
 * Why the history is not yet a place to stop: an open workflow task (a query or message still being
 * handled) or an activity in flight. A failed workflow task is a bug, not something to wait out.
 */
function unsettled(history: History): string | null {
  let task: string | null = null;
  const activities = new Set<string>();
  for (const e of history.events ?? []) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        task = `workflow task ${EventType[e.eventType]}`;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        task = null;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        throw new Error(`workflow task failed: ${e.workflowTaskFailedEventAttributes?.failure?.message}`);
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activities.add(String(e.eventId));
        break;
      default: {
        const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
        if (closed) activities.delete(String(closed.scheduledEventId));
      }
    }
  }
  if (task) return task;
  if (activities.size) return `${activities.size} activities in flight`;
  return null;
}

/** Waits (in real time: the server's clock stays put) until the latest run has nothing in progress. */
async function settle({ env, workflowId }: { env: TestWorkflowEnvironment; workflowId: string }): Promise<void> {
  let why: string | null = 'not looked at';
  for (let i = 0; i < 100; i++) {
    const handle = env.client.workflow.getHandle(workflowId);
    // A query goes through the worker, so a pending workflow task is completed before it answers.
    await handle.query(getLeadState);
    why = unsettled(await handle.fetchHistory());
    if (!why) return;
    await delay(100);
  }
  throw new Error(`${workflowId} never settled: ${why}`);
}

/** A hung call to the test server fails the recording with a name instead of hanging it. */
async function within<T>({ ms, what, work }: { ms: number; what: string; work: Promise<T> }): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      work,
      delay(ms, undefined, { signal: timeout.signal }).then(() => Promise.reject(new Error(`${what}: no answer after ${ms} ms`))),
    ]);
  } finally {
    timeout.abort();
  }
}


async function record({ shape, bundle }: { shape: Shape; bundle: WorkflowBundle }): Promise<void> {
  const env = await timeSkippingEnv();
  try {
    await travelTo(env, shape.createdAt);
    const { activities, effects } = recordingActivities(shape.hooks);
    const { worker, handle } = await startLead({
      env, bundle, activities,
      lead: { ...leadAt(shape.createdAt, { ...shape.lead, email: `waiting.${shape.name}@example.co` }), ...(shape.returning ? { returning: shape.returning } : {}) },
    });
    const { workflowId } = handle;
    const latest = () => env.client.workflow.getHandle(workflowId);
    /**
     * Every message and every jump in time starts from a settled workflow, so that what happens in the
     * recorded histories does not depend on how fast the worker was.
     */
    const settled = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
      await settle({ env, workflowId });
      return within({ ms: 60_000, what: `${shape.name}: ${what}`, work: send() });
    };
    const lead: LeadDriver = {
      env,
      workflowId,
      effects,
      state: () => latest().query(getLeadState),
      outcome: (outcome) => settled(`outcome ${outcome.type}`, () => latest().executeUpdate(recordOutcome, { args: [outcome] })),
      command: (command) => settled(`command ${command.type}`, () => latest().executeUpdate(runCommand, { args: [command] })),
      async rejectedOutcome(outcome) {
        const refused = await settled(`refused outcome ${JSON.stringify(outcome)}`, () =>
          latest().executeUpdate(recordOutcome, { args: [outcome as Outcome] }).then(
            () => false,
            (err) => {
              if (err instanceof WorkflowUpdateFailedError) return true;
              throw err;
            },
          ));
        if (!refused) throw new Error(`${shape.name}: expected ${JSON.stringify(outcome)} to be refused`);
      },
      signal: (outcome) => settled('signal', () => latest().signal(outcomeSignal, outcome as Outcome)),
      returned: (returned) => settled('lead returned', () => latest().signal(leadReturned, returned)),
      travelTo: (iso) => settled(`travel to ${iso}`, () => travelTo(env, iso)),
    };
    await worker.runUntil(async () => {
      await settle({ env, workflowId });
      await shape.drive(lead);
      await settle({ env, workflowId });
      try {
        shape.check(await lead.state(), lead);
      } catch (err) {
        throw new Error(`${shape.name}: ${(err as Error).message}\n${JSON.stringify(await lead.state(), null, 1)}`);
      }
      const histories = await runsOf(env, workflowId);
      if (histories.length < (shape.minRuns ?? 1)) throw new Error(`${shape.name}: expected ${shape.minRuns} runs, got ${histories.length}`);
      const why = unsettled(histories[histories.length - 1]!);
      if (why) throw new Error(`${shape.name}: the history moved on after settling (${why})`);
      // A re-recording may have fewer runs than the last one: no stale run may stay behind.
      for (const f of readdirSync(dir).filter((f) => f.startsWith(`waiting-${shape.name}.run-`))) rmSync(join(dir, f));
      for (const [i, history] of histories.entries()) {
        // Protobuf binary, exactly as the server sent it.
        writeFileSync(join(dir, `waiting-${shape.name}.run-${i + 1}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
        process.stdout.write(`waiting-${shape.name} run ${i + 1}: ${history.events?.length} history events${i === histories.length - 1 ? ' (open)' : ''}\n`);
      }
      // The lead has served its purpose; terminating is not part of the stored histories.
      await latest().terminate('recorded for the replay set');
    });
  } finally {
    await env.teardown();
  }
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--into='));
  const unknown = only.filter((name) => !SHAPES.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown shapes: ${unknown.join(', ')} (known: ${SHAPES.map((s) => s.name).join(', ')})`);
  const bundle = await bundleLeadWorkflows();
  for (const shape of SHAPES.filter((s) => !only.length || only.includes(s.name))) await record({ shape, bundle });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
