import type { Pool } from 'pg';
import type { LeadView } from '../../domain/lead-view';
import type { KpiEvent, KpiLead } from './kpis';

export interface KpiFilters { owner?: string; country?: string; course?: string }

/**
 * What the KPIs are computed from: every lead's snapshot (the lists' `lead_views`) and the whole event
 * history of those leads. Filters narrow the leads (an executive, a country, a course) before anything
 * is computed, so "overall" then means "overall for that slice".
 */
export class KpiSource {
  constructor(private readonly pool: Pool) {}

  /** The snapshots of the slice's leads, without their histories; `open`: only those in new → closing. */
  async views(filters: KpiFilters = {}, { open = false }: { open?: boolean } = {}): Promise<LeadView[]> {
    const params: unknown[] = [];
    // Literal, so that the partial index of open leads (migration 14) answers it.
    const where: string[] = [open ? "stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing')" : 'TRUE'];
    for (const [column, value] of [['owner', filters.owner], ['country', filters.country], ['course_code', filters.course]] as const) {
      if (!value) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const { rows } = await this.pool.query<{ view: LeadView }>(`SELECT view FROM lead_views WHERE ${where.join(' AND ')}`, params);
    return rows.map((r) => r.view);
  }

  async load(filters: KpiFilters = {}): Promise<{ events: KpiEvent[]; leads: KpiLead[]; views: LeadView[] }> {
    const views = await this.views(filters);
    const leads: KpiLead[] = views.map((v) => ({ leadId: v.leadId, owner: v.owner, country: v.country, courseCode: v.courseCode, createdAt: v.createdAt, stage: v.stage }));
    const { rows } = await this.pool.query<{ lead_id: string; type: string; occurred_at: Date; data: Record<string, unknown> }>(
      'SELECT lead_id, type, occurred_at, data FROM lead_events WHERE lead_id = ANY($1) ORDER BY occurred_at, id',
      [leads.map((l) => l.leadId)],
    );
    const events = rows.map((r) => ({ leadId: r.lead_id, type: r.type, occurredAt: r.occurred_at.toISOString(), data: r.data }));
    return { events, leads, views };
  }
}
