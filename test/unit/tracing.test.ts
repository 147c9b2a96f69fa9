import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express, { Router } from 'express';
import request from 'supertest';
import { ConfigError, otlpTracesUrlOf, parseConfig } from '../../config';
import { requestSpans } from '../../api/request-spans';
import { startTracing, tracedClientInterceptors } from '../../lib/tracing';
import { tracedWorkerOptions } from '../../workers/lead-worker';

const message = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

test('with no OTLP endpoint tracing is off: no provider registered, no interceptors, no sinks', () => {
  const url = otlpTracesUrlOf(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' }));
  expect(url).toBeNull();
  const tracing = startTracing({ service: 'seguimiento-api', url });
  expect(tracing).toBeNull();
  // The OpenTelemetry API stays its no-op: spans made anywhere record nothing.
  const span = trace.getTracer('anyone').startSpan('x');
  expect(span.isRecording()).toBe(false);
  expect(span.spanContext().traceId).toBe('00000000000000000000000000000000');
  span.end();
  expect(tracedClientInterceptors(tracing)).toBeUndefined();
  expect(tracedWorkerOptions(tracing, { bundled: false })).toEqual({});
  expect(tracedWorkerOptions(undefined, { bundled: true })).toEqual({});
});

test('the OTLP endpoint is read as the OpenTelemetry specification reads it, and a bad one stops the start', () => {
  expect(otlpTracesUrlOf(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }))).toBe('http://otel-collector:4318/v1/traces');
  expect(otlpTracesUrlOf(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/otlp/' }))).toBe('https://otlp.example.com/otlp/v1/traces');
  // The traces URL is used as given, and wins over the base one.
  expect(otlpTracesUrlOf(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }))).toBe('http://b:4318/custom');
  expect(message({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' })).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL such as http:\/\/otel-collector:4318/);
  expect(message({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toMatch(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http\(s\) URL/);
});

test('a configured endpoint turns tracing on for the process, and the client and worker interceptors with it; spans go there over OTLP', async () => {
  // A stand-in collector: what arrives at the traces URL.
  const received: { url?: string; type?: string; body: Buffer }[] = [];
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((ok) => collector.listen(0, '127.0.0.1', ok));
  const { port } = collector.address() as AddressInfo;
  const url = otlpTracesUrlOf(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }));
  const tracing = startTracing({ service: 'seguimiento-worker', url });
  try {
    expect(tracing).not.toBeNull();
    expect(tracing!.resource.attributes['service.name']).toBe('seguimiento-worker');
    const span = trace.getTracer('anyone').startSpan('RunActivity:syncLeadToZoho');
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(tracedClientInterceptors(tracing)?.workflow).toHaveLength(1);
    const options = tracedWorkerOptions(tracing, { bundled: false });
    expect(options.interceptors?.workflowModules).toEqual([expect.stringMatching(/workflows\/tracing-interceptors\.ts$/)]);
    expect(options.interceptors?.activity).toHaveLength(1);
    expect(Object.keys(options.sinks ?? {})).toEqual(['exporter']);
    // A worker given a bundle has the interceptors in it already (bundleLeadWorkflows({ traced: true })).
    expect(tracedWorkerOptions(tracing, { bundled: true }).interceptors?.workflowModules).toBeUndefined();
  } finally {
    // Shutting down sends what is still batched.
    await tracing?.shutdown();
    collector.close();
  }
  expect(trace.getTracer('anyone').startSpan('x').isRecording()).toBe(false);
  expect(received.map((r) => [r.url, r.type])).toEqual([['/v1/traces', 'application/x-protobuf']]);
  expect(received[0]!.body.toString('latin1')).toContain('RunActivity:syncLeadToZoho');
  expect(received[0]!.body.toString('latin1')).toContain('seguimiento-worker');
});

test('spans keep an error\'s type, never its message, which can name a person', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ service: 'seguimiento-worker', url: null, spanProcessor: new SimpleSpanProcessor(exporter) });
  try {
    const span = trace.getTracer('test').startSpan('RunActivity:sendTouchEmail', { attributes: { temporalActivityId: '6' } });
    const err = new TypeError("Can't send mail: 550 5.1.1 <ana.perez@example.com>: recipient rejected");
    span.recordException(err);
    span.addEvent('retry', { attempt: 2 });
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    span.end();
    const [done] = exporter.getFinishedSpans();
    expect(done!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(done!.events.map((e) => [e.name, e.attributes])).toEqual([['exception', { 'exception.type': 'TypeError' }], ['retry', { attempt: 2 }]]);
    expect(done!.attributes).toEqual({ temporalActivityId: '6' });
    expect(done!.spanContext().spanId).toBe(span.spanContext().spanId);
  } finally {
    await tracing?.shutdown();
  }
});

describe('the API\'s request spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: ReturnType<typeof startTracing>;
  beforeAll(() => {
    tracing = startTracing({ service: 'seguimiento-api', url: null, spanProcessor: new SimpleSpanProcessor(exporter) });
  });
  afterAll(() => tracing?.shutdown());
  beforeEach(() => exporter.reset());

  function app() {
    const a = express();
    a.use(requestSpans());
    a.use(express.json());
    const leads = Router();
    leads.post('/:leadId/outcomes', (req, res) => {
      // Work done for the request (a Temporal call) is a child of its span, also after the body was read.
      trace.getTracer('test').startSpan('inner').end();
      res.json({ leadId: req.params.leadId, type: req.body.type });
    });
    leads.get('/:leadId', () => {
      throw new Error('boom');
    });
    a.use('/api/leads', leads);
    a.use((_req: express.Request, res: express.Response) => {
      res.status(404).json({ error: 'not_found' });
    });
    a.use(((_err, _req, res, _next) => {
      res.status(500).json({ error: 'internal' });
    }) as express.ErrorRequestHandler);
    return a;
  }

  test('are named by method and route pattern, carry no path, and are the parent of the work done for the request', async () => {
    await request(app()).post('/api/leads/L-1234567890123/outcomes?email=ana%40example.com').send({ type: 'interested', email: 'ana@example.com' }).expect(200);
    await request(app()).get('/api/leads/L-1234567890123').expect(500);
    await request(app()).get('/no/such/L-1234567890123').expect(404);
    const spans = exporter.getFinishedSpans();
    const server = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(server.map((s) => [s.name, s.attributes])).toEqual([
      ['POST /api/leads/:leadId/outcomes', { 'http.request.method': 'POST', 'http.route': '/api/leads/:leadId/outcomes', 'http.response.status_code': 200 }],
      ['GET /api/leads/:leadId', { 'http.request.method': 'GET', 'http.route': '/api/leads/:leadId', 'http.response.status_code': 500 }],
      ['GET', { 'http.request.method': 'GET', 'http.response.status_code': 404 }],
    ]);
    expect(server[1]!.status.code).toBe(2);
    const inner = spans.find((s) => s.name === 'inner')!;
    expect(inner.parentSpanId).toBe(server[0]!.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(server[0]!.spanContext().traceId);
    expect(JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]))).not.toMatch(/L-1234567890123|example\.com/);
  });

  test('continue a caller\'s trace given in traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await request(app()).post('/api/leads/L-1/outcomes').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).send({}).expect(200);
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
  });
});
