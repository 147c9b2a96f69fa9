import type { RequestHandler } from 'express';
import { metrics as processMetrics, type Metrics } from '../lib/metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request by method, status and the route pattern that answered it (`/api/leads/:leadId`),
 * never the URL: a lead id or a token in a path must not become a label value. Express sets
 * `req.route` when a route matches, while `req.baseUrl` is still the mount path of its router, so the
 * pattern is taken at that moment (once the answer is sent, an error may have left the router and
 * reset baseUrl). Mount paths are plain strings (api/app.ts, api/web/index.ts), never parameters.
 * A request no route answered (a 404, a refused API key) counts as `unmatched`.
 */
export function requestMetrics(histogram: Metrics['httpRequestDuration'] = processMetrics.httpRequestDuration): RequestHandler {
  return (req, res, next) => {
    const end = histogram.startTimer();
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
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      // A client gone before the answer was sent: nginx's 499, so it is not mistaken for a success.
      const status = res.writableFinished ? String(res.statusCode) : '499';
      end({ method: METHODS.has(req.method) ? req.method : 'other', route: pattern ?? 'unmatched', status });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
