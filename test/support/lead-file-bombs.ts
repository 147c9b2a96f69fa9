import { Workbook } from 'exceljs';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * Lead files built to exhaust a reader that trusts them: each stays under the 2 MB upload limit and
 * crosses one of services/lead-file-limits.ts's limits by far. Built in the test, never stored.
 */

/** XML that repeats one unit many times, streamed to the compressor so that no test holds it whole. */
export interface Repeated { head: string; unit: string; times: number; tail: string }
type Content = string | Buffer | Repeated;

interface Deflated { data: Buffer; size: number; crc: number }

async function deflate(content: Content): Promise<Deflated> {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const bytes = Buffer.from(content);
    return { data: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
  }
  const deflater = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => deflater.on('end', resolve));
  let size = 0;
  let crc = 0;
  const write = async (bytes: Buffer) => {
    size += bytes.length;
    crc = crc32(bytes, crc);
    if (!deflater.write(bytes)) await new Promise((resolve) => deflater.once('drain', resolve));
  };
  await write(Buffer.from(content.head));
  // About 1 MB per write.
  const perBatch = Math.max(1, Math.floor(1_000_000 / Buffer.byteLength(content.unit)));
  const batch = Buffer.from(content.unit.repeat(perBatch));
  let left = content.times;
  for (; left >= perBatch; left -= perBatch) await write(batch);
  if (left > 0) await write(Buffer.from(content.unit.repeat(left)));
  await write(Buffer.from(content.tail));
  deflater.end();
  await ended;
  return { data: Buffer.concat(out), size, crc };
}

