import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { LeadFileError, limitError, MAX_XLSX_UNZIPPED_BYTES, NOT_A_LEAD_FILE, type SheetRow } from './lead-file-limits';
import { decodeEscapes, SheetXml, type SheetContext } from './lead-file-sheet';
import { inflateEntry, UnzipBudget, zipDirectory, type ZipEntry } from '../lib/zip';

/**
 * The first worksheet of an .xlsx, read as exceljs read it, but streamed: only the parts that matter
 * are unzipped (workbook, styles, shared strings, the sheet and its links), all against one budget of
 * decompressed bytes, and each is parsed as it comes out of the inflater. Nothing else in the zip is touched.
 */
export async function readXlsx(content: Buffer): Promise<SheetRow[]> {
  try {
    return await readFirstSheet(new Workbook(content));
  } catch (err) {
    if (err instanceof LeadFileError) throw err;
    // Anything else is a broken zip or broken XML: the file is not the Excel it claims to be.
    throw new LeadFileError(NOT_A_LEAD_FILE);
  }
}

async function readFirstSheet(book: Workbook): Promise<SheetRow[]> {
  const sheetPaths = await book.worksheetPaths();
  const { sheetPath, date1904 } = await book.firstSheet(sheetPaths);
  if (!sheetPath) throw new LeadFileError('El archivo Excel no tiene hojas');
  const context: SheetContext = { date1904, isDateStyle: await book.dateStyles(), sharedStrings: await book.sharedStrings() };
  const sheet = new SheetXml(context);
  await book.parse(sheetPath, { open: sheet.open, text: sheet.text, close: sheet.close });
  const linkIds = new Set(sheet.linkIds());
  if (linkIds.size > 0) {
    // The sheet's relationships: where each hyperlink of a kept cell points.
    const relsPath = sheetPath.replace(/^xl\/worksheets\/(sheet\d+\.xml)$/, 'xl/worksheets/_rels/$1.rels');
    sheet.setLinkTargets(await book.relationships(relsPath, (id) => linkIds.has(id)));
  }
  return sheet.finish();
}

interface Handlers {
  open?(tag: SaxesTagPlain): void;
  text?(text: string): void;
  close?(tag: SaxesTagPlain): void;
}

/** Excel's own number formats that show a date or a time (ids 14–22 and 45–47, as exceljs knew them). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);
/** Excel allows about 64,000 cell formats; more entries than that are not worth remembering. */
const MAX_STYLES = 65_536;

class Workbook {
  private readonly entries: Map<string, ZipEntry>;
  private readonly budget = new UnzipBudget(MAX_XLSX_UNZIPPED_BYTES, limitError.unzipped);

  constructor(private readonly zip: Buffer) {
    this.entries = zipDirectory(zip);
  }

  /** Streams one part's XML through a SAX parser as it is inflated; false when the zip lacks it. */
  async parse(path: string, handlers: Handlers): Promise<boolean> {
    const entry = this.entries.get(path);
    if (!entry) return false;
    const parser = new SaxesParser();
    if (handlers.open) parser.on('opentag', handlers.open);
    if (handlers.close) parser.on('closetag', handlers.close);
    if (handlers.text) {
      parser.on('text', handlers.text);
      parser.on('cdata', handlers.text);
    }
    const decoder = new TextDecoder('utf-8');
    await inflateEntry(this.zip, entry, this.budget, (chunk) => parser.write(decoder.decode(chunk, { stream: true })));
    parser.write(decoder.decode());
    parser.close();
    return true;
  }

  /** `Id → Target` of a relationships part, for the ids wanted. */
  async relationships(path: string, wanted: (id: string) => boolean): Promise<Map<string, string>> {
    const targets = new Map<string, string>();
    await this.parse(path, {
      open: ({ name, attributes }) => {
        if (name === 'Relationship' && attributes.Id !== undefined && attributes.Target !== undefined && wanted(attributes.Id)) {
          targets.set(attributes.Id, attributes.Target);
        }
      },
    });
    return targets;
  }

