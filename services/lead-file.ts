import { parse } from 'csv-parse/sync';
import { Workbook, type CellValue } from 'exceljs';
import { leadInputSchema, normaliseEmail, type LeadInput } from '../domain/lead';
import { DAY_MS } from '../domain/policy';
import { countryFromName, fieldLabel, spanishErrorLines } from '../domain/texts';

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

/** The file cannot be read at all; the message is Spanish and meant for the person who uploaded it. */
export class LeadFileError extends Error {
  override name = 'LeadFileError';
}

export const MAX_LEAD_FILE_ROWS = 5000;

const NOT_A_LEAD_FILE = 'El archivo debe ser CSV o Excel (.xlsx)';

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

/** A cell as read: its text, and for an Excel hyperlink the link behind it. */
interface Cell { text: string; link?: string }
interface SheetRow { number: number; cells: Cell[] }

/**
 * Reads an uploaded CSV or Excel file of leads and validates each data row on its own, so one bad row
 * never hides the good ones. Throws LeadFileError only when the file as a whole cannot be used.
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

async function readXlsx(content: Buffer): Promise<SheetRow[]> {
  const wb = new Workbook();
  try {
    // exceljs types its Buffer as an ArrayBuffer look-alike that a Node Buffer no longer matches; at run time it takes one.
    await wb.xlsx.load(content as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    throw new LeadFileError(NOT_A_LEAD_FILE);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new LeadFileError('El archivo Excel no tiene hojas');
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: Cell[] = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(fromExcel(row.getCell(col).value));
    rows.push({ number, cells });
  });
  return rows;
}

function fromExcel(value: CellValue | undefined): Cell {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') return { text: String(value) };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { text: Number.isNaN(value.getTime()) ? '' : isoDay(value) };
  if ('richText' in value) return { text: value.richText.map((part) => part.text).join('') };
  // The text of a hyperlink cell may itself be rich text, whatever the typings say.
  if ('hyperlink' in value) return { text: fromExcel(value.text as CellValue).text, link: value.hyperlink };
  if ('formula' in value || 'sharedFormula' in value) return fromExcel(value.result);
  if ('error' in value) return { text: value.error };
  return { text: '' };
}

/** Excel keeps a day as midnight UTC of that day. */
function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A CSV is text: a NUL or a run of control bytes means an image, a PDF or some other binary renamed. */
function looksLikeText(content: Buffer): boolean {
  const sample = content.subarray(0, 8192);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control <= sample.length / 100;
}

function readCsv(content: Buffer): SheetRow[] {
  const text = decode(content);
  if (text.trim() === '') throw new LeadFileError('El archivo está vacío');
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    throw new LeadFileError(
      typeof line === 'number'
        ? `No se pudo leer el CSV: revisa las comillas cerca de la línea ${String(line)}`
        : 'No se pudo leer el CSV: revisa que esté bien formado',
    );
  }
  // Numbered as a spreadsheet shows them: one row per record, blank lines included.
  return records.map((cells, i) => ({ number: i + 1, cells: cells.map((t) => ({ text: t })) }));
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
  const header = text.split(/\r\n|\n|\r/).find((line) => line.trim() !== '') ?? '';
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  return Object.entries(counts).reduce((best, entry) => (entry[1] > best[1] ? entry : best), [',', 0])[0];
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
  if (data.length > MAX_LEAD_FILE_ROWS) {
    throw new LeadFileError(
      `El archivo tiene ${String(data.length)} filas de leads y el máximo es ${String(MAX_LEAD_FILE_ROWS)}; divídelo en varios archivos`,
    );
  }

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

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
