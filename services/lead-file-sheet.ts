import type { SaxesTagPlain } from 'saxes';
import { isBlank, LeadFileError, MAX_LEAD_FILE_COLUMNS, NOT_A_LEAD_FILE, RowLimits, type Cell, type SheetRow } from './lead-file-limits';

/**
 * A worksheet's XML read as a stream of tags, giving the same cell texts exceljs's `xlsx.load` gave
 * (the reader before this one), but keeping only rows with text and cells within the column limit, and
 * checking every cell and row against the limits as it closes.
 */

/** What the rest of the workbook says about a sheet's cells. */
export interface SheetContext {
  sharedStrings: string[];
  isDateStyle(styleId: number): boolean;
  date1904: boolean;
}

interface Range { top: number; left: number; bottom: number; right: number }

/** The cell being read: its attributes and the text of its `<v>`, `<t>` and rich-text runs. */
interface OpenCell {
  column: number;
  type: string | undefined;
  style: number;
  formula: boolean;
  value: string | undefined;
  runs: string[] | undefined;
}

const BLANK: Cell = { text: '' };

export class SheetXml {
  private readonly limits = new RowLimits();
  /** Kept rows by number; `cells[i]` is column i + 1, holes are cells the sheet does not have. */
  private readonly rows = new Map<number, (Cell | undefined)[]>();
  private readonly merges = new Map<string, Range>();
  private readonly links = new Map<string, Cell[]>();
  private inSheetData = false;
  private row: { number: number; cells: (Cell | undefined)[]; lastColumn: number } | null = null;
  private lastRow = 0;
  private cell: OpenCell | null = null;
  /** Where text goes: a `<v>` or plain `<t>` (value), a rich-text run's `<t>` (run), a formula, or nowhere. */
  private textTarget: 'value' | 'run' | 'formula' | null = null;
  private inRun = false;
  private inPhonetic = false;

  constructor(private readonly context: SheetContext) {}

  open = (tag: SaxesTagPlain): void => {
    const { name, attributes } = tag;
    if (name === 'sheetData') this.inSheetData = true;
    else if (name === 'row' && this.inSheetData) this.openRow(attributes.r);
    else if (name === 'c' && this.row) this.openCell(attributes);
    else if (this.cell) this.openInCell(name, attributes);
    else if (name === 'mergeCell') this.addMerge(attributes.ref);
    else if (name === 'hyperlink') this.addLink(attributes.ref, attributes['r:id']);
  };

  text = (text: string): void => {
    const cell = this.cell;
    if (!cell || !this.textTarget) return;
    if (this.textTarget === 'formula') cell.formula ||= text !== '';
    else if (this.textTarget === 'value') cell.value = (cell.value ?? '') + text;
    else if (cell.runs) cell.runs[cell.runs.length - 1] += text;
  };

  close = (tag: SaxesTagPlain): void => {
    const { name } = tag;
    if (name === 'sheetData') this.inSheetData = false;
    else if (name === 'row' && this.row) this.closeRow();
    else if (name === 'c' && this.cell) this.closeCell();
    else if (name === 'v' || name === 't' || name === 'f') this.textTarget = null;
    else if (name === 'r') this.inRun = false;
    else if (name === 'rPh') this.inPhonetic = false;
  };

  /** The hyperlink relationship ids the kept cells point at; `setLinkTargets` gives their addresses. */
  linkIds(): string[] {
    return [...this.links.keys()];
  }

  setLinkTargets(targets: Map<string, string>): void {
    for (const [id, cells] of this.links) {
      const target = targets.get(id);
      if (target !== undefined) for (const cell of cells) cell.link = target;
    }
  }

  /** The kept rows in order, merged cells filled in from their first cell as Excel shows them. */
  finish(): SheetRow[] {
    this.applyMerges();
    return [...this.rows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([number, cells]) => ({ number, cells: Array.from(cells, (c) => c ?? BLANK) }));
  }

  private openRow(r: string | undefined): void {
    // Excel always numbers rows; a writer that does not means "the next one".
    const given = parseInt(r ?? '', 10);
    const number = given > 0 ? given : this.lastRow + 1;
    this.lastRow = number;
    this.row = { number, cells: [], lastColumn: 0 };
  }

  private closeRow(): void {
    const row = this.row!;
    this.row = null;
    if (row.cells.every(isBlank)) return;
    this.limits.row();
    this.rows.set(row.number, row.cells);
  }

  private openCell(attributes: Record<string, string>): void {
    const ref = attributes.r === undefined ? undefined : parseRef(attributes.r);
    const column = ref?.column ?? this.row!.lastColumn + 1;
    this.row!.lastColumn = column;
    this.cell = { column, type: attributes.t, style: parseInt(attributes.s ?? '0', 10) || 0, formula: false, value: undefined, runs: undefined };
  }

  private openInCell(name: string, attributes: Record<string, string>): void {
    const cell = this.cell!;
    if (name === 'f') {
      // A shared formula's later cells carry only `<f t="shared" si="0"/>`: still a formula.
      cell.formula ||= attributes.t !== undefined;
      this.textTarget = 'formula';
    } else if (name === 'v') this.textTarget = 'value';
    else if (name === 'r') {
      this.inRun = true;
      (cell.runs ??= []).push('');
    } else if (name === 'rPh') this.inPhonetic = true;
    else if (name === 't' && !this.inPhonetic) this.textTarget = this.inRun ? 'run' : 'value';
  }

  private closeCell(): void {
    const open = this.cell!;
    const row = this.row!;
    this.cell = null;
    this.textTarget = null;
    const cell: Cell = { text: cellText(open, this.context) };
    if (this.limits.cell(row.number, open.column, cell)) row.cells[open.column - 1] = cell;
  }

