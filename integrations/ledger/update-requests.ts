import type { Pool } from 'pg';

/** A key already used on a lead: what it asked for (hashed) and the workflow run its update is bound to. */
export interface UpdateRequest {
  bodyHash: string;
  runId: string;
}

/**
 * The ledger's memory of idempotency keys on lead updates (table `update_requests`). Temporal itself
 * answers a repeated update id with the first outcome, but only within one workflow run; this table
 * says which run to ask, and lets the same key with a different request be told apart.
 */
export class UpdateRequests {
  constructor(private readonly pool: Pool) {}

  async find({ leadId, updateId }: { leadId: string; updateId: string }): Promise<UpdateRequest | null> {
    const { rows } = await this.pool.query<{ body_hash: string; run_id: string }>(
      'SELECT body_hash, run_id FROM update_requests WHERE lead_id = $1 AND update_id = $2',
      [leadId, updateId],
    );
    return rows[0] ? { bodyHash: rows[0].body_hash, runId: rows[0].run_id } : null;
  }

  /** The first request under a key binds it to a run; a concurrent one gets the row that won. */
  async claim({ leadId, updateId, bodyHash, runId }: { leadId: string; updateId: string } & UpdateRequest): Promise<UpdateRequest> {
    await this.pool.query(
      `INSERT INTO update_requests (lead_id, update_id, body_hash, run_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (lead_id, update_id) DO NOTHING`,
      [leadId, updateId, bodyHash, runId],
    );
    const row = await this.find({ leadId, updateId });
    if (!row) throw new Error(`update_requests row for ${leadId} ${updateId} vanished`);
    return row;
  }

  /**
   * The bound run closed without ever taking this update: bind the key to the lead's current run. Only
   * from the run the caller saw, so concurrent requests under one key all end up on the same run.
   */
  async rebind({ leadId, updateId, from, to }: { leadId: string; updateId: string; from: string; to: string }): Promise<string> {
    await this.pool.query(
      'UPDATE update_requests SET run_id = $4 WHERE lead_id = $1 AND update_id = $2 AND run_id = $3',
      [leadId, updateId, from, to],
    );
    return (await this.find({ leadId, updateId }))?.runId ?? to;
  }
}
