/**
 * Shared pieces of the hand-written SVG charts: escaping, number formatting, text-width estimates
 * and the common frame (background, title, "Sin datos").
 *
 * Text is measured by estimate (no font metrics are available when building a string), tuned for
 * DejaVu Sans, the font `svgToPng` prefers; wide enough for Liberation Sans/Arial on the dashboard.
 */

export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";
export const COLORS = {
  background: '#ffffff',
  text: '#1f2937',
  muted: '#6b7280',
  axis: '#d1d5db',
  bar: '#2563eb',
  previous: '#93c5fd',
  funnelNeck: '#dbeafe',
} as const;

export const PAD = 16;
export const FONT_SIZE = 13;
export const SMALL_FONT_SIZE = 11;
export const TITLE_FONT_SIZE = 16;
/** Space taken by the title row; always reserved, so an empty title leaves the layout unchanged. */
export const TITLE_HEIGHT = 32;
export const EMPTY_TEXT = 'Sin datos';

const MIN_SIZE = 100;
const MAX_SIZE = 4096;

/** A finite width/height rounded and kept within sane bounds, or the fallback. */
export function dimension(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(MAX_SIZE, Math.max(MIN_SIZE, Math.round(value)));
}

/** Whether XML 1.0 can carry the code point at all (resvg refuses the whole document otherwise). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000
  );
}

/**
 * User text made single-line and free of what XML cannot carry (control characters, lone
 * surrogates); not yet escaped.
 */
export function cleanText(text: unknown): string {
  return Array.from(String(text ?? ''))
    .filter((ch) => isXmlChar(ch.codePointAt(0) ?? 0))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes for both element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Estimated rendered width of `text` in px; DejaVu Sans averages ~0.6em, digits 0.64em. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  return Array.from(text).length * fontSize * (bold ? 0.68 : 0.62);
}

/** Cuts `text` (already cleaned, not escaped) to fit `maxWidth`, ending in "…" when cut. */
export function truncate(text: string, maxWidth: number, fontSize: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxWidth) return text;
  const chars = Array.from(text);
  const keep = Math.max(0, Math.floor(maxWidth / textWidth('x', fontSize, bold)) - 1);
  return `${chars.slice(0, keep).join('').trimEnd()}…`;
}

const numberFormat = new Intl.NumberFormat('es', { maximumFractionDigits: 1 });

/** "1234,5 %", "12.345 h", "0"; "—" for a value that is not a finite number. */
export function formatValue(value: number, unit?: string): string {
  if (!Number.isFinite(value)) return '—';
  const formatted = numberFormat.format(value);
  const u = cleanText(unit);
  return u ? `${formatted} ${u}` : formatted;
}

/** A finite value or 0, never below 0: what a bar's length is drawn from. */
export function drawable(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

export interface TextOptions {
  x: number;
  y: number;
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'bold';
  fill?: string;
}

/** A <text> element; `content` must be cleaned text (it is escaped here). */
export function text(content: string, { x, y, size = FONT_SIZE, anchor = 'start', weight, fill = COLORS.text }: TextOptions): string {
  const attrs = [`x="${round(x)}"`, `y="${round(y)}"`, `font-size="${size}"`, `fill="${fill}"`];
  if (anchor !== 'start') attrs.push(`text-anchor="${anchor}"`);
  if (weight) attrs.push(`font-weight="${weight}"`);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

export function rect(x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(Math.max(0, width))}" height="${round(Math.max(0, height))}" fill="${fill}"/>`;
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Baseline that vertically centres a line of text of `size` px on `centerY`. */
export function baseline(centerY: number, size: number): number {
  return centerY + size * 0.35;
}

/** The whole document: white background (legible in dark-mode mail clients), accessible title, chart title. */
export function frame({ title, width, height, body }: { title: string; width: number; height: number; body: string[] }): string {
  const cleanTitle = cleanText(title);
  const shownTitle = truncate(cleanTitle, width - 2 * PAD, TITLE_FONT_SIZE, true);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(cleanTitle)}" font-family="${FONT_FAMILY}">`,
    `<title>${escapeXml(cleanTitle)}</title>`,
    rect(0, 0, width, height, COLORS.background),
    shownTitle ? text(shownTitle, { x: PAD, y: PAD + TITLE_FONT_SIZE, size: TITLE_FONT_SIZE, weight: 'bold' }) : '',
    ...body,
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Height of the "Sin datos" chart when the caller gave none. */
export const EMPTY_HEIGHT = PAD + TITLE_HEIGHT + 64 + PAD;

/** The body of a chart with nothing to show: "Sin datos" centred in the plot area. */
export function emptyBody(width: number, height: number): string[] {
  const top = PAD + TITLE_HEIGHT;
  const centerY = top + (height - top - PAD) / 2;
  return [text(EMPTY_TEXT, { x: width / 2, y: baseline(centerY, FONT_SIZE + 1), size: FONT_SIZE + 1, anchor: 'middle', fill: COLORS.muted })];
}
