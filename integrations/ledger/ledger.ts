import { Pool, type PoolClient } from 'pg';
import { drainKpiRebuild, KPI_LEAD_LOCK, rebuildLeadKpis } from './kpi-aggregates';
import { MIGRATIONS } from './migrations';
import { inTransaction } from './transaction';

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

/**
 * `claimed`: an attempt is acting, or acted and never learnt the answer (unknown); `done`: it happened,
 * `ref` says what it made; `failed`: the outside system proved it did not happen.
 */
export type ClaimState = 'claimed' | 'done' | 'failed';

export interface EffectClaim {
  key: string;
  leadId: string;
  kind: string;
  state: ClaimState;
  ref: string | null;
  claimedAt: Date;
  completedAt: Date | null;
  /** Why it failed; on an unknown claim, why its last attempt could not tell. */
  error: string | null;
  attempts: number;
  /** Since it was (last) claimed, by the database's clock: workers' clocks may disagree with it. */
  ageMs: number;
}

/** Either this attempt holds the claim, or another one made it (done, or unknown while `claimed`). */
export type ClaimAnswer = { claimed: true; attempts: number } | { claimed: false; existing: EffectClaim };

export type SuppressionReason = 'bounced' | 'complained' | 'manual';

/** A message's claim may also find its address opted out or suppressed: then nothing is claimed. */
export type MessageClaimAnswer = ClaimAnswer | { claimed: false; blocked: 'opted_out' | SuppressionReason };

