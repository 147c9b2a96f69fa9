import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { methodOf, routePatternOf } from './request-metrics';

/**
 * A server span per request, named by method and route pattern (`POST /api/leads`), never by the
 * URL, and current while the request is handled, so the Temporal client's spans (StartWorkflow, an
 * update) are its children and the trace goes on into the workflow. Its attributes are the method,
 * the pattern and the status: no path, query, address or header, since those can name a person.
 * Without a tracer provider (tracing off) the spans record nothing.
 */
export function requestSpans(tracer: Tracer = trace.getTracer('seguimiento-api')): RequestHandler {
  return (req, res, next) => {
    const method = methodOf(req.method);
    // A caller that traces (a proxy, the website's backend) makes this request part of its trace.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(method === 'other' ? 'HTTP' : method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method === 'other' ? '_OTHER' : method } }, parent);
    const pattern = routePatternOf(req);
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      const route = pattern();
      if (route) {
        span.updateName(`${method === 'other' ? 'HTTP' : method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      if (res.writableFinished) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    const active = trace.setSpan(parent, span);
    // The body arrives in stream events, which would otherwise run outside the request's context.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
