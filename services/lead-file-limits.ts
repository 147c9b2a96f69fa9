/**
 * What an uploaded lead file may hold, checked while it is read: a file past a limit stops at the
 * first row, cell or byte that crosses it, before anything large is built. The upload limit (2 MB)
 * alone is not enough: a 2 MB CSV can name 700,000 columns, and a 2 MB .xlsx can unzip to gigabytes.
 */

/** The file cannot be read at all; the message is Spanish and meant for the person who uploaded it. */
export class LeadFileError extends Error {
  override name = 'LeadFileError';
}

/** Data rows, the header not counted: a bigger list is split into several imports. */
export const MAX_LEAD_FILE_ROWS = 5000;
/** A lead has 17 fields; 50 leaves room for notes and CRM extras without rows as wide as the file. */
export const MAX_LEAD_FILE_COLUMNS = 50;
/** The longest field a lead has is 500 characters (benefit); a notes column may need twice that. */
export const MAX_LEAD_FILE_CELL_CHARS = 1000;
/** A header is a name; form exports use the question as the name, which still fits in 200. */
export const MAX_LEAD_FILE_HEADER_CHARS = 200;
/**
 * All cell text together. An Excel cell can point at a shared string, so 20 MB of XML can repeat one
 * 1,000-character string in every cell (250 million characters); a real file of 5,000 leads has a few million.
 */
export const MAX_LEAD_FILE_TEXT_CHARS = 10_000_000;
/**
 * The parts of an .xlsx that are read, decompressed: counted as bytes come out of the inflater, so a
 * zip bomb stops here whatever sizes the zip declares. 5,000 rows of 50 columns are about 10 MB of XML.
 */
export const MAX_XLSX_UNZIPPED_BYTES = 20 * 1024 * 1024;

export const NOT_A_LEAD_FILE = 'El archivo debe ser CSV o Excel (.xlsx)';

/** A cell as read: its text, and for an Excel hyperlink the link behind it. */
export interface Cell { text: string; link?: string }
/** `cells[i]` is column i + 1; `number` is the row as a spreadsheet shows it (the header is usually 1). */
export interface SheetRow { number: number; cells: Cell[] }

/** Spanish digit grouping, written out because `Intl` leaves four-digit numbers ungrouped in Spanish ("5000"). */
export function spanishNumber(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

const n = spanishNumber;
const MB = MAX_XLSX_UNZIPPED_BYTES / (1024 * 1024);

/** Each message names the limit, so that whoever uploaded the file knows what to change. */
export const limitError = {
  columns: () => new LeadFileError(`El archivo tiene más de ${n(MAX_LEAD_FILE_COLUMNS)} columnas (máximo ${n(MAX_LEAD_FILE_COLUMNS)}).`),
  cell: (row: number) => new LeadFileError(`Una celda supera los ${n(MAX_LEAD_FILE_CELL_CHARS)} caracteres (fila ${String(row)}).`),
  header: (column: number) =>
    new LeadFileError(`El nombre de la columna ${String(column)} supera los ${n(MAX_LEAD_FILE_HEADER_CHARS)} caracteres (máximo ${n(MAX_LEAD_FILE_HEADER_CHARS)}).`),
  rows: () =>
    new LeadFileError(
      `El archivo tiene más de ${n(MAX_LEAD_FILE_ROWS)} filas de datos (máximo ${n(MAX_LEAD_FILE_ROWS)}); divídelo en varios archivos.`,
    ),
  text: () => new LeadFileError(`El archivo tiene más de ${n(MAX_LEAD_FILE_TEXT_CHARS)} caracteres de texto (máximo ${n(MAX_LEAD_FILE_TEXT_CHARS)}).`),
  unzipped: () => new LeadFileError(`El Excel descomprimido supera los ${String(MB)} MB (máximo ${String(MB)} MB).`),
};

export const isBlank = (cell: Cell | undefined): boolean => cell === undefined || cell.text.trim() === '';

/**
 * Counts what a reader keeps, cell by cell and row by row as they come out of the parser, and throws
 * the limit's LeadFileError as soon as one is crossed. Columns count up to the last cell with text:
 * Excel's CSV export often ends lines with empty cells of formatted columns, and those are harmless.
 */
export class RowLimits {
  private rows = 0;
  private chars = 0;

  /** A cell at 1-based `column` of `row`; false when it lies past the last column kept (and is blank). */
  cell(row: number, column: number, cell: Cell): boolean {
    if (cell.text.length > MAX_LEAD_FILE_CELL_CHARS) throw limitError.cell(row);
    if (column > MAX_LEAD_FILE_COLUMNS) {
      if (!isBlank(cell)) throw limitError.columns();
      return false;
    }
    this.chars += cell.text.length;
    if (this.chars > MAX_LEAD_FILE_TEXT_CHARS) throw limitError.text();
    return true;
  }

  /** A row with text in it: the header, then the data rows. */
  row(): void {
    this.rows += 1;
    if (this.rows > MAX_LEAD_FILE_ROWS + 1) throw limitError.rows();
  }
}