/** The lead ledger: a PostgreSQL read model of lead events, plus the claims of effects. */
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
      // Migration 14 left every lead already recorded to build its KPI aggregates for; empty afterwards.
      await drainKpiRebuild(this.pool);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      client.release();
    }
  }

  /** Answers whether the event is new: false when its idempotency key was already recorded (a retry). */
  async appendEvent(event: LeadEvent): Promise<boolean> {
    return this.transaction(async (db) => {
      // The lead's KPI aggregates are rebuilt with its event, one event of a lead at a time.
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KPI_LEAD_LOCK, event.leadId]);
      const { rowCount } = await db.query(
        `INSERT INTO lead_events (lead_id, type, occurred_at, idempotency_key, data)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
        [event.leadId, event.type, event.occurredAt, event.idempotencyKey, JSON.stringify(event.data ?? {})],
      );
      if (rowCount === 1) await rebuildLeadKpis(db, [event.leadId]);
      return rowCount === 1;
    });
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

  /**
   * Claims an effect before it acts: the one attempt that gets `claimed: true` may act, and must then
   * `complete`, `fail`, `release` or leave the claim unknown (`markUnknown`). Any other attempt finds
   * the existing claim: `done` (its ref), or `claimed` with no result, which means "unknown", never
   * "not done". A `failed` claim (the outside system proved nothing happened) may be claimed again.
   */
  async claim(effect: { key: string; leadId: string; kind: string; ref?: string | null }): Promise<ClaimAnswer> {
    return this.transaction((db) => this.claimWith(db, effect));
  }

  /**
   * A message's claim: in one transaction with the opt-out and suppression check, under the same
   * locks that recording an opt-out or a suppression takes, so an opt-out either lands before the
   * check (nothing is claimed, nothing sent) or after the claim (the message was already leaving).
   * An existing claim answers first: a message that went out (or may have) stays what it was.
   */
  async claimMessage(effect: { key: string; leadId: string; kind: string; address: string; ref?: string | null }): Promise<MessageClaimAnswer> {
    const address = normaliseAddress(effect.address);
    return this.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [OPT_OUT_LOCK, effect.leadId]);
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SUPPRESSION_LOCK, address]);
      const existing = await this.effectWith(db, effect.key);
      if (existing && existing.state !== 'failed') return { claimed: false, existing };
      const { rows: optedOut } = await db.query('SELECT 1 FROM opt_outs WHERE lead_id = $1', [effect.leadId]);
      if (optedOut.length) return { claimed: false, blocked: 'opted_out' };
      const { rows: suppressed } = await db.query<{ reason: SuppressionReason }>('SELECT reason FROM suppressions WHERE address = $1', [address]);
      if (suppressed[0]) return { claimed: false, blocked: suppressed[0].reason };
      return this.claimWith(db, effect);
    });
  }

  /** The claim's effect happened: `ref` is what it made (a Message-ID, a Zoho id). */
  async complete({ key, ref }: { key: string; ref: string | null }): Promise<void> {
    await this.pool.query(
      "UPDATE effects SET state = 'done', ref = COALESCE($2, ref), completed_at = now(), error = NULL WHERE key = $1 AND state = 'claimed'",
      [key, ref],
    );
  }

  /** The outside system proved nothing happened, for good (an SMTP 5xx, a record Zoho refused). */
  async fail({ key, error }: { key: string; error: string }): Promise<void> {
    await this.pool.query(
      "UPDATE effects SET state = 'failed', error = $2, completed_at = now() WHERE key = $1 AND state = 'claimed'",
      [key, error.slice(0, 2000)],
    );
  }

  /** Nothing left (connection refused, a refusal before the message): the next attempt may claim anew. */
  async release({ key }: { key: string }): Promise<void> {
    await this.pool.query("DELETE FROM effects WHERE key = $1 AND state = 'claimed'", [key]);
  }

  /**
   * The attempt ended without knowing whether its effect happened (a timeout after the request left,
   * a connection lost before the answer). The claim stays unknown; the note says the attempt is over,
   * so the next one need not wait for it.
   */
  async markUnknown({ key, error }: { key: string; error: string }): Promise<void> {
    await this.pool.query("UPDATE effects SET error = $2 WHERE key = $1 AND state = 'claimed'", [key, error.slice(0, 2000)]);
  }

  /**
   * An unknown claim taken over by a new attempt, after asking the outside system proved the effect
   * never happened. Only one attempt wins: the one that saw `attempts` as it still is.
   */
  async takeOver({ key, attempts }: { key: string; attempts: number }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE effects SET claimed_at = now(), error = NULL, attempts = attempts + 1 WHERE key = $1 AND state = 'claimed' AND attempts = $2",
      [key, attempts],
    );
    return (rowCount ?? 0) > 0;
  }

  async effect({ key }: { key: string }): Promise<EffectClaim | null> {
    return this.effectWith(this.pool, key);
  }

  /** Claims that never got a result, oldest first: what an operator may want to look at. */
  async unknownEffects({ limit = 100 }: { limit?: number } = {}): Promise<EffectClaim[]> {
    const { rows } = await this.pool.query<EffectRow>(`SELECT ${EFFECT_COLUMNS} FROM effects WHERE state = 'claimed' ORDER BY claimed_at LIMIT $1`, [limit]);
    return rows.map(effectFrom);
  }

  /** `at` defaults to the moment the opt-out takes effect: after the lock, so no claim made before it looks later. */
  async recordOptOut({ leadId, at, source }: { leadId: string; at?: string; source: string }): Promise<void> {
    await this.transaction(async (db) => {
      // The lock a message's claim takes: an opt-out never slips between its check and its claim.
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [OPT_OUT_LOCK, leadId]);
      await db.query(
        'INSERT INTO opt_outs (lead_id, opted_out_at, source) VALUES ($1, COALESCE($2::timestamptz, clock_timestamp()), $3) ON CONFLICT (lead_id) DO NOTHING',
        [leadId, at ?? null, source],
      );
    });
  }

  async isOptedOut({ leadId }: { leadId: string }): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM opt_outs WHERE lead_id = $1', [leadId]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * No message goes to this address again, whichever lead carries it (a hard bounce, a complaint, a
   * person's decision). The first reason stays: suppressing an address again changes nothing.
   */
  async addSuppression({ address, reason, at, detail }: { address: string; reason: SuppressionReason; at: string; detail?: string }): Promise<void> {
    const normalised = normaliseAddress(address);
    await this.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SUPPRESSION_LOCK, normalised]);
      await db.query(
        'INSERT INTO suppressions (address, reason, suppressed_at, detail) VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO NOTHING',
        [normalised, reason, at, detail ?? null],
      );
    });
  }

  async suppressionOf({ address }: { address: string }): Promise<{ reason: SuppressionReason; at: string } | null> {
    const { rows } = await this.pool.query<{ reason: SuppressionReason; suppressed_at: Date }>(
      'SELECT reason, suppressed_at FROM suppressions WHERE address = $1',
      [normaliseAddress(address)],
    );
    return rows[0] ? { reason: rows[0].reason, at: new Date(rows[0].suppressed_at).toISOString() } : null;
  }

  /**
   * Which lead a sent email (by its Message-ID) belongs to, if we sent it. An email's claim carries
   * its Message-ID from the start, so a reply to one whose send ended unknown still finds its lead.
   */
  async leadOfMessage({ messageId }: { messageId: string }): Promise<string | null> {
    const { rows } = await this.pool.query<{ lead_id: string }>("SELECT lead_id FROM effects WHERE kind = 'email' AND ref = $1", [messageId]);
    return rows[0]?.lead_id ?? null;
  }

  /**
   * Claims a signed delivery before anything is done with it: true for the first claim, false for a
   * replay (done, or being handled right now). A claim left by a crash is taken over after
   * `staleSeconds`, so the sender's retry is not lost.
   */
  async claimDelivery({ signature, staleSeconds }: { signature: string; staleSeconds: number }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO webhook_deliveries (signature) VALUES ($1)
       ON CONFLICT (signature) DO UPDATE SET received_at = now()
         WHERE webhook_deliveries.state = 'claimed' AND webhook_deliveries.received_at < now() - make_interval(secs => $2)`,
      [signature, staleSeconds],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The delivery's lead is enrolled: the same delivery again is a replay from now on, for good. */
  async completeDelivery({ signature }: { signature: string }): Promise<void> {
    await this.pool.query(`UPDATE webhook_deliveries SET state = 'done' WHERE signature = $1`, [signature]);
  }

  /** Enrolment failed (our fault): the sender's retry of the same delivery must be accepted. */
  async releaseDelivery({ signature }: { signature: string }): Promise<void> {
    await this.pool.query(`DELETE FROM webhook_deliveries WHERE signature = $1 AND state = 'claimed'`, [signature]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }


  private async claimWith(db: PoolClient, { key, leadId, kind, ref = null }: { key: string; leadId: string; kind: string; ref?: string | null }): Promise<ClaimAnswer> {
    for (;;) {
      const inserted = await db.query(
        "INSERT INTO effects (key, lead_id, kind, ref, state) VALUES ($1, $2, $3, $4, 'claimed') ON CONFLICT (key) DO NOTHING RETURNING key",
        [key, leadId, kind, ref],
      );
      if (inserted.rowCount) return { claimed: true, attempts: 1 };
      // A failure that proved nothing happened leaves the effect to be tried again, deliberately.
      const again = await db.query<{ attempts: number }>(
        `UPDATE effects SET state = 'claimed', ref = $2, claimed_at = now(), completed_at = NULL, error = NULL, attempts = attempts + 1
         WHERE key = $1 AND state = 'failed' RETURNING attempts`,
        [key, ref],
      );
      if (again.rows[0]) return { claimed: true, attempts: again.rows[0].attempts };
      const existing = await this.effectWith(db, key);
      // Released between our insert and this read: claim again.
      if (existing) return { claimed: false, existing };
    }
  }

  private async effectWith(db: Pool | PoolClient, key: string): Promise<EffectClaim | null> {
    const { rows } = await db.query<EffectRow>(`SELECT ${EFFECT_COLUMNS} FROM effects WHERE key = $1`, [key]);
    return rows[0] ? effectFrom(rows[0]) : null;
  }
}

const OPT_OUT_LOCK = 7272;
const SUPPRESSION_LOCK = 7273;
const EFFECT_COLUMNS = 'key, lead_id, kind, state, ref, claimed_at, completed_at, error, attempts, (extract(epoch FROM now() - claimed_at) * 1000)::float8 AS age_ms';

interface EffectRow {
  key: string; lead_id: string; kind: string; state: ClaimState; ref: string | null;
  claimed_at: Date; completed_at: Date | null; error: string | null; attempts: number; age_ms: number;
}

function effectFrom(r: EffectRow): EffectClaim {
  return {
    key: r.key, leadId: r.lead_id, kind: r.kind, state: r.state, ref: r.ref,
    claimedAt: new Date(r.claimed_at), completedAt: r.completed_at ? new Date(r.completed_at) : null, error: r.error, attempts: r.attempts,
    ageMs: Number(r.age_ms),
  };
}

/** Addresses compare without case or surrounding spaces (the local part is case-sensitive in theory, never in practice). */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}
