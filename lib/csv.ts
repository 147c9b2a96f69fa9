import { stringify } from 'csv-stringify/sync';

/** A text cell starting like a formula (=, +, -, @) gets a leading quote: the values come from user data. */
const neutraliseFormula = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);

/** CSV (comma-separated, "\n" after every row, quoted only where needed) that is safe to open in a spreadsheet. */
export function toCsv(rows: (string | number | null)[][]): string {
  return stringify(rows, { cast: { string: neutraliseFormula } });
}
