import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { catalogCourseSchema, type CatalogCourse } from '../domain/catalog';
import type { Catalog, CatalogEntry } from '../integrations/ledger/catalog';
import { toCsv } from '../lib/csv';
import { spanishMessage } from '../domain/texts';
import { RejectedError } from './errors';

/**
 * The catalog as a CSV file, one row per cohort (a course without cohorts is one row with the cohort
 * columns empty): the director downloads it, edits it in a spreadsheet and uploads it back.
 */
export const CATALOG_COLUMNS = [
  'code', 'name', 'countries', 'startDate', 'modality', 'price', 'currency', 'earlyBirdDeadline', 'earlyBirdPrice', 'seats', 'seatsTaken',
] as const;
type Column = (typeof CATALOG_COLUMNS)[number];

/** A catalog is small: these bound the work a file can cause before anything is parsed into courses. */
export const MAX_CATALOG_ROWS = 2000;
const MAX_CATALOG_RECORD_CHARS = 4000;

/** One problem of a catalog file, for the API (English) and for the director (Spanish). */
export interface CatalogProblem { line: number; english: string; spanish: string }

/** A catalog file that cannot be used: every problem, by line, all at once; nothing was saved. */
export class CatalogFileError extends RejectedError {
  override name = 'CatalogFileError';
  constructor(readonly problems: CatalogProblem[]) {
    super(`The catalog file has ${problems.length} problem(s), nothing was saved: ${problems.slice(0, 20).map((p) => `line ${p.line}: ${p.english}`).join('; ')}`);
  }
}

const LABELS: Record<string, string> = {
  code: 'Código', name: 'Nombre', countries: 'Países', startDate: 'Inicio', modality: 'Modalidad', price: 'Precio', currency: 'Moneda',
  earlyBirdDeadline: 'Fin de preventa', earlyBirdPrice: 'Precio de preventa', seats: 'Cupos', seatsTaken: 'Cupos tomados',
};
const fileProblem = (line: number, english: string, spanish: string): CatalogProblem => ({ line, english, spanish });

const number = (text: string) => (text === '' ? undefined : Number(text.replace(',', '.')));

function rowsOf(content: Buffer): string[][] {
  try {
    return parse(content, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: MAX_CATALOG_RECORD_CHARS, to_line: MAX_CATALOG_ROWS + 1 });
  } catch (err) {
    throw new CatalogFileError([fileProblem(1, `not a readable CSV file (${(err as Error).message.slice(0, 120)})`, 'el archivo no es un CSV legible')]);
  }
}

/** Reads a catalog CSV: every course in it, validated as a whole (all or nothing). */
export function readCatalogCsv(content: Buffer): CatalogCourse[] {
  const [header, ...rows] = rowsOf(content);
  const missing = CATALOG_COLUMNS.filter((c) => !header?.includes(c));
  if (!header || missing.length) {
    throw new CatalogFileError([fileProblem(1, `the header must name the columns ${CATALOG_COLUMNS.join(', ')} (missing: ${missing.join(', ')})`, `faltan las columnas ${missing.join(', ')}`)]);
  }
  if (rows.length >= MAX_CATALOG_ROWS) throw new CatalogFileError([fileProblem(MAX_CATALOG_ROWS + 1, `more than ${MAX_CATALOG_ROWS - 1} rows`, `más de ${MAX_CATALOG_ROWS - 1} filas`)]);
  const at = Object.fromEntries(CATALOG_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<Column, number>;
  const byCode = new Map<string, { course: Record<string, unknown>; firstLine: number; cohortLines: number[] }>();
  rows.forEach((cells, i) => {
    const cell = (c: Column) => cells[at[c]] ?? '';
    const code = cell('code');
    const line = i + 2; // the header is line 1
    const entry = byCode.get(code) ?? { course: { code, name: cell('name'), countries: cell('countries').split(/[\s;|]+/).filter(Boolean), cohorts: [] }, firstLine: line, cohortLines: [] };
    if (cell('startDate') !== '') {
      entry.cohortLines.push(line);
      (entry.course.cohorts as unknown[]).push({
        startDate: cell('startDate'), modality: cell('modality'), price: number(cell('price')), currency: cell('currency').toUpperCase(),
        earlyBirdDeadline: cell('earlyBirdDeadline') || undefined, earlyBirdPrice: number(cell('earlyBirdPrice')),
        seats: number(cell('seats')), seatsTaken: number(cell('seatsTaken')) ?? 0,
      });
    }
    byCode.set(code, entry);
  });
  const courses: CatalogCourse[] = [];
  const errors: CatalogProblem[] = [];
  for (const { course, firstLine, cohortLines } of byCode.values()) {
    const parsed = catalogCourseSchema.safeParse(course);
    if (parsed.success) courses.push(parsed.data);
    // A cohort's problem is on its own line; the course's on the line that first names it.
    else errors.push(...parsed.error.issues.map((issue) => {
      const line = issue.path[0] === 'cohorts' && typeof issue.path[1] === 'number' ? cohortLines[issue.path[1]] : firstLine;
      const field = String(issue.path.at(-1) ?? 'code');
      return fileProblem(line ?? firstLine, `${issue.path.join('.') || 'course'} ${issue.message}`, `${LABELS[field] ?? field}: ${spanishMessage(issue)}`);
    }));
  }
  if (errors.length) throw new CatalogFileError(errors);
  return courses;
}

export function catalogCsv(courses: CatalogEntry[]): string {
  const rows = courses.flatMap((c) => {
    const countries = c.countries.join(' ');
    if (!c.cohorts.length) return [[c.code, c.name, countries, '', '', '', '', '', '', '', '']];
    return c.cohorts.map((h) => [
      c.code, c.name, countries, h.startDate, h.modality, h.price, h.currency, h.earlyBirdDeadline ?? '', h.earlyBirdPrice ?? '', h.seats ?? '', h.seatsTaken,
    ]);
  });
  return toCsv([[...CATALOG_COLUMNS], ...rows]);
}

/** PUT /api/courses/:code: the path names the course; a body naming another is refused. */
export const courseBodySchema = catalogCourseSchema.extend({ code: z.string().optional() });

export async function saveCourse({ catalog, code, body, by }: { catalog: Catalog; code: string; body: unknown; by: string }) {
  const parsed = courseBodySchema.parse(body);
  if (parsed.code !== undefined && parsed.code !== code) throw new RejectedError(`The body names course ${parsed.code}, the path ${code}`);
  const course = catalogCourseSchema.parse({ ...parsed, code });
  return { course, ...(await catalog.save(course, { by })) };
}
