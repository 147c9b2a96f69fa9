import {
  COLORS,
  EMPTY_HEIGHT,
  FONT_SIZE,
  PAD,
  TITLE_HEIGHT,
  baseline,
  cleanText,
  dimension,
  drawable,
  emptyBody,
  escapeXml,
  formatValue,
  frame,
  rect,
  round,
  text,
  textWidth,
  truncate,
} from './svg';

const DEFAULT_WIDTH = 600;
const ROW_HEIGHT = 38;
const GAP = 8;

/**
 * Funnel: one centred bar per step, top to bottom, width proportional to the step's value (the
 * largest step spans the whole funnel). Label on the left (cut with "…" when long); on the right
 * the value and, from the second step on, its share of the first step: "80 (66,7 %)".
 * A lighter band joins consecutive steps. Negative values are clamped to no width (the real value
 * is still printed); with a first step of 0 no share is printed. No steps: "Sin datos".
 */
export function funnelChartSvg({
  title,
  steps,
  width,
  height,
}: {
  title: string;
  steps: { label: string; value: number }[];
  width?: number;
  height?: number;
}): string {
  const w = dimension(width, DEFAULT_WIDTH);
  const rows = (Array.isArray(steps) ? steps : []).filter((row) => row !== null && typeof row === 'object');
  if (rows.length === 0) {
    const h = dimension(height, EMPTY_HEIGHT);
    return frame({ title, width: w, height: h, body: emptyBody(w, h) });
  }

  const top = PAD + TITLE_HEIGHT;
  const h = dimension(height, top + rows.length * ROW_HEIGHT + PAD);
  const rowH = Math.max(1, (h - top - PAD) / rows.length);
  const barH = Math.min(rowH * 0.72, 30);

  const first = rows[0]?.value ?? 0;
  const labels = rows.map((s) => cleanText(s.label));
  const values = rows.map((s, i) => {
    const value = formatValue(s.value, undefined);
    if (i === 0 || !(Number.isFinite(first) && first > 0) || !Number.isFinite(s.value)) return value;
    return `${value} (${formatValue((s.value / first) * 100, '%')})`;
  });

  const labelW = Math.min(Math.max(0, ...labels.map((l) => textWidth(l, FONT_SIZE))), w * 0.3);
  const labelRight = PAD + labelW;
  const x0 = labelRight + (labelW > 0 ? GAP + 4 : 0);
  const valueW = GAP + Math.max(...values.map((v) => textWidth(v, FONT_SIZE)));
  const funnelW = Math.max(10, w - PAD - valueW - x0);
  const centerX = x0 + funnelW / 2;
  const max = Math.max(...rows.map((s) => drawable(s.value)));
  const scale = max > 0 ? funnelW / max : 0;

  const geometry = rows.map((s, i) => {
    const len = drawable(s.value) * scale;
    const y = top + rowH * (i + 0.5) - barH / 2;
    return { left: centerX - len / 2, right: centerX + len / 2, y };
  });

  const body: string[] = [];
  geometry.forEach((g, i) => {
    const next = geometry[i + 1];
    if (!next || g.right - g.left <= 0 || next.right - next.left <= 0) return;
    const y1 = g.y + barH;
    const y2 = next.y;
    if (y2 <= y1) return;
    const points = [
      [g.left, y1],
      [g.right, y1],
      [next.right, y2],
      [next.left, y2],
    ]
      .map(([x, y]) => `${round(x ?? 0)},${round(y ?? 0)}`)
      .join(' ');
    body.push(`<polygon points="${points}" fill="${COLORS.funnelNeck}"/>`);
  });

  rows.forEach((_, i) => {
    const g = geometry[i];
    if (!g) return;
    const cy = g.y + barH / 2;
    const label = labels[i] ?? '';
    body.push(
      [
        '<g>',
        `<title>${escapeXml(`${label}: ${values[i] ?? ''}`)}</title>`,
        text(truncate(label, labelW, FONT_SIZE), { x: labelRight, y: baseline(cy, FONT_SIZE), anchor: 'end' }),
        rect(g.left, g.y, g.right - g.left, barH, COLORS.bar),
        text(values[i] ?? '', { x: x0 + funnelW + GAP, y: baseline(cy, FONT_SIZE) }),
        '</g>',
      ].join(''),
    );
  });

  return frame({ title, width: w, height: h, body });
}
