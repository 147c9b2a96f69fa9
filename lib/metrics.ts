import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LIVE, readyResponse, type Readiness } from './health';

/**
 * The product's metrics, defined once per process: what happened to touches, outcomes, SLAs, the
 * routing queue, the integrations and the API. Labels are closed sets (channels, results, outcome
 * types, error class names, route patterns): never a lead id, an address, a name or a raw URL, so
 * neither personal data nor unbounded series reach Prometheus. Callers pass only such values.
 */
export const TOUCH_RESULTS = ['sent', 'uncertain', 'suppressed', 'failed', 'task_created'] as const;
export type TouchResult = (typeof TOUCH_RESULTS)[number];

/** Where the lead's counts of people waiting for an executive come from (the ledger's routing queue). */
export type WaitingForCapacity = () => Promise<Record<string, number>>;

/** A label value from outside our code (an error's name, a pool): kept when it looks like an identifier. */
export function labelValue(value: unknown, fallback = 'other'): string {
  return typeof value === 'string' && /^[A-Za-z][\w.-]{0,79}$/.test(value) ? value : fallback;
}

export function createMetrics(registry = new Registry()) {
  let waiting: WaitingForCapacity | null = null;
  const registers = [registry];
  const metrics = {
    registry,
    touches: new Counter({
      name: 'seguimiento_touches_total',
      help: 'Touches by channel and result: sent, uncertain (an answer lost, never sent again), suppressed (opted out, bounced), failed (refused for good, or no Zoho lead to put a task under), task_created (a call or LinkedIn task in Zoho).',
      labelNames: ['channel', 'result'] as const,
      registers,
    }),
    outcomes: new Counter({ name: 'seguimiento_outcomes_total', help: 'Outcomes recorded on leads, by type.', labelNames: ['type'] as const, registers }),
    slaBreaches: new Counter({ name: 'seguimiento_sla_breaches_total', help: 'Leads whose first-contact SLA passed without a contact.', registers }),
    leadsQueued: new Counter({ name: 'seguimiento_leads_queued_total', help: 'Leads that went to wait for an executive with capacity, by routing pool.', labelNames: ['pool'] as const, registers }),
    leadsWaiting: new Gauge({
      name: 'seguimiento_leads_waiting_for_capacity',
      help: 'Leads waiting now for an executive with capacity, by routing pool (the ledger\'s routing queue; every worker reports the same queue).',
      labelNames: ['pool'] as const,
      registers,
      async collect() {
        if (!waiting) return;
        // A failed read keeps the last values: a scrape must not fail because the ledger is slow.
        const counts = await waiting().catch(() => null);
        if (!counts) return;
        this.reset();
        for (const [pool, n] of Object.entries(counts)) this.set({ pool: labelValue(pool) }, n);
      },
    }),
    integrationErrors: new Counter({
      name: 'seguimiento_integration_errors_total',
      help: 'Failed attempts of activities that talk to an outside system (Temporal retries most), by integration and error class.',
      labelNames: ['integration', 'kind'] as const,
      registers,
    }),
    integrationFailures: new Counter({
      name: 'seguimiento_integration_failures_total',
      help: 'Failures an integration will not recover from by retrying, as the workflow reported them to the director, by integration and error class.',
      labelNames: ['integration', 'kind'] as const,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'seguimiento_http_request_duration_seconds',
      help: 'API and web app requests: duration by method, matched route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    /** The ledger's waiting leads per pool, read at each scrape (the worker wires it). */
    watchLeadsWaiting(source: WaitingForCapacity) {
      waiting = source;
    },
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The process's one set of product metrics: activities and the API increment these. */
export const metrics = createMetrics();

/**
 * The Temporal SDK's own metrics (its Prometheus exporter, prefix `temporal_`), by family name: the
 * dashboard and the alert rules may name these, and test/unit/observability-deploy.test.ts checks them
 * against this list. Histograms are in seconds (workers/main.ts turns useSecondsForDurations on).
 */
export const TEMPORAL_SDK_METRICS = [
  'temporal_request', 'temporal_request_failure', 'temporal_request_latency',
  'temporal_long_request', 'temporal_long_request_failure', 'temporal_long_request_latency',
  'temporal_workflow_completed', 'temporal_workflow_failed', 'temporal_workflow_canceled', 'temporal_workflow_continue_as_new',
  'temporal_workflow_endtoend_latency',
  'temporal_workflow_task_queue_poll_succeed', 'temporal_workflow_task_queue_poll_empty',
  'temporal_workflow_task_schedule_to_start_latency', 'temporal_workflow_task_execution_latency',
  'temporal_workflow_task_replay_latency', 'temporal_workflow_task_execution_failed',
  'temporal_activity_poll_no_task', 'temporal_activity_task_received',
  'temporal_activity_schedule_to_start_latency', 'temporal_activity_execution_latency',
  'temporal_activity_succeed_endtoend_latency', 'temporal_activity_execution_failed', 'temporal_activity_execution_cancelled',
  'temporal_local_activity_total', 'temporal_local_activity_execution_failed', 'temporal_local_activity_execution_latency',
  'temporal_worker_start', 'temporal_worker_task_slots_available', 'temporal_worker_task_slots_used', 'temporal_num_pollers',
  'temporal_sticky_cache_hit', 'temporal_sticky_cache_miss', 'temporal_sticky_cache_size', 'temporal_sticky_cache_total_forced_eviction',
] as const;

const withDefaults = new WeakSet<Registry>();

/**
 * `GET /metrics` in Prometheus' text format on its own port, apart from the public one, so only the
 * scraper reaches it. `more` appends another exporter's text (the worker: the Temporal SDK's).
 * Node's process metrics (CPU, memory, event-loop lag) come along. With `ready` (the worker, which
 * has no other HTTP port), `GET /health/live` and `GET /health/ready` too, as the API answers them.
 */
export async function serveMetrics({ port, host, registry = metrics.registry, more, ready }: {
  port: number; host?: string; registry?: Registry; more?: () => Promise<string>; ready?: () => Promise<Readiness<string>>;
}): Promise<Server & { port: number }> {
  if (!withDefaults.has(registry)) {
    collectDefaultMetrics({ register: registry });
    withDefaults.add(registry);
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && ready && path === '/health/live') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(LIVE));
      return;
    }
    if (req.method === 'GET' && ready && path === '/health/ready') {
      void ready().then(readyResponse, () => readyResponse({ ready: false, checks: {} })).then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    void (async () => {
      try {
        const texts = [await registry.metrics(), ...(more ? [await more()] : [])];
        res.writeHead(200, { 'Content-Type': registry.contentType }).end(texts.map(asExposition).join(''));
      } catch (err) {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`Metrics failed: ${err instanceof Error ? err.name : 'Error'}\n`);
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

/** One exporter's text, ready to follow another's: no OpenMetrics end marker inside, a final newline. */
function asExposition(text: string): string {
  const body = text.replace(/^# EOF\s*$/m, '').trimEnd();
  return body ? `${body}\n` : '';
}
