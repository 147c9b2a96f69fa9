import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

/** The name each process's spans carry (`service.name`): one API request's trace crosses both. */
export type TracedService = 'seguimiento-api' | 'seguimiento-worker';

/** A process's tracing, once started: what Temporal's interceptors export the workflow's spans through. */
export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Sends what is still buffered, then stops: spans of the last requests are not lost on SIGTERM. */
  shutdown(): Promise<void>;
}

/**
 * Registers this process's tracer provider, context manager (AsyncLocalStorage) and W3C trace-context
 * propagator, which Temporal's OpenTelemetry interceptors use to carry a trace from the API's request
 * through the workflow to its activities. Off (null, nothing registered, the OpenTelemetry API stays
 * a no-op) unless a collector's URL is given, or a span processor (tests: an in-memory exporter).
 */
export function startTracing({ service, url, spanProcessor }: { service: TracedService; url: string | null; spanProcessor?: SpanProcessor }): Tracing | null {
  if (!url && !spanProcessor) return null;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: service });
  // Batched, so a slow or absent collector never holds up a request or an activity.
  const processor = new WithoutErrorMessages(spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: url! })));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return {
    resource,
    spanProcessor: processor,
    async shutdown() {
      await provider.shutdown();
      // A later start in the same process (tests) registers afresh.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The Temporal client's interceptors when tracing is on: its calls (StartWorkflow, an update, a signal)
 * become spans of the current trace and hand it on to the workflow in their headers.
 */
export function tracedClientInterceptors(tracing: Tracing | null): ClientInterceptors | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/**
 * Error messages can name a person (a mail server's "550 <ana@…>: recipient rejected", a CRM's
 * duplicate-email answer), and the interceptors put them in a span's status and exception event:
 * spans keep an error's type only. Every span of the process, the workflows' too, passes here.
 */
class WithoutErrorMessages implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parent: Context): void {
    this.next.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    this.next.onEnd(withoutErrorMessages(span));
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

function withoutErrorMessages(span: ReadableSpan): ReadableSpan {
  const isError = (name: string) => name === 'exception';
  if (span.status.message === undefined && !span.events.some((e) => isError(e.name))) return span;
  // The span itself stays as it is (other processors may hold it); what goes on is a view of it.
  return Object.create(span, {
    status: { value: { code: span.status.code } },
    events: { value: span.events.map((e) => (isError(e.name) ? { ...e, attributes: typeOnly(e.attributes?.['exception.type']) } : e)) },
  }) as ReadableSpan;
}

const typeOnly = (type: unknown) => (typeof type === 'string' ? { 'exception.type': type } : {});
