/**
 * How the KPI computation grows with the number of leads: the dashboard and the weekly report compute
 * from every lead's whole history. Prints the time per run for each size, and its ratio to the
 * smallest size measured in the same run (linear growth would be 1×, 10×, 50×).
 *
 *   npm run bench:kpis
 */
import { performance } from 'node:perf_hooks';
import { computeKpis, defaultKpiSettings, type KpiEvent, type KpiLead } from '../services/analytics/kpis';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-30T12:00:00Z');

/** A deterministic pseudo-random stream, so every run measures the same data. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** `n` leads over 60 days, each with a plausible history of 8–14 events. */
function fixture(n: number): { leads: KpiLead[]; events: KpiEvent[] } {
  const next = random(n);
  const leads: KpiLead[] = [];
  const events: KpiEvent[] = [];
  for (let i = 0; i < n; i++) {
    const leadId = `L-${String(i).padStart(13, '0')}`;
    const created = NOW - next() * 60 * DAY;
    const at = (days: number) => new Date(created + days * DAY).toISOString();
    const owner = `ejecutiva${i % 12}@empresa.example`;
    const fate = next();
    const stage = fate < 0.1 ? 'enrolled' : fate < 0.3 ? 'lost' : fate < 0.5 ? 'nurturing' : 'contacting';
    leads.push({ leadId, owner, country: ['CO', 'MX', 'PE', 'CL', 'AR'][i % 5]!, courseCode: `C-${i % 7}`, createdAt: at(0), stage });
    const push = (days: number, type: string, data: Record<string, unknown> = {}) => events.push({ leadId, type, occurredAt: at(days), data });
    push(0, 'lead_enrolled', { source: 'api' });
    push(0.001, 'lead_assigned', { owner, pool: 'general' });
    push(0.002, 'email_sent', { template: 'welcome' });
    push(0.5, 'touch_due', { channel: 'call' });
    push(0.6, 'outcome_recorded', { outcome: fate < 0.5 ? 'interested' : 'no_answer', stageBefore: 'contacting', stageAfter: fate < 0.5 ? 'engaged' : 'contacting', touchChannel: 'call', by: owner });
    push(0.6, 'first_contact', { slaStatus: 'met' });
    push(2, 'email_sent', { template: 'first-email' });
    push(4, 'touch_due', { channel: 'linkedin' });
    if (fate < 0.5) push(5, 'stage_changed', { from: 'contacting', to: 'engaged' });
    if (fate < 0.3) push(8, 'lead_stalled', { stage: 'engaged' });
    if (fate < 0.1) push(12, 'stage_changed', { from: 'engaged', to: 'enrolled' });
    else if (fate < 0.3) push(12, 'stage_changed', { from: 'engaged', to: 'lost' });
  }
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return { leads, events };
}

function measure(n: number): { ms: number; events: number } {
  const { leads, events } = fixture(n);
  const period = { from: new Date(NOW - 7 * DAY).toISOString(), to: new Date(NOW).toISOString() };
  const run = () => computeKpis({ leads, events, period, settings: defaultKpiSettings, now: new Date(NOW).toISOString() });
  run(); // warm-up
  const runs = n >= 10_000 ? 3 : 10;
  const started = performance.now();
  for (let i = 0; i < runs; i++) run();
  return { ms: (performance.now() - started) / runs, events: events.length };
}

const sizes = [1_000, 10_000, 50_000];
const results = sizes.map(measure);
console.log('leads    events   ms/run   ratio to 1,000 leads');
sizes.forEach((n, i) => {
  const { ms, events } = results[i]!;
  console.log(`${String(n).padStart(6)}  ${String(events).padStart(7)}  ${ms.toFixed(1).padStart(7)}   ${(ms / results[0]!.ms).toFixed(1)}×`);
});
