import { leadInputSchema, normaliseEmail, type LeadInput } from '../domain/lead';
import { DAY_MS } from '../domain/policy';
import { countryFromName, fieldLabel, spanishErrorLines } from '../domain/texts';
import { looksLikeText, readCsv } from './lead-file-csv';
import { LeadFileError, limitError, MAX_LEAD_FILE_HEADER_CHARS, MAX_LEAD_FILE_ROWS, NOT_A_LEAD_FILE, type Cell, type SheetRow } from './lead-file-limits';
import { readXlsx } from './lead-file-xlsx';

// The limits live beside the readers that enforce them; callers keep importing from here.
export { LeadFileError, MAX_LEAD_FILE_ROWS };
export {
  MAX_LEAD_FILE_CELL_CHARS, MAX_LEAD_FILE_COLUMNS, MAX_LEAD_FILE_HEADER_CHARS, MAX_LEAD_FILE_TEXT_CHARS, MAX_XLSX_UNZIPPED_BYTES,
} from './lead-file-limits';

/** One data row of an uploaded lead file, validated on its own. */
export interface LeadFileRow {
  /** 1-based line/row number in the file as a person sees it: the header is 1, the first data row 2. */
  row: number;
  /** The lead as the file gives it, ready for the same path as any other lead source; null when the row has errors. */
  input: LeadInput | null;
  /** Spanish, one line each, e.g. "Correo: no es un correo válido". Empty when the row is good. */
  errors: string[];
  /** Every named column of the row as written (header → cell text), for showing the row back. */
  raw: Record<string, string>;
}

type Field =
  | 'firstName' | 'lastName' | 'email' | 'phone' | 'country' | 'profile' | 'courseCode' | 'courseName' | 'source'
  | 'company' | 'jobTitle' | 'linkedinUrl' | 'urgency' | 'language' | 'benefit' | 'courseStartDate' | 'externalId';

/** Header names, English and Spanish, compared after `key()` (no case, accents, blanks or punctuation). */
const HEADER_ALIASES: Record<Field, string[]> = {
  firstName: ['firstName', 'nombre'],
  lastName: ['lastName', 'apellido', 'apellidos'],
  email: ['email', 'correo', 'correo electrónico', 'e-mail'],
  phone: ['phone', 'telefono', 'teléfono', 'celular'],
  country: ['country', 'pais', 'país'],
  profile: ['profile', 'perfil'],
  courseCode: ['courseCode', 'curso_codigo', 'código del curso', 'codigo curso'],
  courseName: ['courseName', 'curso', 'nombre del curso'],
  source: ['source', 'origen', 'fuente'],
  company: ['company', 'empresa'],
  jobTitle: ['jobTitle', 'cargo'],
  linkedinUrl: ['linkedinUrl', 'linkedin'],
  urgency: ['urgency', 'urgencia'],
  language: ['language', 'idioma'],
  benefit: ['benefit', 'beneficio'],
  courseStartDate: ['courseStartDate', 'inicio del curso', 'fecha de inicio'],
  externalId: ['externalId', 'id'],
};

const REQUIRED: Field[] = ['firstName', 'lastName', 'email', 'country', 'profile', 'courseCode', 'courseName'];

/** Column names as the schema's Spanish error lines call them. */
const COLUMN_LABELS: Record<Field, string> = {
  firstName: fieldLabel('firstName'), lastName: fieldLabel('lastName'), email: fieldLabel('email'),
  phone: fieldLabel('phone'), country: fieldLabel('country'), profile: fieldLabel('profile'),
  courseCode: fieldLabel('course.code'), courseName: fieldLabel('course.name'), source: fieldLabel('source'),
  company: fieldLabel('company'), jobTitle: fieldLabel('jobTitle'), linkedinUrl: fieldLabel('linkedinUrl'),
  urgency: fieldLabel('urgency'), language: fieldLabel('language'), benefit: fieldLabel('benefit'),
  courseStartDate: fieldLabel('course.startDate'), externalId: fieldLabel('externalId'),
};

