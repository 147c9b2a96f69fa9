import { Workbook } from 'exceljs';
import { LeadFileError, readLeadFile } from '../../services/lead-file';

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
    expect((await fileError('leads.csv', csv(many.join('\n')))).message).toMatch(/5001 filas .* máximo es 5000/);
  });
});
