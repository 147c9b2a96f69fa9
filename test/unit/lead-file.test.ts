import { Workbook, stream, type CellValue } from 'exceljs';
import { PassThrough } from 'node:stream';
import { LeadFileError, readLeadFile } from '../../services/lead-file';
import type { SheetRow } from '../../services/lead-file-limits';
import { readXlsx } from '../../services/lead-file-xlsx';
import { bombs, LEAD_HEADER, xlsxOf, type BombName } from '../support/lead-file-bombs';

const csv = (text: string, bom = false) => Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);

const ENGLISH_HEADER = 'firstName,lastName,email,phone,country,profile,courseCode,courseName';

async function fileError(fileName: string, content: Buffer): Promise<LeadFileError> {
  const err: unknown = await readLeadFile({ fileName, content }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LeadFileError);
  return err as LeadFileError;
}

describe('readLeadFile', () => {
  it('reads a Spanish CSV saved by Excel: BOM, ";" and Spanish headers and values', async () => {
    const content = csv(
      [
        'Nombre;Apellidos;Correo electrónico;Teléfono;País;Perfil;Código del curso;Nombre del curso;Inicio del curso;Urgencia;Idioma;Notas',
        'Ana María;Pérez;Ana.Perez@Example.com;+57 300 123 4567;Colombia;Empresa;DA-101;Analítica de datos;15/03/2026;Alta;Español;llamar tarde',
        ';;;;;;;;;;;',
        'João;Silva;joao@example.com;;br;persona;DA-101;Analítica de datos;;;portugués;',
      ].join('\r\n'),
      true,
    );

    const rows = await readLeadFile({ fileName: 'leads.csv', content });

    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows.every((r) => r.errors.length === 0)).toBe(true);
    expect(rows[0]?.input).toEqual({
      firstName: 'Ana María',
      lastName: 'Pérez',
      email: 'Ana.Perez@Example.com',
      phone: '+57 300 123 4567',
      country: 'CO',
      profile: 'b2b',
      course: { code: 'DA-101', name: 'Analítica de datos', startDate: '2026-03-15' },
      source: 'import',
      urgency: 'high',
      language: 'es',
    });
    expect(rows[1]?.input).toEqual({
      firstName: 'João',
      lastName: 'Silva',
      email: 'joao@example.com',
      country: 'BR',
      profile: 'b2c',
      course: { code: 'DA-101', name: 'Analítica de datos' },
      source: 'import',
      language: 'pt',
    });
    expect(rows[0]?.raw).toMatchObject({ Nombre: 'Ana María', 'Correo electrónico': 'Ana.Perez@Example.com', Notas: 'llamar tarde' });
  });

  it('gives each bad row its own Spanish errors and row number, and still reads the good rows', async () => {
    const content = csv(
      [
        ENGLISH_HEADER,
        'Ana,Pérez,ana@example.com,,CO,b2b,DA-101,Analítica',
        'Luis,Gómez,luis-at-example.com,,MX,b2c,DA-101,Analítica',
        '',
        'Carla,Ruiz,carla@example.com,,,b2c,DA-101,Analítica',
        'Pedro,Díaz,pedro@example.com,300 123 4567,pe,B2C,DA-101,Analítica',
      ].join('\n'),
    );

    const rows = await readLeadFile({ fileName: 'Leads.CSV', content });

    expect(rows.map((r) => [r.row, r.input === null])).toEqual([
      [2, false],
      [3, true],
      [5, true],
      [6, false],
    ]);
    expect(rows[1]?.errors).toEqual(['Correo: no es un correo válido']);
    expect(rows[2]?.errors).toHaveLength(1);
    expect(rows[2]?.errors[0]).toMatch(/^País: /);
    expect(rows[3]?.input).toMatchObject({ country: 'PE', profile: 'b2c', phone: '300 123 4567', source: 'import' });
  });

  it('reads an Excel file: number and date cells, hyperlinks and formulas', async () => {
    const wb = new Workbook();
    const sheet = wb.addWorksheet('Leads');
    sheet.addRow(['Nombre', 'Apellido', 'Correo', 'Celular', 'País', 'Perfil', 'Curso_Codigo', 'Curso', 'Fecha de inicio', 'LinkedIn', 'Origen', 'ID']);
    sheet.addRow([
      'Ana', 'Pérez', { text: 'ana@example.com', hyperlink: 'mailto:ana@example.com' }, 573001234567, 'México', 'b2b',
      { formula: '"DA-"&"101"', result: 'DA-101' }, 'Analítica', new Date(Date.UTC(2026, 2, 15)),
      { text: 'Ver perfil', hyperlink: 'https://www.linkedin.com/in/ana' }, 'feria', 42,
    ]);
    sheet.addRow([]);
    sheet.addRow(['Luis', 'Gómez', 'luis@example.com', null, 'ES', 'individual', 'DA-101', 'Analítica', null, null, null, null]);
    const content = Buffer.from(await wb.xlsx.writeBuffer());

    const rows = await readLeadFile({ fileName: 'leads.xlsx', content });

    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows.map((r) => r.errors)).toEqual([[], []]);
    expect(rows[0]?.input).toEqual({
      externalId: '42',
      firstName: 'Ana',
      lastName: 'Pérez',
      email: 'ana@example.com',
      phone: '573001234567',
      linkedinUrl: 'https://www.linkedin.com/in/ana',
      country: 'MX',
      profile: 'b2b',
      course: { code: 'DA-101', name: 'Analítica', startDate: '2026-03-15' },
      source: 'feria',
    });
    expect(rows[1]?.input).toMatchObject({ country: 'ES', profile: 'b2c', source: 'import' });
    expect(rows[1]?.input).not.toHaveProperty('phone');
  });

  it('flags a repeated email in the same file, whatever its case', async () => {
    const content = csv(
      [
        ENGLISH_HEADER,
        'Ana,Pérez,ana@example.com,,CO,b2b,DA-101,Analítica',
        'Luis,Gómez,luis@example.com,,MX,b2c,DA-101,Analítica',
        'Ana,Pérez,  ANA@example.com ,,CO,b2b,DA-102,Finanzas',
      ].join('\n'),
    );

    const rows = await readLeadFile({ fileName: 'leads.csv', content });

    expect(rows[0]?.input).not.toBeNull();
    expect(rows[1]?.input).not.toBeNull();
    expect(rows[2]).toMatchObject({ row: 4, input: null, errors: ['Correo: repetido en la fila 2'] });
  });

  it('refuses a file that is not CSV or Excel, even named .csv', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    for (const fileName of ['foto.png', 'leads.csv', 'leads.xlsx']) {
      expect((await fileError(fileName, png)).message).toBe('El archivo debe ser CSV o Excel (.xlsx)');
    }
    expect((await fileError('leads.xlsx', Buffer.from('PK\x03\x04 not really a zip'))).message).toBe(
      'El archivo debe ser CSV o Excel (.xlsx)',
    );
    expect((await fileError('leads.txt', csv(`${ENGLISH_HEADER}\n`))).message).toBe('El archivo debe ser CSV o Excel (.xlsx)');
  });

  it('names the required columns that are missing, in Spanish', async () => {
    const content = csv('Nombre;Apellido;Email;Curso\nAna;Pérez;ana@example.com;Analítica\n');

    const err = await fileError('leads.csv', content);

    expect(err.name).toBe('LeadFileError');
    expect(err.message).toBe('Faltan columnas obligatorias: País, Perfil, Código del curso');
  });

  it('refuses an empty file and one with too many rows', async () => {
    expect((await fileError('leads.csv', csv('\uFEFF\r\n \r\n'))).message).toBe('El archivo está vacío');
    const many = [ENGLISH_HEADER, ...Array.from({ length: 5001 }, (_, i) => `A,B,a${String(i)}@example.com,,CO,b2b,X,Y`)];
    expect((await fileError('leads.csv', csv(many.join('\n')))).message).toBe(
      'El archivo tiene más de 5.000 filas de datos (máximo 5.000); divídelo en varios archivos.',
    );
    // Blank lines are not data: 5,000 leads among many empty lines still fit.
    const spaced = [ENGLISH_HEADER, ...Array.from({ length: 5000 }, (_, i) => `A,B,a${String(i)}@example.com,,CO,b2b,X,Y\n,,,\n`)];
    expect(await readLeadFile({ fileName: 'leads.csv', content: csv(spaced.join('\n')) })).toHaveLength(5000);
  });
});

