// `compare --plot out.svg`: rolling error of the three learners over the rows, the batch models'
// training part shaded and each detected drift marked. Hand-written SVG 1.1, no dependency.

import type { Task } from "./csv.js";
import { rowLoss } from "./report.js";
import type { RunResult } from "./runners.js";

export interface PlotInput {
  task: Task;
  y: Float64Array;
  runs: RunResult[];
  trainRows: number;
  drifts: number[];
  title: string;
  /** Rolling window in rows (default: max(20, n / 50)). */
  window?: number;
}

const COLORS: Record<string, string> = { online: "#1f77b4", offline: "#d62728", periodic: "#2ca02c" };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Trailing moving average of the per-row loss; NaN until a quarter of the window is scored. */
export function rollingLoss(task: Task, y: Float64Array, pred: Float64Array, window: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  const loss = new Float64Array(n);
  let sum = 0, cnt = 0;
  const minCount = Math.max(1, Math.ceil(window / 4));
  for (let i = 0; i < n; i++) {
    loss[i] = rowLoss(task, y[i], pred[i]);
    if (Number.isFinite(loss[i])) { sum += loss[i]; cnt++; }
    if (i >= window && Number.isFinite(loss[i - window])) { sum -= loss[i - window]; cnt--; }
    if (cnt >= minCount) out[i] = sum / cnt;
  }
  return out;
}

/** A round number step so that about `ticks` steps cover `span`. */
function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m >= 5 ? 10 : m >= 2 ? 5 : m >= 1 ? 2 : 1) * p;
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return a < 1e-3 && v !== 0 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export function renderSvg(p: PlotInput): string {
  const n = p.y.length;
  const W = 900, H = 420, L = 70, R = 150, T = 40, B = 50;
  const pw = W - L - R, ph = H - T - B;
  const window = Math.max(1, Math.round(p.window ?? Math.max(20, n / 50)));
  const series = p.runs.map((r) => ({ name: r.name, values: rollingLoss(p.task, p.y, r.predictions, window) }));
  let ymax = 0;
  for (const s of series) for (let i = p.trainRows; i < n; i++) if (s.values[i] > ymax) ymax = s.values[i];
  if (!(ymax > 0)) ymax = 1;
  const step = niceStep(ymax, 5);
  ymax = Math.ceil(ymax / step) * step;
  const sx = (i: number) => L + (n <= 1 ? 0 : (i / (n - 1)) * pw);
  const sy = (v: number) => T + ph - (Math.min(v, ymax) / ymax) * ph;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${L}" y="${T - 16}" font-size="14">${escapeXml(p.title)}</text>`);
  // Training part of the batch models.
  out.push(`<rect x="${L}" y="${T}" width="${(sx(p.trainRows) - L).toFixed(1)}" height="${ph}" fill="#eeeeee"/>`);
  out.push(`<text x="${L + 4}" y="${T + 14}" fill="#666666">batch training part</text>`);
  // Axes and grid.
  for (let v = 0; v <= ymax + step / 2; v += step) {
    const y = sy(v).toFixed(1);
    out.push(`<line x1="${L}" y1="${y}" x2="${L + pw}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<text x="${L - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmtTick(v)}</text>`);
  }
  const xstep = niceStep(Math.max(n - 1, 1), 8);
  for (let i = 0; i < n; i += xstep) {
    out.push(`<text x="${sx(i).toFixed(1)}" y="${T + ph + 18}" text-anchor="middle">${fmtTick(i)}</text>`);
  }
  out.push(`<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="#000000"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="#000000"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 10}" text-anchor="middle">row</text>`);
  const ylabel = `rolling ${p.task === "regression" ? "MAE" : "error rate"} (${window} rows)`;
  out.push(`<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(ylabel)}</text>`);
  // Drifts.
  for (const d of p.drifts) {
    const x = sx(d).toFixed(1);
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${T + ph}" stroke="#ff7f0e" stroke-dasharray="4 3"><title>drift at row ${d}</title></line>`);
  }
  // Series, at most ~2 points per pixel.
  const stride = Math.max(1, Math.floor(n / (2 * pw)));
  for (const s of series) {
    const pts: string[] = [];
    const segs: string[] = [];
    for (let i = 0; i < n; i += stride) {
      const v = s.values[i];
      if (!Number.isFinite(v)) {
        if (pts.length > 1) segs.push(pts.join(" "));
        pts.length = 0;
        continue;
      }
      pts.push(`${sx(i).toFixed(1)},${sy(v).toFixed(1)}`);
    }
    if (pts.length > 1) segs.push(pts.join(" "));
    for (const seg of segs) {
      out.push(`<polyline fill="none" stroke="${COLORS[s.name] ?? "#000000"}" stroke-width="1.5" points="${seg}"/>`);
    }
  }
  // Legend.
  const lx = L + pw + 16;
  series.forEach((s, k) => {
    const y = T + 10 + k * 20;
    out.push(`<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${COLORS[s.name] ?? "#000000"}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  const dy = T + 10 + series.length * 20;
  out.push(`<line x1="${lx}" y1="${dy}" x2="${lx + 24}" y2="${dy}" stroke="#ff7f0e" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${lx + 30}" y="${dy}" dominant-baseline="middle">drift</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
