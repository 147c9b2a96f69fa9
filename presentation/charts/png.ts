import { existsSync } from 'node:fs';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FONT_FAMILY } from './svg';

/**
 * Fonts for resvg, which draws no text at all without one. The first family whose regular file
 * exists wins (its bold is added when present, for titles); system fonts are loaded as well so that
 * glyphs missing from it (CJK, emoji in a course name) can still fall back to another installed font.
 * With none of these files, system fonts alone are used.
 *
 * Debian/Ubuntu images: `apt-get install --no-install-recommends fonts-dejavu-core`.
 */
export const KNOWN_FONTS: readonly { family: string; regular: string; bold?: string }[] = [
  // Debian / Ubuntu (fonts-dejavu-core)
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
  // Alpine (font-dejavu), Fedora (dejavu-sans-fonts), Arch (ttf-dejavu)
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf' },
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', bold: '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf' },
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/TTF/DejaVuSans.ttf', bold: '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf' },
  // Liberation (fonts-liberation2 / fonts-liberation, liberation-sans-fonts, font-liberation)
  { family: 'Liberation Sans', regular: '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf', bold: '/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf' },
  { family: 'Liberation Sans', regular: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', bold: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf' },
  { family: 'Liberation Sans', regular: '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf', bold: '/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf' },
  { family: 'Liberation Sans', regular: '/usr/share/fonts/liberation/LiberationSans-Regular.ttf', bold: '/usr/share/fonts/liberation/LiberationSans-Bold.ttf' },
  // Noto (fonts-noto-core)
  { family: 'Noto Sans', regular: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', bold: '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf' },
  // Developer machines
  { family: 'Arial', regular: '/System/Library/Fonts/Supplemental/Arial.ttf', bold: '/System/Library/Fonts/Supplemental/Arial Bold.ttf' },
  { family: 'Arial', regular: '/Library/Fonts/Arial.ttf', bold: '/Library/Fonts/Arial Bold.ttf' },
  { family: 'Arial', regular: 'C:\\Windows\\Fonts\\arial.ttf', bold: 'C:\\Windows\\Fonts\\arialbd.ttf' },
];

/** The resvg font options for the first known font present, else system fonts only. */
export function resolveFonts(candidates = KNOWN_FONTS, exists: (path: string) => boolean = existsSync): NonNullable<ResvgRenderOptions['font']> {
  const found = candidates.find((c) => exists(c.regular));
  if (!found) return { loadSystemFonts: true };
  const fontFiles = [found.regular, ...(found.bold && exists(found.bold) ? [found.bold] : [])];
  return { loadSystemFonts: true, fontFiles, defaultFontFamily: found.family, sansSerifFamily: found.family };
}

let cachedOptions: ResvgRenderOptions | undefined;
let cachedTextRenders: boolean | undefined;

/** The options every chart is rendered with (fonts resolved once per process). */
export function resvgOptions(): ResvgRenderOptions {
  cachedOptions ??= { font: resolveFonts(), fitTo: { mode: 'original' }, background: '#ffffff', logLevel: 'off' };
  return cachedOptions;
}

/** Whether text comes out as pixels with `options`: draws a word and looks for any ink. */
export function textRenders(options: ResvgRenderOptions = resvgOptions()): boolean {
  const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="24"><text x="2" y="18" font-size="16" font-family="${FONT_FAMILY}">Hola</text></svg>`;
  const pixels = new Resvg(probe, { ...options, background: undefined }).render().pixels;
  for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) return true;
  return false;
}

/**
 * Rasterises an SVG (e.g. from `barChartSvg`) to a PNG of the SVG's width × height, on a white
 * background, for mail clients (attach inline with a `cid`). Rendering runs off the main thread.
 * Throws when the SVG has text but no font is installed: a chart without its labels would mislead.
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  const options = resvgOptions();
  if (/<text[\s>]/.test(svg)) {
    cachedTextRenders ??= textRenders(options);
    if (!cachedTextRenders) {
      throw new Error('svgToPng: no font available to draw text; install one (Debian: apt-get install fonts-dejavu-core)');
    }
  }
  const image = await renderAsync(svg, options);
  return image.asPng();
}
