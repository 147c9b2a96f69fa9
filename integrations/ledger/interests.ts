import type { Pool } from 'pg';

export type InterestOutcome = 'new_lead' | 'new_follow_up' | 'existing_follow_up' | 'opted_out';

/** A person asking about a course, and what it started. */
export interface Interest {
  course: { code: string; name: string };
  source: string;
  benefit: string | null;
  receivedAt: string;
  outcome: InterestOutcome;
  /** The first run of the follow-up it started, if it started one. */
  runId: string | null;
  /** For a new follow-up: how the person's previous one had ended. */
  previousStage: string | null;
}

type Row = { course_code: string; course_name: string; source: string; benefit: string | null; received_at: Date; outcome: InterestOutcome; run_id: string | null; previous_stage: string | null };

/** Every interest of every person (migration 11): what the lead page, the API and the KPIs read. */
export class Interests {
  constructor(private readonly pool: Pool) {}

  async record({ leadId, course, source, benefit, outcome, runId = null, previousStage = null }: {
    leadId: string; course: { code: string; name: string }; source: string; benefit?: string; outcome: InterestOutcome; runId?: string | null; previousStage?: string | null;
  }): Promise<void> {
    await this.pool.query(
      'INSERT INTO interests (lead_id, course_code, course_name, source, benefit, outcome, run_id, previous_stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [leadId, course.code, course.name, source, benefit ?? null, outcome, runId, previousStage],
    );
  }

  async of({ leadId }: { leadId: string }): Promise<Interest[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM interests WHERE lead_id = $1 ORDER BY received_at, id', [leadId]);
    return rows.map((r) => ({
      course: { code: r.course_code, name: r.course_name }, source: r.source, benefit: r.benefit, receivedAt: r.received_at.toISOString(),
      outcome: r.outcome, runId: r.run_id, previousStage: r.previous_stage,
    }));
  }
}
