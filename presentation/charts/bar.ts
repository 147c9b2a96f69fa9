import {
  COLORS,
  EMPTY_HEIGHT,
  FONT_SIZE,
  PAD,
  SMALL_FONT_SIZE,
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

export interface Bar {
  label: string;
  value: number;
  /** optional previous-period value drawn as a lighter bar beside it */
  previous?: number;
}

export const LEGEND_CURRENT = 'Periodo actual';
export const LEGEND_PREVIOUS = 'Periodo anterior';

const DEFAULT_WIDTH = 600;
const ROW_HEIGHT = 28;
const ROW_HEIGHT_WITH_PREVIOUS = 40;
const LEGEND_HEIGHT = 22;
const GAP = 6;

/**
 * Horizontal bar chart: one row per bar, label on the left (cut with "…" when long), value printed
 * after the bar. `height` defaults to what the rows need; a given height is shared among the rows.
 *
 * Bars are drawn from 0 and scaled to the largest value. Negative values are clamped: the bar has
 * no length but the printed value is the real one (e.g. "-3 %"). All-zero data draws empty rows
 * with "0"; non-finite values print "—". No bars at all: "Sin datos".
 * When any bar has `previous`, a lighter bar under it shows that value and a legend
 * ("Periodo actual" / "Periodo anterior") appears under the title.
 */
export function barChartSvg({
  title,
  bars,
  unit,
  width,
  height,
}: {
  title: string;
  bars: Bar[];
  unit?: string;
  width?: number;
  height?: number;
}): string {
  const w = dimension(width, DEFAULT_WIDTH);
  const rows = (Array.isArray(bars) ? bars : []).filter((row) => row !== null && typeof row === 'object');
  if (rows.length === 0) {
    const h = dimension(height, EMPTY_HEIGHT);
    return frame({ title, width: w, height: h, body: emptyBody(w, h) });
  }

  const hasPrevious = rows.some((b) => b.previous !== undefined && b.previous !== null);
  const top = PAD + TITLE_HEIGHT + (hasPrevious ? LEGEND_HEIGHT : 0);
  const h = dimension(height, top + rows.length * (hasPrevious ? ROW_HEIGHT_WITH_PREVIOUS : ROW_HEIGHT) + PAD);
  const rowH = Math.max(1, (h - top - PAD) / rows.length);

  const labels = rows.map((b) => cleanText(b.label));
  const values = rows.map((b) => formatValue(b.value, unit));
  const previousValues = rows.map((b) => (b.previous === undefined || b.previous === null ? '' : formatValue(b.previous, unit)));

  const labelW = Math.min(Math.max(0, ...labels.map((l) => textWidth(l, FONT_SIZE))), w * 0.4);
  const labelRight = PAD + labelW;
  const x0 = labelRight + (labelW > 0 ? 8 : 0);
  const valueW =
    GAP + Math.max(...values.map((v) => textWidth(v, FONT_SIZE)), ...previousValues.map((v) => textWidth(v, SMALL_FONT_SIZE)));
  const barMax = Math.max(10, w - PAD - valueW - x0);
  const max = Math.max(...rows.flatMap((b) => [drawable(b.value), drawable(b.previous)]));
  const scale = max > 0 ? barMax / max : 0;

  const mainH = Math.min(hasPrevious ? rowH * 0.42 : rowH * 0.64, 24);
  const prevH = Math.min(rowH * 0.28, 14);
  const innerGap = 2;

  const body: string[] = [];
  if (hasPrevious) body.push(...legend(PAD + TITLE_HEIGHT));
  body.push(`<line x1="${round(x0)}" y1="${round(top - 4)}" x2="${round(x0)}" y2="${round(h - PAD + 4)}" stroke="${COLORS.axis}" stroke-width="1"/>`);

  rows.forEach((bar, i) => {
    const cy = top + rowH * (i + 0.5);
    const label = labels[i] ?? '';
    const mainY = hasPrevious ? cy - (mainH + innerGap + prevH) / 2 : cy - mainH / 2;
    const mainLen = drawable(bar.value) * scale;
    const row = [
      `<g>`,
      `<title>${escapeXml(`${label}: ${values[i] ?? ''}`)}</title>`,
      text(truncate(label, labelW, FONT_SIZE), { x: labelRight, y: baseline(cy, FONT_SIZE), anchor: 'end' }),
      rect(x0, mainY, mainLen, mainH, COLORS.bar),
      text(values[i] ?? '', { x: x0 + mainLen + GAP, y: baseline(mainY + mainH / 2, FONT_SIZE) }),
    ];
    const previousText = previousValues[i];
    if (previousText) {
      const prevY = mainY + mainH + innerGap;
      const prevLen = drawable(bar.previous) * scale;
      row.push(
        rect(x0, prevY, prevLen, prevH, COLORS.previous),
        text(previousText, { x: x0 + prevLen + GAP, y: baseline(prevY + prevH / 2, SMALL_FONT_SIZE), size: SMALL_FONT_SIZE, fill: COLORS.muted }),
      );
    }
    row.push('</g>');
    body.push(row.join(''));
  });

  return frame({ title, width: w, height: h, body });
}

function legend(y: number): string[] {
  const size = SMALL_FONT_SIZE;
  const cy = y + 7;
  let x = PAD;
  const out: string[] = [];
  for (const [label, color] of [
    [LEGEND_CURRENT, COLORS.bar],
    [LEGEND_PREVIOUS, COLORS.previous],
  ] as const) {
    out.push(rect(x, cy - 5, 10, 10, color), text(label, { x: x + 14, y: baseline(cy, size), size, fill: COLORS.muted }));
    x += 14 + textWidth(label, size) + 16;
  }
  return out;
}
