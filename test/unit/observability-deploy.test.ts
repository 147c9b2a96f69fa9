/**
 * deploy/prometheus/alerts.yml and deploy/grafana/seguimiento-dashboard.json name only metrics that
 * exist: the product's (lib/metrics.ts), Node's defaults that come with them, the worker's SDK
 * liveness gauge, and the Temporal SDK's (TEMPORAL_SDK_METRICS). A renamed metric shows here, not as
 * a silent empty panel or an alert that can never fire.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { createMetrics, TEMPORAL_SDK_METRICS } from '../../lib/metrics';
import { SDK_METRICS_UP } from '../../workers/metrics';

const root = path.resolve(__dirname, '../..');

/** Prometheus' own series about a scrape target, not an exporter's. */
const PROMETHEUS_OWN = ['up'];

const ours = createMetrics().registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
const nodeDefaults = (() => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
})();
const known = new Set<string>([...ours, ...nodeDefaults, SDK_METRICS_UP, ...TEMPORAL_SDK_METRICS, ...PROMETHEUS_OWN]);

/** A series name as PromQL writes it: a histogram's `_bucket`, `_sum` and `_count` belong to its family. */
const isKnown = (name: string) => known.has(name) || known.has(name.replace(/_(bucket|sum|count)$/, ''));

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression selects: what is left once strings, matchers, ranges, groupings, numbers and functions are set aside. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/(^|[^\w.])\d+(\.\d+)?(e[+-]?\d+)?/gi, '$1 ');
  return [...bare.matchAll(/([A-Za-z_:][\w:]*)(\s*\()?/g)].filter((m) => !m[2] && !KEYWORDS.has(m[1]!.toLowerCase())).map((m) => m[1]!);
}

test('the expression reader finds the metrics and nothing else', () => {
  expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(seguimiento_http_request_duration_seconds_bucket{route!="unmatched"}[5m]))) > 2'))
    .toEqual(['seguimiento_http_request_duration_seconds_bucket']);
  expect(metricNames('sum(rate(a_total{status=~"5.."}[5m])) / sum(rate(b_count[$__rate_interval])) > 0.05 and on(instance) up == 0'))
    .toEqual(['a_total', 'b_count', 'up']);
  expect(metricNames('max by (instance) (process_resident_memory_bytes) / 1e9')).toEqual(['process_resident_memory_bytes']);
});

interface Rule { alert?: string; record?: string; expr: unknown; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

describe('deploy/prometheus/alerts.yml', () => {
  const file = parseYaml(readFileSync(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  const rules = file.groups.flatMap((g) => g.rules);

  test('parses into groups of alerts, each with an expression, a severity and a summary', () => {
    expect(file.groups.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect({ alert: rule.alert, expr: typeof rule.expr, severity: rule.labels?.severity, summary: typeof rule.annotations?.summary })
        .toEqual({ alert: expect.stringMatching(/^Seguimiento[A-Za-z]+$/), expr: 'string', severity: expect.stringMatching(/^(warning|critical)$/), summary: 'string' });
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test.each(rules.map((r) => [r.alert!, String(r.expr)]))('%s names only known metrics', (_alert, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !isKnown(n))).toEqual([]);
  });

  test('it watches SLA breaches, late workflow and activity tasks, and integration errors', () => {
    const watched = new Set(rules.flatMap((r) => metricNames(String(r.expr))));
    expect([...watched]).toEqual(expect.arrayContaining([
      'seguimiento_sla_breaches_total',
      'temporal_workflow_task_schedule_to_start_latency_bucket',
      'temporal_activity_schedule_to_start_latency_bucket',
      'seguimiento_integration_errors_total',
    ]));
  });
});

describe('deploy/grafana/seguimiento-dashboard.json', () => {
  interface Panel { id: number; type: string; title: string; datasource?: { uid?: string }; targets?: { expr: string }[]; panels?: Panel[] }
  const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/seguimiento-dashboard.json'), 'utf8')) as { title: string; uid: string; panels: Panel[] };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  test('parses, with unique panel ids and every query on the chosen Prometheus', () => {
    expect(dashboard).toMatchObject({ title: 'Seguimiento', uid: 'seguimiento' });
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((p) => p.type !== 'row')) expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid: '${datasource}' });
    expect(queries.length).toBeGreaterThan(10);
  });

  test.each(queries.map((q) => [q.panel, q.expr]))('%s: %s names only known metrics', (_panel, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !isKnown(n))).toEqual([]);
  });

  test('every product metric has a panel, and so have task schedule-to-start latencies and the sticky cache', () => {
    const shown = new Set(queries.flatMap((q) => metricNames(q.expr)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(ours.filter((n) => !shown.has(n))).toEqual([]);
    expect([...shown]).toEqual(expect.arrayContaining([
      'temporal_workflow_task_schedule_to_start_latency', 'temporal_activity_schedule_to_start_latency', 'temporal_sticky_cache_hit', 'temporal_sticky_cache_size',
    ]));
  });
});
