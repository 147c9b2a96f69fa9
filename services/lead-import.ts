import { createHash, randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Pool } from 'pg';
import type { LeadInput } from '../domain/lead';
import { readLeadFile, type LeadFileRow } from './lead-file';
import type { LeadService } from './lead-service';

export type ImportRowStatus = 'created' | 'returned' | 'existing' | 'opted_out' | 'already_imported' | 'invalid';

export interface ImportRowResult {
  row: number;
  status: ImportRowStatus;
  leadId?: string;
  errors?: string[];
}

export interface ImportResult {
  summary: Record<ImportRowStatus, number>;
  rows: ImportRowResult[];
}

export interface PendingImport {
  id: string;
  fileName: string;
  rows: LeadFileRow[];
  result: ImportResult | null;
}

/** How many leads are enrolled at once: enough to be quick, few enough to be gentle with Temporal. */
const PARALLEL_ENROLMENTS = 8;

/** The same row (same person, same data) from any file: already imported means nothing happens again. */
function rowHash(input: LeadInput): string {
  const canonical = JSON.stringify(input, Object.keys(input).sort());
  return createHash('sha256').update(`${input.email.trim().toLowerCase()}\n${canonical}`).digest('hex');
}

function summarise(rows: ImportRowResult[]): ImportResult {
  const summary: Record<ImportRowStatus, number> = { created: 0, returned: 0, existing: 0, opted_out: 0, already_imported: 0, invalid: 0 };
  for (const r of rows) summary[r.status] += 1;
  return { summary, rows };
}

/**
 * Leads from a CSV or Excel file: read and validated first (the preview), then the valid rows are
 * enrolled through the same path as the API. Rows already imported are recognised and skipped.
 */
export class LeadImports {
  constructor(private readonly pool: Pool, private readonly leads: LeadService) {}

  /** Reads the file and keeps it for confirmation; a file that cannot be read throws LeadFileError. */
  async stage({ fileName, content, userEmail }: { fileName: string; content: Buffer; userEmail: string }): Promise<PendingImport> {
    const rows = await readLeadFile({ fileName, content });
    const id = randomUUID();
    // Uploaded rows are personal data: kept only until confirmed, or a day when nobody confirms.
    await this.pool.query(`DELETE FROM imports WHERE result IS NULL AND created_at < now() - interval '1 day'`);
    await this.pool.query('INSERT INTO imports (id, user_email, file_name, rows) VALUES ($1, $2, $3, $4)', [id, userEmail, fileName, JSON.stringify(rows)]);
    return { id, fileName, rows, result: null };
  }

  async find({ id, userEmail }: { id: string; userEmail: string }): Promise<PendingImport | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const { rows } = await this.pool.query<{ id: string; file_name: string; rows: LeadFileRow[]; result: ImportResult | null }>(
      'SELECT id, file_name, rows, result FROM imports WHERE id = $1 AND user_email = $2',
      [id, userEmail],
    );
    const r = rows[0];
    return r ? { id: r.id, fileName: r.file_name, rows: r.rows, result: r.result } : null;
  }

  /** Enrols a staged file's valid rows; confirming the same upload twice answers the first result. */
  async confirm(pending: PendingImport): Promise<ImportResult> {
    if (pending.result) return pending.result;
    const result = await this.enrolRows(pending.rows);
    await this.pool.query(`UPDATE imports SET result = $2, rows = '[]' WHERE id = $1`, [pending.id, JSON.stringify(result)]);
    return result;
  }

  /** For machine clients: read and enrol in one go (or only read, with `dryRun`). */
  async importFile({ fileName, content, dryRun }: { fileName: string; content: Buffer; dryRun: boolean }): Promise<ImportResult> {
    const rows = await readLeadFile({ fileName, content });
    if (dryRun) return summarise(rows.map((r) => (r.input ? { row: r.row, status: 'created' } : { row: r.row, status: 'invalid', errors: r.errors })));
    return this.enrolRows(rows);
  }

  private async enrolRows(rows: LeadFileRow[]): Promise<ImportResult> {
    const limit = pLimit(PARALLEL_ENROLMENTS);
    return summarise(await Promise.all(rows.map((row) => limit(() => this.enrolRow(row)))));
  }

  private async enrolRow({ row, input, errors }: LeadFileRow): Promise<ImportRowResult> {
    if (!input) return { row, status: 'invalid', errors };
    const hash = rowHash(input);
    const seen = await this.pool.query<{ lead_id: string }>('SELECT lead_id FROM imported_rows WHERE row_hash = $1', [hash]);
    if (seen.rows[0]) return { row, status: 'already_imported', leadId: seen.rows[0].lead_id };
    const enrolled = await this.leads.enrol(input);
    // A person whose last follow-up ended (lost, enrolled) starts a new one: a return, not a new lead.
    const status: ImportRowStatus = enrolled.returning ? 'returned' : enrolled.created ? 'created' : enrolled.stage === 'opted_out' ? 'opted_out' : 'existing';
    await this.pool.query('INSERT INTO imported_rows (row_hash, lead_id, outcome) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [hash, enrolled.leadId, status]);
    return { row, status, leadId: enrolled.leadId };
  }
}