  /** The workbook's relationships that lead to a worksheet in this zip, as the path exceljs would open. */
  async worksheetPaths(): Promise<Map<string, string>> {
    const all = await this.relationships('xl/_rels/workbook.xml.rels', () => true);
    const paths = new Map<string, string>();
    for (const [id, target] of all) {
      const path = `xl/${target.replace(/^(\s|\/xl\/)+/, '')}`;
      // exceljs read worksheets only under this name; a chart sheet, say, is not one.
      if (/^xl\/worksheets\/sheet\d+\.xml$/.test(path) && this.entries.has(path)) paths.set(id, path);
    }
    return paths;
  }

  /** The first sheet in the workbook's order that is a worksheet, and which calendar its dates use. */
  async firstSheet(sheetPaths: Map<string, string>): Promise<{ sheetPath: string | undefined; date1904: boolean }> {
    let sheetPath: string | undefined;
    let date1904 = false;
    await this.parse('xl/workbook.xml', {
      open: ({ name, attributes }) => {
        if (name === 'workbookPr') date1904 = attributes.date1904 === '1';
        else if (name === 'sheet' && sheetPath === undefined) sheetPath = sheetPaths.get(attributes['r:id'] ?? '');
      },
    });
    return { sheetPath, date1904 };
  }

  /** Which cell styles show a number as a date: the style's number format, custom or built in. */
  async dateStyles(): Promise<(styleId: number) => boolean> {
    const customFormats = new Map<number, boolean>();
    const dateStyles = new Set<number>();
    let inCellXfs = false;
    let styleCount = 0;
    await this.parse('xl/styles.xml', {
      open: ({ name, attributes }) => {
        if (name === 'numFmt' && attributes.formatCode && customFormats.size < MAX_STYLES) {
          customFormats.set(parseInt(attributes.numFmtId ?? '', 10), isDateFormat(attributes.formatCode.replace(/[\\](.)/g, '$1')));
        } else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs && styleCount < MAX_STYLES) {
          const format = parseInt(attributes.numFmtId ?? '0', 10) || 0;
          if (format && (customFormats.get(format) ?? BUILT_IN_DATE_FORMATS.has(format))) dateStyles.add(styleCount);
          styleCount += 1;
        }
      },
      close: ({ name }) => {
        if (name === 'cellXfs') inCellXfs = false;
      },
    });
    return (styleId) => dateStyles.has(styleId);
  }

  /**
   * The shared strings, rich text joined. They count against the decompressed budget like any part,
   * which bounds them; a string too long for a cell is caught where a cell uses it.
   */
  async sharedStrings(): Promise<string[]> {
    const strings: string[] = [];
    let plain: string | undefined;
    let runs: string[] = [];
    let text: string | null = null;
    let inside = { run: false, phonetic: false };
    await this.parse('xl/sharedStrings.xml', {
      open: ({ name }) => {
        if (name === 'si') {
          plain = undefined;
          runs = [];
          inside = { run: false, phonetic: false };
        } else if (name === 'r') inside.run = true;
        else if (name === 'rPh') inside.phonetic = true;
        else if (name === 't' && !inside.phonetic) text = '';
      },
      text: (chunk) => {
        if (text !== null) text += chunk;
      },
      close: ({ name }) => {
        if (name === 't' && text !== null) {
          if (inside.run) runs.push(decodeEscapes(text));
          else plain = decodeEscapes(text);
          text = null;
        } else if (name === 'r') inside.run = false;
        else if (name === 'rPh') inside.phonetic = false;
        else if (name === 'si') strings.push(runs.length > 0 ? runs.join('') : (plain ?? ''));
      },
    });
    return strings;
  }
}

/** exceljs's test: after dropping [colours/locales] and "quoted text", any of y m d h s b is a date or time. */
function isDateFormat(format: string): boolean {
  return /[ymdhMsb]+/.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}
