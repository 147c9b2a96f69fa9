import { Resvg } from '@resvg/resvg-js';
import { barChartSvg, funnelChartSvg, svgToPng, type Bar } from '../../presentation/charts';
import { resolveFonts, resvgOptions } from '../../presentation/charts/png';

const courses: Bar[] = [
  { label: 'Ciencia de Datos & IA', value: 45.55, previous: 38.2 },
  { label: 'Gestión de Proyectos', value: 12 },
];

/** Width and height from the PNG's IHDR chunk, which follows the 8-byte signature. */
const pngSize = (png: Buffer) => ({ chunk: png.toString('latin1', 12, 16), width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

/** How many pixels in rows [fromY, toY) are clearly not white, rendered as svgToPng renders. */
function inkInRows(svg: string, fromY: number, toY: number): number {
  const { pixels, width } = new Resvg(svg, resvgOptions()).render();
  let ink = 0;
  for (let i = fromY * width * 4; i < toY * width * 4; i += 4) if ((pixels[i] ?? 255) < 200) ink++;
  return ink;
}

/** The width of each row's (current-period) bar, top to bottom; each row is a <g>. */
const barRects = (svg: string) =>
  svg
    .split('<g>')
    .slice(1)
    .map((row) => Number(row.match(/<rect [^>]*width="([\d.]+)"[^>]*fill="#2563eb"\/>/)?.[1]));

describe('barChartSvg', () => {
  test('prints escaped labels and values formatted the Spanish way, with the unit', () => {
    const svg = barChartSvg({ title: 'Respuesta por curso', bars: courses, unit: '%' });
    expect(svg).toContain('>Ciencia de Datos &amp; IA</text>');
    expect(svg).not.toContain('Datos & IA');
    expect(svg).toContain('>45,6 %</text>');
    expect(svg).toContain('>38,2 %</text>'); // previous period, under the bar
    expect(svg).toContain('>12 %</text>');
    expect(svg).toContain('>Periodo anterior</text>'); // legend, since a previous value is drawn

    const hours = barChartSvg({ title: 'Horas', bars: [{ label: 'Ana', value: 12345.67 }, { label: 'Luis', value: 0.25 }], unit: 'h' });
    expect(hours).toContain('>12.345,7 h</text>');
    expect(hours).toContain('>0,3 h</text>');
    expect(hours).not.toContain('Periodo anterior');
  });

  test('user text cannot inject markup: labels, title and unit are escaped', () => {
    const svg = barChartSvg({
      title: '<b>Informe</b>',
      unit: '"/><script>',
      bars: [{ label: '<script>alert("x")</script>', value: 1 }],
    });
    expect(svg).not.toMatch(/<script|<b>/);
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(svg).toContain('&lt;b&gt;Informe&lt;/b&gt;');
    // The only elements are the chart's own.
    const tags = new Set([...svg.matchAll(/<([a-z]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['g', 'line', 'rect', 'svg', 'text', 'title']);
  });

  test('characters XML cannot carry (from a pasted spreadsheet cell) do not break the PNG', async () => {
    const svg = barChartSvg({ title: 'Tabla\u0000', bars: [{ label: 'Ana\u0007\tPérez\nRuiz\uD800', value: 3 }] });
    expect(svg).toContain('>Ana Pérez Ruiz</text>');
    await expect(svgToPng(svg)).resolves.toBeInstanceOf(Buffer);
  });

  test('long labels are cut with an ellipsis; the full text stays in the hover title', () => {
    const long = 'Diplomado en Gestión de Proyectos Ágiles con Scrum y Kanban para equipos distribuidos';
    const svg = barChartSvg({ title: 'Cursos', bars: [{ label: long, value: 5 }], width: 500 });
    const shown = svg.match(/text-anchor="end">([^<]*)<\/text>/)?.[1] ?? '';
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.length).toBeLessThan(long.length);
    expect(long.startsWith(shown.slice(0, -1))).toBe(true);
    expect(svg).toContain(`<title>${long}: 5</title>`);
  });

  test('negative values get no bar but print their real value; all-zero data draws no bars and no NaN', () => {
    const svg = barChartSvg({ title: 'Variación', unit: '%', bars: [{ label: 'A', value: -3.25 }, { label: 'B', value: 10 }] });
    expect(svg).toContain('>-3,3 %</text>');
    expect(barRects(svg)).toEqual([0, expect.any(Number)]);
    expect(barRects(svg)[1]).toBeGreaterThan(100);

    const zeros = barChartSvg({ title: 'Nada aún', bars: [{ label: 'A', value: 0 }, { label: 'B', value: 0, previous: 0 }] });
    expect(barRects(zeros)).toEqual([0, 0]);
    expect(zeros).not.toMatch(/NaN|Infinity/);
    expect(zeros.match(/>0<\/text>/g)).toHaveLength(3);
  });

  test('bars scale to the largest value, previous periods included', () => {
    const svg = barChartSvg({ title: 'T', bars: [{ label: 'A', value: 50, previous: 100 }, { label: 'B', value: 25 }] });
    const [a, b] = barRects(svg);
    expect(a).toBeCloseTo(2 * (b ?? 0), 0);
  });
});

describe('funnelChartSvg', () => {
  test('shows each step with its value and its share of the first step', () => {
    const svg = funnelChartSvg({
      title: 'Embudo de <marzo>',
      steps: [
        { label: 'Leads', value: 1200 },
        { label: 'Contactados', value: 800 },
        { label: 'Inscritos & pagados', value: 42 },
      ],
    });
    expect(svg).toContain('&lt;marzo&gt;');
    expect(svg).toContain('>Inscritos &amp; pagados</text>');
    expect(svg).toContain('>1200</text>');
    expect(svg).toContain('>800 (66,7 %)</text>');
    expect(svg).toContain('>42 (3,5 %)</text>');
    const [first, second, third] = barRects(svg);
    expect(first).toBeGreaterThan(second ?? Infinity);
    expect(second).toBeGreaterThan(third ?? Infinity);
  });

  test('a first step of 0 prints no share', () => {
    const svg = funnelChartSvg({ title: 'E', steps: [{ label: 'Leads', value: 0 }, { label: 'Inscritos', value: 0 }] });
    expect(svg).not.toMatch(/%|NaN|Infinity/);
  });
});

describe('no data', () => {
  test.each([
    ['bar chart', barChartSvg({ title: 'Respuesta', bars: [] })],
    ['funnel', funnelChartSvg({ title: 'Embudo', steps: [] })],
  ])('the %s says "Sin datos", and the PNG shows it', async (_, svg) => {
    expect(svg).toContain('>Sin datos</text>');
    const png = await svgToPng(svg);
    expect(pngSize(png)).toMatchObject({ width: 600 });
    // Below the title band, the only ink is the "Sin datos" message.
    expect(inkInRows(svg, 50, pngSize(png).height)).toBeGreaterThan(50);
    expect(inkInRows(svg.replace('>Sin datos<', '><'), 50, pngSize(png).height)).toBe(0);
  });
});

describe('svgToPng', () => {
  test('returns a PNG of the requested size', async () => {
    const png = await svgToPng(barChartSvg({ title: 'Cursos', bars: courses, width: 480, height: 300 }));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ chunk: 'IHDR', width: 480, height: 300 });

    const funnel = await svgToPng(funnelChartSvg({ title: 'Embudo', steps: [{ label: 'Leads', value: 3 }], width: 320, height: 180 }));
    expect(pngSize(funnel)).toEqual({ chunk: 'IHDR', width: 320, height: 180 });
  });

  test('text is drawn: the title appears as pixels in the title band', async () => {
    const withTitle = barChartSvg({ title: 'Informe semanal', bars: courses });
    const withoutTitle = barChartSvg({ title: '', bars: courses });
    // Same layout either way (the title row is always reserved); only the title text differs.
    expect(await svgToPng(withTitle)).not.toEqual(await svgToPng(withoutTitle));
    expect(inkInRows(withTitle, 0, 40)).toBeGreaterThan(100);
    expect(inkInRows(withoutTitle, 0, 40)).toBe(0);
  });
});

describe('font selection', () => {
  test('uses the first known font file present, with its bold, and system fonts for fallback glyphs', () => {
    const present = new Set(['/fonts/b.ttf', '/fonts/b-bold.ttf', '/fonts/c.ttf']);
    const fonts = resolveFonts(
      [
        { family: 'A', regular: '/fonts/a.ttf' },
        { family: 'B', regular: '/fonts/b.ttf', bold: '/fonts/b-bold.ttf' },
        { family: 'C', regular: '/fonts/c.ttf' },
      ],
      (path) => present.has(path),
    );
    expect(fonts).toEqual({
      loadSystemFonts: true,
      fontFiles: ['/fonts/b.ttf', '/fonts/b-bold.ttf'],
      defaultFontFamily: 'B',
      sansSerifFamily: 'B',
    });
  });

  test('with none of them installed, falls back to system fonts', () => {
    expect(resolveFonts([{ family: 'A', regular: '/nowhere/a.ttf' }], () => false)).toEqual({ loadSystemFonts: true });
  });
});
