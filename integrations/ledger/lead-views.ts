import type { Pool } from 'pg';
import type { LeadView } from '../../domain/lead-view';

/** Whose leads a person may see: an executive their own, a closer those handed to them, the director all. */
export type LeadScope = { owner: string } | { closer: string } | 'all';

export interface LeadFilters {
  stage?: string;
  owner?: string;
  country?: string;
  course?: string;
  overdue?: boolean;
  stalled?: boolean;
  /** Part of a name, email or company. */
  q?: string;
}

const OPEN_STAGES = ['new', 'contacting', 'engaged', 'proposal', 'closing'];

function scopeClause(scope: LeadScope, params: unknown[]): string {
  if (scope === 'all') return 'TRUE';
  if ('owner' in scope) {
    params.push(scope.owner);
    return `owner = $${params.length}`;
  }
  params.push(scope.closer);
  return `closer = $${params.length}`;
}

/** Where a page of changes ended: the change time (microseconds, as stored) and id of its last lead. */
export interface ChangeCursor { updatedAt: string; leadId: string }

function whereOf({ scope, filters, now }: { scope: LeadScope; filters: LeadFilters; now: Date }): { clause: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = [scopeClause(scope, params)];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filters.stage) add((p) => `stage = ${p}`, filters.stage);
  // "-" asks for the leads nobody owns yet.
  if (filters.owner === '-') where.push('owner IS NULL');
  else if (filters.owner) add((p) => `owner = ${p}`, filters.owner);
  if (filters.country) add((p) => `country = ${p}`, filters.country);
  if (filters.course) add((p) => `course_code = ${p}`, filters.course);
  if (filters.overdue) {
    params.push(now.toISOString(), OPEN_STAGES);
    where.push(`next_step_at < $${params.length - 1} AND stage = ANY($${params.length})`);
  }
  if (filters.stalled) where.push('stalled');
  // LIKE's own wildcards in the search text are literal characters.
  if (filters.q) add((p) => `search LIKE ${p}`, `%${filters.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return { clause: where.join(' AND '), params };
}

/** Lists and queues of leads, read from the snapshots the workflows write (see domain/lead-view.ts). */
export class LeadViews {
  constructor(private readonly pool: Pool) {}

  /**
   * The workflow's own snapshots arrive in order (`replaceSameRevision`); a snapshot taken from an
   * update's answer only wins when it is strictly newer than what the workflow already wrote.
   */
  async save(view: LeadView, { replaceSameRevision = true } = {}): Promise<void> {
    const search = [view.firstName, view.lastName, view.email, view.company ?? ''].join(' ').toLowerCase();
    await this.pool.query(
      `INSERT INTO lead_views (lead_id, owner, closer, stage, country, course_code, next_step_at, sla_status, stalled, search, revision, created_at, view, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (lead_id) DO UPDATE SET
         owner = excluded.owner, closer = excluded.closer, stage = excluded.stage, country = excluded.country,
         course_code = excluded.course_code, next_step_at = excluded.next_step_at, sla_status = excluded.sla_status,
         stalled = excluded.stalled, search = excluded.search, revision = excluded.revision, view = excluded.view, updated_at = now()
       WHERE lead_views.revision ${replaceSameRevision ? '<=' : '<'} excluded.revision`,
      [
        view.leadId, view.owner, view.closer, view.stage, view.country, view.courseCode, view.nextStep?.dueAt ?? null,
        view.sla.status, view.stalledSince !== null, search, view.revision, view.createdAt, JSON.stringify(view),
      ],
    );
  }

  async get({ leadId }: { leadId: string }): Promise<LeadView | null> {
    const { rows } = await this.pool.query<{ view: LeadView }>('SELECT view FROM lead_views WHERE lead_id = $1', [leadId]);
    return rows[0]?.view ?? null;
  }

  async list({ scope, filters, limit = 50, offset = 0, now = new Date() }: { scope: LeadScope; filters: LeadFilters; limit?: number; offset?: number; now?: Date }): Promise<{ total: number; leads: LeadView[] }> {
    const { clause, params } = whereOf({ scope, filters, now });
    const total = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM lead_views WHERE ${clause}`, params);
    const { rows } = await this.pool.query<{ view: LeadView }>(
      `SELECT view FROM lead_views WHERE ${clause} ORDER BY next_step_at NULLS LAST, lead_id LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
      params,
    );
    return { total: Number(total.rows[0]!.n), leads: rows.map((r) => r.view) };
  }

  /**
   * For machines that keep in step: leads in the order they last changed, oldest change first, a page
   * at a time. The cursor names the last lead of the page (its change time and id), so paging neither
   * skips nor repeats a lead, and a lead that changes while a client pages comes again at the end.
   */
  async changes({ filters, updatedSince, after, limit }: { filters: LeadFilters; updatedSince?: Date; after?: ChangeCursor; limit: number }): Promise<{ leads: LeadView[]; last: ChangeCursor | null }> {
    const { clause, params } = whereOf({ scope: 'all', filters, now: new Date() });
    const where = [clause];
    if (updatedSince) {
      params.push(updatedSince.toISOString());
      where.push(`updated_at >= $${params.length}`);
    }
    if (after) {
      params.push(after.updatedAt, after.leadId);
      where.push(`(updated_at, lead_id) > ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const { rows } = await this.pool.query<{ view: LeadView; lead_id: string; updated_at: string }>(
      `SELECT view, lead_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
       FROM lead_views WHERE ${where.join(' AND ')} ORDER BY updated_at, lead_id LIMIT ${Number(limit)}`,
      params,
    );
    const tail = rows.at(-1);
    return { leads: rows.map((r) => ({ ...r.view, updatedAt: r.updated_at })), last: rows.length === limit && tail ? { updatedAt: tail.updated_at, leadId: tail.lead_id } : null };
  }

  /**
   * "Mi día": open leads with a touch to work or a next step due by the end of `until`, SLA breaches
   * first, then the most overdue.
   */
  async queue({ scope, until }: { scope: LeadScope; until: Date }): Promise<LeadView[]> {
    const params: unknown[] = [];
    const clause = scopeClause(scope, params);
    params.push(OPEN_STAGES, until.toISOString());
    const { rows } = await this.pool.query<{ view: LeadView }>(
      `SELECT view FROM lead_views
       WHERE ${clause} AND stage = ANY($${params.length - 1})
         AND (jsonb_array_length(view->'dueTouches') > 0 OR next_step_at <= $${params.length})
       ORDER BY (sla_status = 'breached' OR (sla_status = 'pending' AND (view->'sla'->>'dueAt')::timestamptz <= $${params.length})) DESC,
                next_step_at NULLS LAST
       LIMIT 200`,
      params,
    );
    return rows.map((r) => r.view);
  }

  /** Distinct values present, for the filter drop-downs. */
  async facets({ scope }: { scope: LeadScope }): Promise<{ owners: string[]; courses: { code: string; name: string }[] }> {
    const params: unknown[] = [];
    const clause = scopeClause(scope, params);
    const owners = await this.pool.query<{ owner: string }>(`SELECT DISTINCT owner FROM lead_views WHERE ${clause} AND owner IS NOT NULL ORDER BY owner`, params);
    const courses = await this.pool.query<{ code: string; name: string }>(
      `SELECT DISTINCT ON (course_code) course_code AS code, view->>'courseName' AS name FROM lead_views WHERE ${clause} ORDER BY course_code`,
      params,
    );
    return { owners: owners.rows.map((r) => r.owner), courses: courses.rows };
  }
}
