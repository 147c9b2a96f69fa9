import { parse, type Options } from 'csv-parse/sync';
import {
  isBlank, LeadFileError, limitError, MAX_LEAD_FILE_CELL_CHARS, MAX_LEAD_FILE_COLUMNS, RowLimits, type Cell, type SheetRow,
} from './lead-file-limits';

/**
 * The rows of a CSV that have text in them, each checked against the limits as soon as csv-parse has
 * it and cut to the columns kept: a file past a limit stops at that row, and no record grows past the
 * characters 50 full columns can hold.
 */
export function readCsv(content: Buffer): SheetRow[] {
  const text = decode(content);
  if (text.trim() === '') throw new LeadFileError('El archivo está vacío');
  const limits = new RowLimits();
  const options: Options<SheetRow, string[]> = {
    delimiter: detectDelimiter(text),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    // The characters a record may have within both limits: past them csv-parse stops mid-record, so a
    // 700,000-column header is refused after 50,000 fields instead of being split whole.
    max_record_size: MAX_LEAD_FILE_COLUMNS * MAX_LEAD_FILE_CELL_CHARS,
    // Blank lines are dropped here, yet counted: rows are numbered as a spreadsheet shows them.
    on_record: (fields, { records }) => keptRow(limits, records, fields),
  };
  try {
    // Without `columns` csv-parse's typings promise string arrays; `on_record` makes them rows.
    return parse(text, options as unknown as Options) as unknown as SheetRow[];
  } catch (err) {
    if (err instanceof LeadFileError) throw err;
    const { code, column, records, lines: line } = err as { code?: unknown; column?: unknown; records?: unknown; lines?: unknown };
    if (code === 'CSV_MAX_RECORD_SIZE') {
      // Within 50 fields, more than 50,000 characters means one of them is over 1,000; past 50, it is a column too many.
      if (typeof column === 'number' && column >= MAX_LEAD_FILE_COLUMNS) throw limitError.columns();
      throw limitError.cell(typeof records === 'number' ? records + 1 : 0);
    }
    throw new LeadFileError(
      typeof line === 'number'
        ? `No se pudo leer el CSV: revisa las comillas cerca de la línea ${String(line)}`
        : 'No se pudo leer el CSV: revisa que esté bien formado',
    );
  }
}

function keptRow(limits: RowLimits, number: number, fields: string[]): SheetRow | null {
  const cells: Cell[] = [];
  fields.forEach((text, i) => {
    const cell = { text };
    if (limits.cell(number, i + 1, cell)) cells.push(cell);
  });
  while (cells.length > 0 && isBlank(cells[cells.length - 1])) cells.pop();
  if (cells.length === 0) return null;
  limits.row();
  return { number, cells };
}

/** A CSV is text: a NUL or a run of control bytes means an image, a PDF or some other binary renamed. */
export function looksLikeText(content: Buffer): boolean {
  const sample = content.subarray(0, 8192);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control <= sample.length / 100;
}

/** UTF-8 with or without BOM; a file that is not UTF-8 is most likely Excel's "CSV" in Windows-1252. */
function decode(content: Buffer): string {
  const body = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? content.subarray(3) : content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('windows-1252').decode(body);
  }
}

/** Excel in Spanish locales writes ";" where others write ","; the header line tells which. */
function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of firstLineWithText(text)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  return Object.entries(counts).reduce((best, entry) => (entry[1] > best[1] ? entry : best), [',', 0])[0];
}

/** Found line by line rather than by splitting the whole file, which could be two million empty lines. */
function firstLineWithText(text: string): string {
  const line = /([^\r\n]*)(?:\r\n|\n|\r|$)/g;
  for (let match = line.exec(text); match; match = line.exec(text)) {
    if ((match[1] ?? '').trim() !== '') return match[1] ?? '';
    if (line.lastIndex >= text.length) break;
  }
  return '';
}
