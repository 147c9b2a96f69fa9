import type { Request, RequestHandler } from 'express';
import { metrics as processMetrics, type Metrics } from '../lib/metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The HTTP methods we name; anything else is `other`, so a client cannot invent label values or span names. */
export const methodOf = (method: string): string => (METHODS.has(method) ? method : 'other');

const patterns = new WeakMap<object, () => string | null>();

/**
 * The route pattern that answered the request (`/api/leads/:leadId`), never the URL: a lead id or a
 * token in a path must not become a label value or a span name. Express sets `req.route` when a route
 * matches, while `req.baseUrl` is still the mount path of its router, so the pattern is taken at that
 * moment (once the answer is sent, an error may have left the router and reset baseUrl). Mount paths
 * are plain strings (api/app.ts, api/web/index.ts), never parameters. Call it when the request comes
 * in; the getter it returns gives null while (or when) no route answered. Metrics and traces share it.
 */
export function routePatternOf(req: Request): () => string | null {
  const known = patterns.get(req);
  if (known) return known;
  let pattern: string | null = null;
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') pattern = `${req.baseUrl}${path}`.replace(/(.)\/$/, '$1') || '/';
    },
  });
  const get = () => pattern;
  patterns.set(req, get);
  return get;
}

/**
 * Times every request by method, status and route pattern (routePatternOf). A request no route
 * answered (a 404, a refused API key) counts as `unmatched`.
 */
export function requestMetrics(histogram: Metrics['httpRequestDuration'] = processMetrics.httpRequestDuration): RequestHandler {
  return (req, res, next) => {
    const end = histogram.startTimer();
    const pattern = routePatternOf(req);
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      // A client gone before the answer was sent: nginx's 499, so it is not mistaken for a success.
      const status = res.writableFinished ? String(res.statusCode) : '499';
      end({ method: methodOf(req.method), route: pattern() ?? 'unmatched', status });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
