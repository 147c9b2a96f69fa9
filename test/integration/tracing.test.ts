import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../../api/app';
import { defaultPolicy } from '../../domain/policy';
import { leadWorkflowId } from '../../domain/ids';
import { zohoStatusMap } from '../../integrations/zoho/status-mapping';
import { createLogger } from '../../lib/logger';
import { startTracing, tracedClientInterceptors, type Tracing } from '../../lib/tracing';
import { bundleLeadWorkflows, createLeadWorker } from '../../workers/lead-worker';
import { aLead } from '../support/leads';
import { API_KEY, eventually, PUBLIC_URL, SECRETS, secretsFor, startStack, type Stack } from '../support/stack';

/**
 * One enrolment's trace on the real stack (Temporal dev server, PostgreSQL, SMTP, Zoho sandbox): the
 * API's request span, the Temporal client's StartWorkflow under it, the workflow's run under that, and
 * its first activities under the run, all one trace, exported to an in-memory exporter. And not one
 * span with the lead's email, name or phone.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing | null;
let stack: Stack;
let worker: Worker;
let running: Promise<void>;
let api: ReturnType<typeof request>;

beforeAll(async () => {
  tracing = startTracing({ service: 'seguimiento-api', url: null, spanProcessor: new SimpleSpanProcessor(exporter) });
  stack = await startStack({ worker: false });
  const namespace = stack.env.namespace ?? 'default';
  // The API's and the worker's clients as their main.ts make them when tracing is on.
  const temporal = new Client({ connection: stack.env.connection, namespace, interceptors: tracedClientInterceptors(tracing) });
  worker = await createLeadWorker({ connection: stack.env.nativeConnection, namespace, deps: { ...stack.activityDeps, temporal }, tracing });
  running = worker.run();
  const app = createApp({
    temporal, ledger: stack.ledger, secrets: secretsFor(SECRETS), zohoStatus: zohoStatusMap(), apiKey: { current: API_KEY }, publicUrl: PUBLIC_URL,
    policy: { ...defaultPolicy(), calendarAligned: false }, log: createLogger({ name: 'api-test', level: 'silent' }),
    links: { temporalUiUrl: 'http://localhost:8233', namespace, zohoWebUrl: 'https://crm.zoho.com' },
  });
  api = request(app);
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await stack?.stop();
  await tracing?.shutdown();
});

const auth = { Authorization: `Bearer ${API_KEY}` };
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: ReadableSpan[], name: string) => {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`expected one span ${name}, found ${found.length} among ${[...new Set(spans.map((s) => s.name))].join(', ')}`);
  return found[0]!;
};
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

test('one enrolment is one trace: HTTP request, StartWorkflow, the workflow run and its first activities, with no personal data', async () => {
  const input = aLead();
  const { body } = await api.post('/api/leads').set(auth).send(input).expect(201);
  const leadId = body.leadId as string;

  // The first activities of the lead's life: Zoho, then routing.
  const first = ['syncLeadToZoho', 'assignLead'];
  const enrolment = await eventually(async () => {
    const http = one(exporter.getFinishedSpans(), 'POST /api/leads');
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === http.spanContext().traceId);
    for (const activity of first) one(spans, `RunActivity:${activity}`);
    return { http, spans };
  }, 60_000);
  const { http } = enrolment;
  expect(http.kind).toBe(SpanKind.SERVER);
  expect(http.parentSpanId).toBeUndefined();
  expect(http.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/api/leads', 'http.response.status_code': 201 });

  const start = one(enrolment.spans, 'StartWorkflow:leadWorkflow');
  expect(start.parentSpanId).toBe(idOf(http));
  expect(start.attributes.temporalWorkflowId).toBe(leadWorkflowId({ leadId }));

  // The run's span ends with the workflow: the lead is closed, and its update is traced from its own request.
  await api.post(`/api/leads/${leadId}/outcomes`).set(auth).set('Idempotency-Key', randomUUID()).send({ type: 'lost', reason: 'not_a_fit' }).expect(200);
  await stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).result();
  const spans = await eventually(async () => {
    const all = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === http.spanContext().traceId);
    one(all, 'RunWorkflow:leadWorkflow');
    return all;
  });
  const run = one(spans, 'RunWorkflow:leadWorkflow');
  expect(run.parentSpanId).toBe(idOf(start));
  for (const activity of first) {
    const scheduled = one(spans, `StartActivity:${activity}`);
    const executed = one(spans, `RunActivity:${activity}`);
    expect(scheduled.parentSpanId).toBe(idOf(run));
    expect(executed.parentSpanId).toBe(idOf(scheduled));
  }
  // Every span of the enrolment's trace descends from the request.
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  const rootOf = (s: ReadableSpan): ReadableSpan => (s.parentSpanId && byId.has(s.parentSpanId) ? rootOf(byId.get(s.parentSpanId)!) : s);
  expect(spans.filter((s) => rootOf(s) !== http).map((s) => s.name)).toEqual([]);

  const outcome = one(exporter.getFinishedSpans(), 'POST /api/leads/:leadId/outcomes');
  const update = exporter.getFinishedSpans().find((s) => s.name.startsWith('StartWorkflowUpdate') && s.parentSpanId === idOf(outcome));
  expect(update?.spanContext().traceId).toBe(outcome.spanContext().traceId);
  expect(one(exporter.getFinishedSpans(), 'HandleUpdate:recordOutcome').parentSpanId).toBe(idOf(update!));

  // Nothing of the person in any span: names, attributes, events, statuses.
  const text = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
  for (const personal of [input.email, input.email.split('@')[0]!, input.firstName, input.lastName, input.phone!, input.phone!.replace(/\D/g, '')]) {
    expect(text).not.toContain(personal);
  }
  expect(text).not.toMatch(/\/api\/leads\/L-/);
  // Nor anyone else's address (the owner's is a search attribute): attributes are ids and names, one value each.
  expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
  const values = exporter.getFinishedSpans().flatMap((s) => Object.values(s.attributes));
  expect(values.filter((v) => !['string', 'number', 'boolean'].includes(typeof v))).toEqual([]);
  expect(run.attributes).toEqual({ workflowId: leadWorkflowId({ leadId }), runId: start.attributes.run_id, workflowType: 'leadWorkflow', taskQueue: expect.any(String), namespace: expect.any(String) });

  // Tracing changes no command: the history this traced worker recorded replays without the interceptors.
  const history = await stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await bundleLeadWorkflows() }, history, leadWorkflowId({ leadId }));
}, 180_000);
