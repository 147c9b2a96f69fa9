import { Pool } from 'pg';
import { MIGRATIONS } from './migrations';

export interface LeadEvent {
  leadId: string;
  type: string;
  occurredAt: string;
  /** Same key, same event: a retried append is a no-op. */
  idempotencyKey: string;
  data?: Record<string, unknown>;
}

export interface StoredLeadEvent extends Required<LeadEvent> {
  id: number;
}

/** The lead ledger: a PostgreSQL read model of lead events, plus the once-only record of effects. */
export class Ledger {
  constructor(readonly pool: Pool, onIdleError: (err: Error) => void = () => undefined) {
    // An idle connection dropped by a database restart must not take the process down: the pool
    // reconnects on the next query, and activities retry meanwhile.
    pool.on('error', onIdleError);
  }

  static connect(databaseUrl: string, onIdleError?: (err: Error) => void): Ledger {
    return new Ledger(new Pool({ connectionString: databaseUrl, max: 10 }), onIdleError);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // The advisory lock lets the worker and the API start together without racing on migrations.
      await client.query('SELECT pg_advisory_lock(727274)');
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const m of MIGRATIONS.filter((m) => !applied.has(m.version))) {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      client.release();
    }
  }

  async appendEvent(event: LeadEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO lead_events (lead_id, type, occurred_at, idempotency_key, data)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
      [event.leadId, event.type, event.occurredAt, event.idempotencyKey, JSON.stringify(event.data ?? {})],
    );
  }

  async eventsOf({ leadId }: { leadId: string }): Promise<StoredLeadEvent[]> {
    const { rows } = await this.pool.query(
      `SELECT id, lead_id, type, occurred_at, idempotency_key, data FROM lead_events
       WHERE lead_id = $1 ORDER BY occurred_at, id`,
      [leadId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      leadId: r.lead_id,
      type: r.type,
      occurredAt: new Date(r.occurred_at).toISOString(),
      idempotencyKey: r.idempotency_key,
      data: r.data,
    }));
  }

  /** The reference stored for a completed effect, or null if it never completed. */
  async effectRef({ key }: { key: string }): Promise<string | null> {
    const { rows } = await this.pool.query<{ ref: string }>('SELECT ref FROM effects WHERE key = $1', [key]);
    return rows[0]?.ref ?? null;
  }

  async recordEffect({ key, leadId, kind, ref }: { key: string; leadId: string; kind: string; ref: string }): Promise<void> {
    await this.pool.query(
      'INSERT INTO effects (key, lead_id, kind, ref) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
      [key, leadId, kind, ref],
    );
  }

  /**
   * Runs `effect` unless an earlier attempt under the same key completed it. A crash after the effect
   * is recorded but before the activity reports completion is therefore harmless; the window between
   * the effect itself and its record is as small as one INSERT.
   */
  async once({ key, leadId, kind }: { key: string; leadId: string; kind: string }, effect: () => Promise<string>): Promise<{ ref: string; repeated: boolean }> {
    const existing = await this.effectRef({ key });
    if (existing !== null) return { ref: existing, repeated: true };
    const ref = await effect();
    await this.recordEffect({ key, leadId, kind, ref });
    return { ref, repeated: false };
  }

  async recordOptOut({ leadId, at, source }: { leadId: string; at: string; source: string }): Promise<void> {
    await this.pool.query(
      'INSERT INTO opt_outs (lead_id, opted_out_at, source) VALUES ($1, $2, $3) ON CONFLICT (lead_id) DO NOTHING',
      [leadId, at, source],
    );
  }

  async isOptedOut({ leadId }: { leadId: string }): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM opt_outs WHERE lead_id = $1', [leadId]);
    return (rowCount ?? 0) > 0;
  }

  /** Which lead a sent email (by its Message-ID) belongs to, if we sent it. */
  async leadOfMessage({ messageId }: { messageId: string }): Promise<string | null> {
    const { rows } = await this.pool.query<{ lead_id: string }>("SELECT lead_id FROM effects WHERE kind = 'email' AND ref = $1", [messageId]);
    return rows[0]?.lead_id ?? null;
  }

  async deliverySeen({ signature }: { signature: string }): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM webhook_deliveries WHERE signature = $1', [signature]);
    return (rowCount ?? 0) > 0;
  }

  async recordDelivery({ signature }: { signature: string }): Promise<void> {
    await this.pool.query('INSERT INTO webhook_deliveries (signature) VALUES ($1) ON CONFLICT DO NOTHING', [signature]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