/** "Código del Curso", "codigo_curso" and "CÓDIGO CURSO" are the same header; "Español" and "espanol" the same language. */
function key(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

const FIELD_BY_HEADER = new Map<string, Field>(
  (Object.entries(HEADER_ALIASES) as [Field, string[]][]).flatMap(([field, names]) => names.map((n) => [key(n), field] as const)),
);

const PROFILE_BY_NAME: Record<string, string> = {
  b2b: 'b2b', empresa: 'b2b', empresas: 'b2b', b2c: 'b2c', persona: 'b2c', personas: 'b2c', individual: 'b2c',
};
const URGENCY_BY_NAME: Record<string, string> = {
  high: 'high', alta: 'high', normal: 'normal', media: 'normal', low: 'low', baja: 'low',
};
const LANGUAGE_BY_NAME: Record<string, string> = {
  es: 'es', espanol: 'es', castellano: 'es', spanish: 'es', pt: 'pt', portugues: 'pt', portuguese: 'pt',
  en: 'en', ingles: 'en', english: 'en',
};

/**
 * Reads an uploaded CSV or Excel file of leads and validates each data row on its own, so one bad row
 * never hides the good ones. Throws LeadFileError only when the file as a whole cannot be used, which
 * includes a file past one of the limits in lead-file-limits.ts (found while reading, not after).
 */
export async function readLeadFile({ fileName, content }: { fileName: string; content: Buffer }): Promise<LeadFileRow[]> {
  const extension = /\.([^./\\]+)$/.exec(fileName.trim())?.[1]?.toLowerCase();
  const isZip = content.length >= 2 && content[0] === 0x50 && content[1] === 0x4b; // "PK": an .xlsx is a zip
  let rows: SheetRow[];
  if (isZip) rows = await readXlsx(content);
  else if (extension === 'csv' && looksLikeText(content)) rows = readCsv(content);
  else if (content.length === 0 && (extension === 'csv' || extension === 'xlsx')) throw new LeadFileError('El archivo está vacío');
  else throw new LeadFileError(NOT_A_LEAD_FILE);
  return validateRows(rows.filter((r) => r.cells.some((c) => c.text.trim() !== '')));
}

function validateRows(rows: SheetRow[]): LeadFileRow[] {
  const [header, ...data] = rows;
  if (!header) throw new LeadFileError('El archivo está vacío');

  const headers = header.cells.map((c) => c.text.trim());
  const columns = new Map<Field, number>();
  headers.forEach((name, col) => {
    const field = FIELD_BY_HEADER.get(key(name));
    if (field && !columns.has(field)) columns.set(field, col);
  });
  const missing = REQUIRED.filter((f) => !columns.has(f)).map((f) => COLUMN_LABELS[f]);
  if (columns.size === 0) {
    throw new LeadFileError(
      `La primera fila debe tener los nombres de las columnas; faltan las columnas obligatorias: ${missing.join(', ')}`,
    );
  }
  if (missing.length > 0) throw new LeadFileError(`Faltan columnas obligatorias: ${missing.join(', ')}`);
  if (data.length === 0) throw new LeadFileError('El archivo no tiene leads: solo tiene la fila de encabezados');
  // The readers stop at the limit as they read; this only restates it where the rows are used.
  if (data.length > MAX_LEAD_FILE_ROWS) throw limitError.rows();
  // Header names become the keys of every row's `raw`, kept until the import is confirmed.
  const longHeader = headers.findIndex((name) => name.length > MAX_LEAD_FILE_HEADER_CHARS);
  if (longHeader >= 0) throw limitError.header(longHeader + 1);

  const rawKeys = uniqueKeys(headers);
  const firstRowByEmail = new Map<string, number>();
  return data.map((sheetRow) => {
    const raw: Record<string, string> = {};
    rawKeys.forEach((name, col) => {
      if (name !== undefined) raw[name] = sheetRow.cells[col]?.text.trim() ?? '';
    });
    const cell = (field: Field): Cell | undefined => {
      const col = columns.get(field);
      return col === undefined ? undefined : sheetRow.cells[col];
    };
    const value = (field: Field): string | undefined => {
      const text = cell(field)?.text.trim();
      return text ? text : undefined;
    };

    const built = buildInput(value, cell('linkedinUrl'));
    const result = leadInputSchema.safeParse(built, { reportInput: true });
    const errors = result.success ? [] : spanishErrorLines(result.error);

    const email = value('email');
    if (email !== undefined) {
      const normalised = normaliseEmail(email);
      const first = firstRowByEmail.get(normalised);
      if (first === undefined) firstRowByEmail.set(normalised, sheetRow.number);
      else errors.push(`${fieldLabel('email')}: repetido en la fila ${String(first)}`);
    }
    // Parsed successfully, so the object built from the file has every required field: it is a LeadInput.
    return { row: sheetRow.number, input: errors.length === 0 ? (built as LeadInput) : null, errors, raw };
  });
}

/** Header texts as keys of `raw`; a repeated header gets " (2)", " (3)"…; an empty one is left out. */
function uniqueKeys(headers: string[]): (string | undefined)[] {
  const seen = new Map<string, number>();
  return headers.map((name) => {
    if (name === '') return undefined;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${String(n)})`;
  });
}

function buildInput(value: (field: Field) => string | undefined, linkedinCell: Cell | undefined): Record<string, unknown> {
  const course = defined({
    code: value('courseCode'),
    name: value('courseName'),
    startDate: friendlyDate(value('courseStartDate')),
  });
  return defined({
    externalId: value('externalId'),
    firstName: value('firstName'),
    lastName: value('lastName'),
    email: value('email'),
    phone: value('phone'),
    linkedinUrl: friendlyUrl(value('linkedinUrl'), linkedinCell?.link),
    country: friendly(value('country'), countryFromName),
    company: value('company'),
    jobTitle: value('jobTitle'),
    profile: friendly(value('profile'), byName(PROFILE_BY_NAME)),
    course,
    source: value('source') ?? 'import',
    urgency: friendly(value('urgency'), byName(URGENCY_BY_NAME)),
    benefit: value('benefit'),
    language: friendly(value('language'), byName(LANGUAGE_BY_NAME)),
  });
}

/** The canonical value for a friendly one; anything unknown goes through as written so the schema names the problem. */
function friendly(text: string | undefined, canonical: (text: string) => string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return canonical(text) ?? text;
}

const byName = (names: Record<string, string>) => (text: string): string | undefined => names[key(text)];

/** YYYY-MM-DD as the schema wants it, from what people type: 2025-3-5, 05/03/2025 (day first), an Excel day number. */
function friendlyDate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const pad = (n: string) => n.padStart(2, '0');
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text);
  if (iso) return `${iso[1]}-${pad(iso[2] ?? '')}-${pad(iso[3] ?? '')}`;
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (dayFirst) return `${dayFirst[3]}-${pad(dayFirst[2] ?? '')}-${pad(dayFirst[1] ?? '')}`;
  // A date cell formatted as a number: days since 1899-12-30 (Excel's epoch); 20000–80000 is 1954–2119.
  if (/^\d{5}$/.test(text) && Number(text) >= 20000 && Number(text) <= 80000) {
    return isoDay(new Date(Date.UTC(1899, 11, 30) + Number(text) * DAY_MS));
  }
  return text;
}

/** "linkedin.com/in/ana" works in a browser, so it works here; a link cell reading "Ver perfil" means its link. */
function friendlyUrl(text: string | undefined, link: string | undefined): string | undefined {
  if (text !== undefined && /^https?:\/\//i.test(text)) return text;
  if (link !== undefined && /^https?:\/\//i.test(link.trim())) return link.trim();
  if (text !== undefined && /^(www\.)?linkedin\.com\//i.test(text)) return `https://${text}`;
  return text;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
