/**
 * Keeps the KPI aggregates (migration 14) in step with `lead_events`: a lead's rows are rebuilt from
 * its whole history in the transaction that records its event, under a per-lead lock, so they never
 * drift from the events, and a late or backdated event lands where it belongs. A lead's history is
 * tens of events, so the rebuild costs one indexed read; the dashboard then reads O(period) rows.
 */
import type { Pool, PoolClient } from 'pg';
import { COUNT_KEYS, hourRows, leadKpiFacts, type FactEvent } from '../../domain/kpi-facts';

type Db = Pool | PoolClient;

/** Taken before a lead's event is inserted: two events of one lead rebuild one after the other. */
export const KPI_LEAD_LOCK = 7274;

// A malformed date (never written by this code) is left out rather than failing the event's transaction.
const iso = (t: number | null) => (t === null || !Number.isFinite(t) ? null : new Date(t).toISOString());

const HOUR_COLUMNS = ['events', 'assignments', 'touches_call', 'touches_linkedin', 'touches_email', 'answered_call', 'answered_linkedin', 'needing_next_step', 'with_next_step'];

/** Rebuilds the aggregates of `leadIds` from their events (all of them, in the ledger's order). */
export async function rebuildLeadKpis(db: Db, leadIds: readonly string[]): Promise<void> {
  if (!leadIds.length) return;
  const { rows } = await db.query<{ id: string; lead_id: string; type: string; at: string; data: Record<string, unknown> }>(
    `SELECT id, lead_id, type, (extract(epoch FROM occurred_at) * 1000)::float8 AS at, data
     FROM lead_events WHERE lead_id = ANY($1) ORDER BY lead_id, occurred_at, id`,
    [leadIds],
  );
  const byLead = new Map<string, FactEvent[]>();
  for (const r of rows) {
    const list = byLead.get(r.lead_id) ?? [];
    list.push({ id: Number(r.id), type: r.type, at: Number(r.at), data: r.data });
    byLead.set(r.lead_id, list);
  }
  const facts: unknown[] = [];
  const hours: unknown[] = [];
  const marks: unknown[] = [];
  const followUps: unknown[] = [];
  for (const [leadId, events] of byLead) {
    const f = leadKpiFacts(events);
    const c = f.cohort;
    facts.push({ lead_id: leadId, first_contact_at: iso(c.firstContactAt), left_funnel_at: iso(c.leftFunnelAt), engaged_at: iso(c.engagedAt), proposal_at: iso(c.proposalAt), enrolled_at: iso(c.enrolledAt) });
    for (const [hour, counts] of hourRows(f.counts)) {
      hours.push({ hour: iso(hour), lead_id: leadId, ...Object.fromEntries(HOUR_COLUMNS.map((col, i) => [col, counts[COUNT_KEYS[i]!]])) });
    }
    for (const m of f.marks) marks.push({ lead_id: leadId, kind: m.kind, at: iso(m.at), until: iso(m.until), n: m.n, event_id: m.eventId });
    for (const u of f.followUps) {
      followUps.push({ lead_id: leadId, seq: u.seq, started_at: iso(u.startedAt), contacted_at: iso(u.contactedAt), engaged_at: iso(u.engagedAt), proposal_at: iso(u.proposalAt), enrolled_at: iso(u.enrolledAt) });
    }
  }
  await db.query(
    `WITH gone_hours AS (DELETE FROM kpi_lead_hours WHERE lead_id = ANY($1)),
          gone_marks AS (DELETE FROM kpi_marks WHERE lead_id = ANY($1)),
          gone_follow_ups AS (DELETE FROM kpi_follow_ups WHERE lead_id = ANY($1))
     SELECT 1`,
    [leadIds],
  );
  // One statement for the four tables. kpi_lead_facts may hold the lead's snapshot already (the
  // lead_views trigger): only its event facts change.
  await db.query(
    `WITH facts AS (
       INSERT INTO kpi_lead_facts (lead_id, first_contact_at, left_funnel_at, engaged_at, proposal_at, enrolled_at)
       SELECT lead_id, first_contact_at, left_funnel_at, engaged_at, proposal_at, enrolled_at
       FROM jsonb_populate_recordset(NULL::kpi_lead_facts, $1::jsonb)
       ON CONFLICT (lead_id) DO UPDATE SET first_contact_at = excluded.first_contact_at, left_funnel_at = excluded.left_funnel_at,
         engaged_at = excluded.engaged_at, proposal_at = excluded.proposal_at, enrolled_at = excluded.enrolled_at
     ), hours AS (
       INSERT INTO kpi_lead_hours SELECT * FROM jsonb_populate_recordset(NULL::kpi_lead_hours, $2::jsonb)
     ), marks AS (
       INSERT INTO kpi_marks SELECT * FROM jsonb_populate_recordset(NULL::kpi_marks, $3::jsonb)
     ), follow_ups AS (
       INSERT INTO kpi_follow_ups SELECT * FROM jsonb_populate_recordset(NULL::kpi_follow_ups, $4::jsonb)
     )
     SELECT 1`,
    [JSON.stringify(facts), JSON.stringify(hours), JSON.stringify(marks), JSON.stringify(followUps)],
  );
}

/**
 * Builds the aggregates of the leads waiting in `kpi_rebuild` (every lead the migration found), a
 * batch per transaction: idempotent, and a crash midway resumes where it stopped. Answers how many.
 */
export async function drainKpiRebuild(pool: Pool, { batch = 500 }: { batch?: number } = {}): Promise<number> {
  let done = 0;
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ lead_id: string }>(
        'DELETE FROM kpi_rebuild WHERE lead_id IN (SELECT lead_id FROM kpi_rebuild ORDER BY lead_id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING lead_id',
        [batch],
      );
      const ids = rows.map((r) => r.lead_id);
      // The same lock as recording an event: a lead's event recorded meanwhile waits, then rebuilds after.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext(id)) FROM unnest($2::text[]) AS id ORDER BY id', [KPI_LEAD_LOCK, ids]);
      await rebuildLeadKpis(client, ids);
      await client.query('COMMIT');
      done += ids.length;
      if (ids.length < batch) return done;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