describe('readLeadFile limits: a file past one stops while it is read, with a message naming the limit', () => {
  const fileName = (name: BombName) => (name.startsWith('csv') ? 'bomba.csv' : 'bomba.xlsx');

  it.each(Object.keys(bombs) as BombName[])('%s', async (name) => {
    const { file, limit } = bombs[name];
    const content = await file();
    expect(content.length).toBeLessThan(2 * 1024 * 1024);
    expect((await fileError(fileName(name), content)).message).toMatch(limit);
  });

  it('keeps files just inside every limit', async () => {
    const extras = Array.from({ length: 50 - LEAD_HEADER.length }, (_, i) => `nota${String(i + 1)}`);
    const header = [...LEAD_HEADER, ...extras].join(',');
    const row = ['Ana', 'Pérez', 'ana@example.com', '', 'CO', 'b2b', 'DA-101', 'Analítica', ...extras.map(() => 'x'.repeat(1000))].join(',');
    // Excel's CSV export ends lines with the empty cells of formatted columns: they are not columns of data.
    const rows = await readLeadFile({ fileName: 'leads.csv', content: csv(`${header}${','.repeat(200)}\n${row}${','.repeat(300)}\n`) });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.input).toMatchObject({ email: 'ana@example.com' });
    expect(rows[0]?.raw.nota42).toHaveLength(1000);
  });

  it('refuses a column name longer than 200 characters, naming the column', async () => {
    const content = csv(`${ENGLISH_HEADER},${'N'.repeat(201)}\nAna,Pérez,ana@example.com,,CO,b2b,DA-101,Analítica,x\n`);
    expect((await fileError('leads.csv', content)).message).toBe('El nombre de la columna 9 supera los 200 caracteres (máximo 200).');
  });

  it('stops an Excel whose sheet declares its true size before unzipping it', async () => {
    const content = await bombs.xlsxSheetBomb.file();
    const started = Date.now();
    expect((await fileError('bomba.xlsx', content)).message).toMatch(bombs.xlsxSheetBomb.limit);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('counts merged cells against the limits: a merge across 60 columns is 60 columns', async () => {
    const wb = new Workbook();
    const sheet = wb.addWorksheet('Leads');
    sheet.addRow(LEAD_HEADER);
    sheet.addRow(['Ana', 'Pérez', 'ana@example.com', '', 'CO', 'b2b', 'DA-101', 'Analítica']);
    sheet.getCell('I2').value = 'nota';
    sheet.mergeCells('I2:BH2');
    expect((await fileError('leads.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))).message).toBe('El archivo tiene más de 50 columnas (máximo 50).');
  });
});

/** The reader before the limits: exceljs loads the whole workbook, then the first sheet's rows become cells. */
async function exceljsRows(content: Buffer): Promise<SheetRow[]> {
  const wb = new Workbook();
  await wb.xlsx.load(content as unknown as Parameters<typeof wb.xlsx.load>[0]);
  const rows: SheetRow[] = [];
  wb.worksheets[0]?.eachRow({ includeEmpty: false }, (row, number) => {
    const cells = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(fromExcel(row.getCell(col).value));
    rows.push({ number, cells });
  });
  return rows;
}

function fromExcel(value: CellValue | undefined): { text: string; link?: string } {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') return { text: String(value) };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { text: Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10) };
  if ('richText' in value) return { text: value.richText.map((part) => part.text).join('') };
  if ('hyperlink' in value) return { text: fromExcel(value.text as CellValue).text, link: value.hyperlink };
  if ('formula' in value || 'sharedFormula' in value) return fromExcel(value.result);
  if ('error' in value) return { text: value.error };
  return { text: '' };
}

/** Rows as readLeadFile uses them: those with text, without the blank cells that end a row. */
function comparable(rows: SheetRow[]): SheetRow[] {
  return rows
    .filter((r) => r.cells.some((c) => c.text.trim() !== ''))
    .map(({ number, cells }) => {
      const kept = cells.map((c) => (c.link === undefined ? { text: c.text } : { text: c.text, link: c.link }));
      while (kept.length > 0 && kept[kept.length - 1]?.text === '' && kept[kept.length - 1]?.link === undefined) kept.pop();
      return { number, cells: kept };
    });
}

describe('the streaming Excel reader reads good files as exceljs did', () => {
  const same = async (content: Buffer) => {
    const expected = comparable(await exceljsRows(content));
    expect(expected.length).toBeGreaterThan(0);
    expect(comparable(await readXlsx(content))).toEqual(expected);
  };

  it('every kind of cell Excel writes', async () => {
    const wb = new Workbook();
    wb.addWorksheet('Primera');
    const other = wb.getWorksheet('Primera')!;
    const sheet = wb.addWorksheet('Segunda');
    other.addRow(['Nombre', 'Notas', 'Fecha', 'Número', 'Fórmula', 'Enlace', 'Lógico', 'Error']);
    other.addRow([
      { richText: [{ text: 'Ana ' }, { font: { bold: true }, text: 'María' }] }, '  con espacios  \n y salto', new Date(Date.UTC(2026, 2, 15)),
      0.1 + 0.2, { formula: 'D2*2', result: 0.6000000000000001 }, { text: 'Ver perfil', hyperlink: 'https://www.linkedin.com/in/ana' }, true, { error: '#N/A' },
    ]);
    other.addRow([
      '<b>&amp; "comillas"</b>', 'ñandú 日本語 😀', 45000, -1.5e21, { formula: '"A"&"B"', result: 'AB' },
      { text: { richText: [{ text: 'rico' }] }, hyperlink: 'mailto:ana@example.com' }, false, { formula: '1/0', result: { error: '#DIV/0!' } },
    ]);
    other.getCell('C3').numFmt = 'dd/mm/yyyy';
    other.getCell('D2').numFmt = '0.00%';
    other.addRow([]);
    other.addRow(['Luis', null, { formula: 'TODAY()', result: 46000 }, 123456789012, { formula: '1=1', result: true }, null, null, null]);
    other.getCell('C5').numFmt = 'yyyy-mm-dd hh:mm';
    other.getCell('B5').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
    other.getCell('J5').border = { top: { style: 'thin' } };
    other.getCell('A6').value = 'Curso combinado';
    other.mergeCells('A6:A8');
    other.getCell('B7').value = 'fila con combinación';
    other.getCell('C9').value = 'horizontal';
    other.mergeCells('C9:E9');
    other.getCell('F10').value = { sharedFormula: 'E5', result: 7 } as CellValue;
    other.getCell('G11').value = 'oculta';
    other.getRow(11).hidden = true;
    sheet.addRow(['otra hoja']);
    await same(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  it('dates in the 1904 calendar', async () => {
    const wb = new Workbook();
    wb.properties.date1904 = true;
    const sheet = wb.addWorksheet('Leads');
    sheet.addRow(['Inicio', 'Número']);
    sheet.addRow([new Date(Date.UTC(2026, 0, 31)), 1000]);
    await same(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  it('a file from exceljs streaming writer, without shared strings', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = wb.addWorksheet('Leads');
    sheet.addRow(['Nombre', 'Correo', 'Fecha']).commit();
    for (let i = 0; i < 20; i++) sheet.addRow([`Ana & <${String(i)}>`, `ana${String(i)}@example.com`, new Date(Date.UTC(2026, 0, i + 1))]).commit();
    sheet.commit();
    await wb.commit();
    await same(Buffer.concat(chunks));
  });

  it('inline strings, rich inline strings and escaped characters, as other writers produce', async () => {
    const content = await xlsxOf({
      sheet:
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nombre</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>' +
        '<row r="3"><c r="A3" t="inlineStr"><is><r><t>Ana</t></r><r><rPr><b/></rPr><t xml:space="preserve"> María</t></r></is></c>' +
        '<c r="C3" t="b"><v>1</v></c><c r="D3"><v>1.50</v></c><c r="E3" t="e"><v>#REF!</v></c></row>' +
        '</sheetData></worksheet>',
      sharedStrings:
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Línea_x000D_dos</t></si>' +
        '<si><r><t>Ri</t></r><r><t>co</t></r><rPh sb="0" eb="1"><t>fonético</t></rPh></si></sst>',
    });
    await same(content);
  });
});