  /** Only a merge whose first cell is kept can change what is read; that also bounds how many are kept. */
  private addMerge(ref: string | undefined): void {
    const range = ref === undefined ? null : parseRange(ref);
    if (!range || (range.top === range.bottom && range.left === range.right)) return;
    if (range.left > MAX_LEAD_FILE_COLUMNS || !this.rows.has(range.top)) return;
    this.merges.set(`${String(range.top)}:${String(range.left)}`, range);
  }

  private addLink(ref: string | undefined, id: string | undefined): void {
    const at = ref === undefined ? null : parseRef(ref);
    const cell = at && at.column <= MAX_LEAD_FILE_COLUMNS ? this.rows.get(at.row)?.[at.column - 1] : undefined;
    if (!cell || id === undefined) return;
    const cells = this.links.get(id) ?? [];
    cells.push(cell);
    this.links.set(id, cells);
  }

  /**
   * Each cell of a merged area reads as its first cell, rows the sheet lacks included. Overlapping
   * areas made exceljs refuse the file; refusing them here also keeps the work to one pass over the kept cells.
   */
  private applyMerges(): void {
    const claimed = new Set<string>();
    const kept = [...this.rows.keys()].sort((a, b) => a - b);
    for (const range of this.merges.values()) {
      const master = this.rows.get(range.top)?.[range.left - 1] ?? BLANK;
      // A blank first cell blanks the rows it covers that have text; one with text gives text to every row it covers.
      const rowNumbers = isBlank(master) ? keptWithin(kept, range.top, range.bottom) : numbersFrom(range.top, range.bottom);
      for (const r of rowNumbers) {
        let cells = this.rows.get(r);
        if (!cells) {
          this.limits.row();
          cells = [];
          this.rows.set(r, cells);
        }
        for (let column = range.left; column <= range.right; column++) {
          const key = `${String(r)}:${String(column)}`;
          if (claimed.has(key)) throw new LeadFileError(NOT_A_LEAD_FILE);
          claimed.add(key);
          if (r === range.top && column === range.left) continue;
          if (!this.limits.cell(r, column, master)) break;
          cells[column - 1] = master;
        }
      }
    }
  }
}

function* numbersFrom(first: number, last: number): Generator<number> {
  for (let n = first; n <= last; n++) yield n;
}

/** The numbers of `sorted` from `first` to `last`, found by bisection: a sheet may have many merges. */
function* keptWithin(sorted: number[], first: number, last: number): Generator<number> {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) < first) low = middle + 1;
    else high = middle;
  }
  for (let i = low; i < sorted.length && (sorted[i] ?? 0) <= last; i++) yield sorted[i] ?? 0;
}

/** The text exceljs gave a cell: numbers as JavaScript prints them, dates as YYYY-MM-DD, booleans TRUE/FALSE. */
function cellText(cell: OpenCell, context: SheetContext): string {
  const isDate = cell.style > 0 && context.isDateStyle(cell.style);
  const value = cell.value;
  if (cell.formula) {
    // A formula's cached result; without one (never calculated) the cell reads empty.
    if (!value) return '';
    if (cell.type === 'e') return isDate ? '' : value;
    const result = cell.type === 'str' ? xmlDecode(value) : cell.type === 'b' ? parseInt(value, 10) !== 0 : parseFloat(value);
    if (isDate) return excelDay(Number(result), context.date1904);
    return typeof result === 'boolean' ? (result ? 'TRUE' : 'FALSE') : String(result);
  }
  if (cell.runs && (cell.type === 'inlineStr' || value === undefined)) return cell.runs.map(decodeEscapes).join('');
  if (value === undefined) return '';
  switch (cell.type) {
    case 's': {
      const shared = context.sharedStrings[parseInt(value, 10)];
      // exceljs failed on a missing shared string, and so does this reader.
      if (shared === undefined) throw new LeadFileError(NOT_A_LEAD_FILE);
      return shared;
    }
    case 'str':
      return xmlDecode(value);
    case 'inlineStr':
    case 'e':
      return value;
    case 'b':
      return parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE';
    default:
      return isDate ? excelDay(parseFloat(value), context.date1904) : String(parseFloat(value));
  }
}

/** Excel keeps a day as a number of days since 1899-12-30 (or 1904-01-01), midnight UTC of that day. */
function excelDay(serial: number, date1904: boolean): string {
  const date = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10);
}

/** Text a writer escaped twice; exceljs undid the named entities once more, so this does too. */
function xmlDecode(text: string): string {
  const named: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&apos;': "'", '&quot;': '"' };
  return text.replace(/&([a-z]*);/g, (entity) => named[entity] ?? entity);
}

/** `_x000D_` and the like: how OOXML writes characters XML cannot hold, in shared strings and rich text. */
export function decodeEscapes(text: string): string {
  return text.replace(/_x([0-9A-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** "B7" → row 7, column 2; "$B$7" too. Null when it is not a single cell's address. */
export function parseRef(ref: string): { row: number; column: number } | null {
  const match = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(ref.trim());
  if (!match) return null;
  let column = 0;
  for (const ch of (match[1] ?? '').toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
  return { row: parseInt(match[2] ?? '0', 10), column };
}

function parseRange(ref: string): Range | null {
  const [from, to] = ref.split(':');
  const a = from === undefined ? null : parseRef(from);
  const b = to === undefined ? a : parseRef(to);
  if (!a || !b) return null;
  return { top: Math.min(a.row, b.row), bottom: Math.max(a.row, b.row), left: Math.min(a.column, b.column), right: Math.max(a.column, b.column) };
}
