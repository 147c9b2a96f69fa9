import type { Pool } from 'pg';
import { inTransaction } from './transaction';
import type { LeadView } from '../../domain/lead-view';
import { CAPACITY_STAGES, DEFAULT_POOL } from '../../domain/routing';

export type AssignResult = { owner: string } | { owner: null; newlyQueued: boolean };

export interface ExecutiveLoad { email: string; name: string; cap: number; active: number; away: boolean; pools: string[] }


/** Assignment of leads to executives: pools, caps, fairness, and the queue when everyone is full. */
export class Routing {
  constructor(private readonly pool: Pool) {}

  /**
   * Gives the lead to the least loaded executive of `pool` below their cap (ties: whoever got a lead
   * longest ago). The eligible executives' rows are locked for the decision, so simultaneous
   * enrolments queue up behind each other and never push anyone over their cap. A lead already
   * assigned keeps its owner (a retried activity decides nothing twice).
   */
  async assign({ leadId, pool, exclude = [] }: { leadId: string; pool: string; exclude?: string[] }): Promise<AssignResult> {
    return inTransaction(this.pool, async (db) => {
      const existing = await db.query<{ owner: string }>('SELECT owner FROM assignments WHERE lead_id = $1 AND active', [leadId]);
      if (existing.rows[0] && !exclude.includes(existing.rows[0].owner)) return { owner: existing.rows[0].owner };
      const eligible = await db.query<{ email: string; cap: number; last: Date | null }>(
        `SELECT email, cap, last_assigned_at AS last FROM users
         WHERE role = 'executive' AND active AND NOT away AND NOT (email = ANY($2))
           AND ($1 = ANY(pools) OR ($1 = $3 AND cardinality(pools) = 0))
         ORDER BY id FOR UPDATE`,
        [pool, exclude, DEFAULT_POOL],
      );
      const emails = eligible.rows.map((r) => r.email);
      const loads = await db.query<{ owner: string; n: string }>(
        'SELECT owner, count(*) AS n FROM assignments WHERE active AND owner = ANY($1) AND lead_id <> $2 GROUP BY owner',
        [emails, leadId],
      );
      const load = new Map(loads.rows.map((r) => [r.owner, Number(r.n)]));
      const pick = eligible.rows
        .filter((r) => (load.get(r.email) ?? 0) < r.cap)
        .sort((a, b) => (load.get(a.email) ?? 0) - (load.get(b.email) ?? 0) || (a.last?.getTime() ?? 0) - (b.last?.getTime() ?? 0))[0];
      if (!pick) {
        // A lead being moved off someone keeps them until there is room elsewhere: it does not queue.
        if (existing.rows[0]) return { owner: null, newlyQueued: false };
        // The moment of queueing, not of the transaction's start (it may have waited for the locks).
        const queued = await db.query('INSERT INTO routing_queue (lead_id, pool, queued_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING', [leadId, pool]);
        return { owner: null, newlyQueued: queued.rowCount === 1 };
      }
      await db.query(
        `INSERT INTO assignments (lead_id, owner) VALUES ($1, $2)
         ON CONFLICT (lead_id) DO UPDATE SET owner = excluded.owner, active = true, assigned_at = now()`,
        [leadId, pick.email],
      );
      await db.query('UPDATE users SET last_assigned_at = clock_timestamp() WHERE email = $1', [pick.email]);
      await db.query('DELETE FROM routing_queue WHERE lead_id = $1', [leadId]);
      return { owner: pick.email };
    });
  }

  /**
   * Keeps capacity in step with the lead: a reassignment moves it, leaving the funnel frees it.
   * Answers whose capacity this freed (null when nobody's did), so a waiting lead can be told.
   */
  async syncFromView(view: LeadView): Promise<string | null> {
    if (!view.owner) return null;
    const active = (CAPACITY_STAGES as readonly string[]).includes(view.stage);
    return inTransaction(this.pool, async (db) => {
      const before = await db.query<{ owner: string; active: boolean }>('SELECT owner, active FROM assignments WHERE lead_id = $1 FOR UPDATE', [view.leadId]);
      await db.query(
        `INSERT INTO assignments (lead_id, owner, active) VALUES ($1, $2, $3)
         ON CONFLICT (lead_id) DO UPDATE SET owner = excluded.owner, active = excluded.active`,
        [view.leadId, view.owner, active],
      );
      await db.query('DELETE FROM routing_queue WHERE lead_id = $1', [view.leadId]);
      const was = before.rows[0];
      return was?.active && (!active || was.owner !== view.owner) ? was.owner : null;
    });
  }

  /** The lead waiting longest for a pool this executive serves. */
  async nextWaitingFor(owner: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ lead_id: string }>(
      `SELECT q.lead_id FROM routing_queue q JOIN users u ON u.email = $1
       WHERE q.pool = ANY(u.pools) OR (q.pool = $2 AND cardinality(u.pools) = 0)
       ORDER BY q.queued_at LIMIT 1`,
      [owner, DEFAULT_POOL],
    );
    return rows[0]?.lead_id ?? null;
  }

  /** Every executive's active leads against their cap. */
  async loads(): Promise<ExecutiveLoad[]> {
    const { rows } = await this.pool.query<{ email: string; name: string; cap: number; away: boolean; pools: string[]; active: string }>(
      `SELECT u.email, u.name, u.cap, u.away, u.pools, count(a.lead_id) AS active
       FROM users u LEFT JOIN assignments a ON a.owner = u.email AND a.active
       WHERE u.role = 'executive' AND u.active GROUP BY u.id ORDER BY u.name`,
    );
    return rows.map((r) => ({ ...r, active: Number(r.active) }));
  }

  /** How many leads wait in each pool: counts only, for the metrics scrape. */
  async waitingByPool(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ pool: string; n: string }>('SELECT pool, count(*) AS n FROM routing_queue GROUP BY pool');
    return Object.fromEntries(rows.map((r) => [r.pool, Number(r.n)]));
  }

  async waiting(): Promise<{ leadId: string; pool: string; queuedAt: string }[]> {
    const { rows } = await this.pool.query<{ lead_id: string; pool: string; queued_at: Date }>('SELECT lead_id, pool, queued_at FROM routing_queue ORDER BY queued_at');
    return rows.map((r) => ({ leadId: r.lead_id, pool: r.pool, queuedAt: r.queued_at.toISOString() }));
  }

  async activeLeadsOf(owner: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ lead_id: string }>('SELECT lead_id FROM assignments WHERE owner = $1 AND active ORDER BY assigned_at', [owner]);
    return rows.map((r) => r.lead_id);
  }
}
