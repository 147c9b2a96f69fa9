/**
 * OpenTelemetry in the workflow sandbox, bundled only when tracing is on (workers/lead-worker.ts): a
 * span for the run (RunWorkflow), for each signal and update it handles, and for each activity it
 * starts (StartActivity), whose context goes to the activity in its headers. Not a workflow.
 *
 * Why not @temporalio/interceptors-opentelemetry's own workflow interceptors: they await around every
 * call they wrap, which delays each activity's result by a few microtasks. In a workflow with several
 * coroutines (the lead's handlers, its outbox, its watchers) that reorders commands: with them, the
 * stored histories with an update failed to replay ("Activity machine does not handle this event:
 * WorkflowExecutionUpdateCompleted"), so turning tracing on would have broken running leads. These
 * return the very promise the SDK gave and end their span in a reaction of their own, so the workflow
 * awaits exactly what it awaited without them; span names, headers, context manager and the sink
 * exporter are the SDK's. test/workflow/replay-traced.test.ts replays every stored history with them,
 * and test/integration/tracing.test.ts replays a traced lead's history without them.
 */
// Gives the sandbox what the OpenTelemetry SDK expects of a browser (performance.now): before the SDK loads.
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime';
import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { extractContextFromHeaders, headersWithContext } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager';
import { SPAN_DELIMITER, SpanName } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import { ContinueAsNew, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

let contextManager: ContextManager | undefined;
let tracer: otel.Tracer | undefined;

function workflowTracer(): otel.Tracer {
  contextManager ??= new ContextManager();
  if (!tracer) {
    // Spans leave through the `exporter` sink, never during replay, to the worker's span processor.
    const provider = new BasicTracerProvider();
    provider.addSpanProcessor(new SimpleSpanProcessor(new SpanExporter()));
    provider.register({ contextManager });
    tracer = provider.getTracer('seguimiento-workflow');
  }
  return tracer;
}

/**
 * Runs `call` with `span` current and returns its promise untouched; the span ends when it settles.
 * A continue-as-new is how a run ends well, not a failure.
 */
function within<T>(span: otel.Span, parent: otel.Context, call: () => Promise<T>): Promise<T> {
  const failed = (err: unknown) => {
    if (err instanceof ContinueAsNew) span.setStatus({ code: otel.SpanStatusCode.OK });
    else {
      span.setStatus({ code: otel.SpanStatusCode.ERROR });
      span.recordException(err instanceof Error ? err : String(err));
    }
    span.end();
  };
  let promise: Promise<T>;
  try {
    promise = otel.context.with(otel.trace.setSpan(parent, span), call);
  } catch (err) {
    failed(err);
    throw err;
  }
  promise.then(() => {
    span.setStatus({ code: otel.SpanStatusCode.OK });
    span.end();
  }, failed);
  return promise;
}

const spanName = (kind: SpanName, what: string) => `${kind}${SPAN_DELIMITER}${what}`;

export const interceptors: WorkflowInterceptorsFactory = () => {
  const tracer = workflowTracer();
  const continued = (headers: Parameters<typeof extractContextFromHeaders>[0]) => extractContextFromHeaders(headers) ?? otel.context.active();
  return {
    inbound: [{
      execute(input, next) {
        const parent = continued(input.headers);
        return within(tracer.startSpan(spanName(SpanName.WORKFLOW_EXECUTE, workflowInfo().workflowType), {}, parent), parent, () => next(input));
      },
      handleSignal(input, next) {
        const parent = continued(input.headers);
        return within(tracer.startSpan(spanName(SpanName.WORKFLOW_HANDLE_SIGNAL, input.signalName), {}, parent), parent, () => next(input));
      },
      handleUpdate(input, next) {
        const parent = continued(input.headers);
        return within(tracer.startSpan(spanName(SpanName.WORKFLOW_HANDLE_UPDATE, input.name), {}, parent), parent, () => next(input));
      },
    }],
    outbound: [{
      scheduleActivity(input, next) {
        const parent = otel.context.active();
        const span = tracer.startSpan(spanName(SpanName.ACTIVITY_START, input.activityType), {}, parent);
        // The activity's span (RunActivity, on the worker) continues from this one.
        const headers = otel.context.with(otel.trace.setSpan(parent, span), () => headersWithContext(input.headers));
        return within(span, parent, () => next({ ...input, headers }));
      },
    }],
    internals: [{
      dispose(input, next) {
        contextManager?.disable();
        next(input);
      },
    }],
  };
};