/** A zip of deflated parts. `declaredSize` lets a part lie about what it unzips to, as a crafted bomb does. */
export async function zipOf(parts: { name: string; content: Content; declaredSize?: number }[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const { data, size, crc } = await deflate(part.content);
    const name = Buffer.from(part.name);
    const declared = Math.min(part.declaredSize ?? size, 0xffffffff);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** The smallest .xlsx Excel opens: one sheet, optionally shared strings. */
export async function xlsxOf({ sheet, sharedStrings, declaredSize }: { sheet: Content; sharedStrings?: Content; declaredSize?: number }): Promise<Buffer> {
  return zipOf([
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    },
    { name: '_rels/.rels', content: `<Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
    { name: 'xl/workbook.xml', content: `<workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>` },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content:
        `<Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    },
    ...(sharedStrings === undefined ? [] : [{ name: 'xl/sharedStrings.xml', content: sharedStrings, declaredSize }]),
    { name: 'xl/worksheets/sheet1.xml', content: sheet, declaredSize },
  ]);
}

const sheetOf = (rows: string): string => `<worksheet xmlns="${MAIN}"><sheetData>${rows}</sheetData></worksheet>`;
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

export const LEAD_HEADER = ['firstName', 'lastName', 'email', 'phone', 'country', 'profile', 'courseCode', 'courseName'];
const leadRow = (i: number) => ['Ana', 'Pérez', `ana${String(i)}@example.com`, '', 'CO', 'b2b', 'DA-101', 'Analítica'];

/** A good file at the row limit, for measuring what a normal import costs. */
export function goodCsv(rows = 5000): Buffer {
  return Buffer.from([LEAD_HEADER, ...Array.from({ length: rows }, (_, i) => leadRow(i))].map((r) => r.join(',')).join('\n'));
}

export async function goodXlsx(rows = 5000): Promise<Buffer> {
  const wb = new Workbook();
  const sheet = wb.addWorksheet('Leads');
  sheet.addRow(LEAD_HEADER);
  for (let i = 0; i < rows; i++) sheet.addRow(leadRow(i));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Each bomb with the words its refusal must contain. */
export const bombs = {
  /** The lead columns and 700,000 more in 1.4 MB, then 5,000 one-cell rows: once an object of 700,000 keys per row. */
  csvWideHeader: {
    limit: /más de 50 columnas \(máximo 50\)/,
    file: () => Buffer.from(`${LEAD_HEADER.join(',')},${'a,'.repeat(700_000)}\n${'x\n'.repeat(5000)}`),
  },
  /** One cell of 100,000 characters. */
  csvLongCell: {
    limit: /celda supera los 1\.000 caracteres \(fila 2\)/,
    file: () => Buffer.from(`${LEAD_HEADER.join(',')}\nAna,${'P'.repeat(100_000)},ana@example.com,,CO,b2b,X,Y\n`),
  },
  /** 300,000 one-cell rows. */
  csvManyRows: { limit: /más de 5\.000 filas de datos \(máximo 5\.000\)/, file: () => Buffer.from(`${LEAD_HEADER.join(',')}\n${'x\n'.repeat(300_000)}`) },
  /** ~200 MB of sheet XML (empty rows) in a few hundred KB; the zip tells the truth about the size. */
  xlsxSheetBomb: {
    limit: /Excel descomprimido supera los 20 MB \(máximo 20 MB\)/,
    file: () => xlsxOf({ sheet: { head: `<worksheet xmlns="${MAIN}"><sheetData>`, unit: '<row><c r="A1"/></row>', times: 9_000_000, tail: '</sheetData></worksheet>' } }),
  },
  /** The same, declaring 1 KB: only counting what comes out of the inflater stops it. */
  xlsxLyingSheetBomb: {
    limit: /Excel descomprimido supera los 20 MB \(máximo 20 MB\)/,
    file: () =>
      xlsxOf({
        sheet: { head: `<worksheet xmlns="${MAIN}"><sheetData>`, unit: '<row><c r="A1"/></row>', times: 9_000_000, tail: '</sheetData></worksheet>' },
        declaredSize: 1024,
      }),
  },
  /** ~200 MB of shared strings (13 million of them), declaring 1 KB. */
  xlsxSharedStringsBomb: {
    limit: /Excel descomprimido supera los 20 MB \(máximo 20 MB\)/,
    file: () =>
      xlsxOf({
        sheet: sheetOf(`<row r="1">${inline('A1', 'firstName')}</row>`),
        sharedStrings: { head: `<sst xmlns="${MAIN}">`, unit: '<si><t>x</t></si>', times: 13_000_000, tail: '</sst>' },
        declaredSize: 1024,
      }),
  },
  /** One 1,000-character shared string in each of 50 columns of 5,000 rows: 250 million characters from 7 MB of XML. */
  xlsxRepeatedText: {
    limit: /más de 10\.000\.000 caracteres de texto \(máximo 10\.000\.000\)/,
    file: () =>
      xlsxOf({
        sheet: {
          head: `<worksheet xmlns="${MAIN}"><sheetData>`,
          unit: `<row>${Array.from({ length: 50 }, () => '<c t="s"><v>0</v></c>').join('')}</row>`,
          times: 5000,
          tail: '</sheetData></worksheet>',
        },
        sharedStrings: `<sst xmlns="${MAIN}"><si><t>${'x'.repeat(1000)}</t></si></sst>`,
      }),
  },
  /** A header of 60 columns, as Excel writes it. */
  xlsxWide: {
    limit: /más de 50 columnas \(máximo 50\)/,
    file: async () => {
      const wb = new Workbook();
      const sheet = wb.addWorksheet('Leads');
      sheet.addRow([...LEAD_HEADER, ...Array.from({ length: 52 }, (_, i) => `extra${String(i)}`)]);
      sheet.addRow(leadRow(0));
      return Buffer.from(await wb.xlsx.writeBuffer());
    },
  },
  /** A cell far to the right of a normal row: column XFD, the last Excel has. */
  xlsxFarCell: {
    limit: /más de 50 columnas \(máximo 50\)/,
    file: () => xlsxOf({ sheet: sheetOf(`<row r="1">${LEAD_HEADER.map((h, i) => inline(`${String.fromCharCode(65 + i)}1`, h)).join('')}</row><row r="2">${inline('XFD2', 'lejos')}</row>`) }),
  },
  /** 5,001 data rows, as Excel writes them. */
  xlsxTall: { limit: /más de 5\.000 filas de datos \(máximo 5\.000\)/, file: () => goodXlsx(5001) },
};

export type BombName = keyof typeof bombs;
