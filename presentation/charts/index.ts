/**
 * Small charts for the director's weekly report: inline SVG for the web dashboard, PNG (via
 * `svgToPng`) for the email, attached inline with a `cid`. Labels and titles come from the caller
 * (Spanish) and are escaped here; only "Sin datos" and the previous-period legend are built in.
 */
export { barChartSvg, type Bar } from './bar';
export { funnelChartSvg } from './funnel';
export { svgToPng } from './png';
