// NAB's scoring rules (../shared/data/nab/README.md), written from the rules:
//  - the first min(floor(0.15 n), 750) rows of a file are probation and not scored;
//  - a detection inside a window earns A_TP · σs(y)/σs(−1), y = −(right − i + 1)/width, and only
//    the best (earliest) detection of a window counts; a window without one costs −A_FN;
//  - a detection outside every window costs A_FP · σs(d), d = (i − previous right)/(previous
//    width − 1), or the full −A_FP before the first window; σs(x) = 2/(1 + e^{5x}) − 1, and −1
//    past x > 3;
//  - one threshold for the whole corpus, the one that maximises the total;
//  - normalised = 100 (S − S_null)/(S_perfect − S_null), S_perfect = windows · A_TP
//    (NAB counts the windows of combined_windows.json here).

export interface Profile {
  name: string;
  tp: number;
  fp: number;
  fn: number;
}

export const PROFILES: Profile[] = [
  { name: "standard", tp: 1, fp: 0.11, fn: 1 },
  { name: "reward_low_FP_rate", tp: 1, fp: 0.22, fn: 1 },
  { name: "reward_low_FN_rate", tp: 1, fp: 0.11, fn: 2 },
];

export function scaledSigmoid(x: number): number {
  return x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1;
}
const MAX_TP = scaledSigmoid(-1);

/** Where each scored row of one file stands, independent of the detector. */
export interface RowPlan {
  /** Per row: corpus-wide window id, −1 outside every window, −2 in probation. */
  window: Int32Array;
  /** Per row: σs-based weight before the profile's A_TP/A_FP (positive in windows). */
  unweighted: Float64Array;
}

export function probationLength(n: number): number {
  return Math.min(Math.floor(0.15 * n), 0.15 * 5000);
}

/** Rows of a file of n rows with the given windows (inclusive row pairs, in order). */
export function planRows(n: number, windows: [number, number][], firstWindowId: number): RowPlan {
  const window = new Int32Array(n).fill(-1);
  const unweighted = new Float64Array(n);
  const probation = probationLength(n);
  let w = 0;
  let prevRight = -1, prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const cur = w < windows.length && i >= windows[w][0] ? windows[w] : undefined;
    if (cur) {
      const width = cur[1] - cur[0] + 1;
      unweighted[i] = scaledSigmoid(-(cur[1] - i + 1) / width) / MAX_TP;
      window[i] = firstWindowId + w;
      if (i === cur[1]) {
        prevRight = i;
        prevWidth = width;
        w++;
      }
    } else {
      unweighted[i] = prevRight < 0 ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i < probation) window[i] = -2;
  }
  return { window, unweighted };
}

export interface ScoredFile {
  plan: RowPlan;
  scores: ArrayLike<number>;
}

export interface SweepResult {
  threshold: number;
  score: number;
  /** Score of the detector that never fires. */
  nullScore: number;
  normalized: number;
  /** Windows detected and false-positive rows at the chosen threshold. */
  hits: number;
  windows: number;
  falsePositives: number;
}

/**
 * NAB's threshold sweep over the whole corpus: rows sorted by score, highest first; after each
 * run of equal scores, the total (best detection per window, else −A_FN, plus every false
 * positive) is a candidate; the best candidate wins.
 */
export function sweep(files: ScoredFile[], profile: Profile, labelCount: number): SweepResult {
  let rows = 0;
  for (const f of files) for (let i = 0; i < f.plan.window.length; i++) if (f.plan.window[i] !== -2) rows++;
  const score = new Float64Array(rows), win = new Int32Array(rows), weight = new Float64Array(rows);
  let k = 0, windowCount = 0;
  for (const f of files) {
    const { window, unweighted } = f.plan;
    for (let i = 0; i < window.length; i++) {
      if (window[i] === -2) continue;
      score[k] = f.scores[i];
      win[k] = window[i];
      weight[k] = unweighted[i] * (window[i] >= 0 ? profile.tp : profile.fp);
      if (window[i] >= 0) windowCount = Math.max(windowCount, window[i] + 1);
      k++;
    }
  }
  // windows that have at least one scored row (a window wholly in probation is not scored)
  const part = new Float64Array(windowCount).fill(NaN);
  for (let r = 0; r < rows; r++) if (win[r] >= 0) part[win[r]] = -profile.fn;
  let total = 0, scoredWindows = 0;
  for (const p of part) if (!Number.isNaN(p)) { total += p; scoredWindows++; }
  const nullScore = total;
  const order = Uint32Array.from({ length: rows }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let best = { threshold: 1.1, score: total, hits: 0, fps: 0 };
  let hits = 0, fps = 0;
  for (let j = 0; j < rows; j++) {
    const r = order[j];
    const w = win[r];
    if (w < 0) {
      total += weight[r];
      fps++;
    } else if (weight[r] > part[w]) {
      if (part[w] === -profile.fn) hits++;
      total += weight[r] - part[w];
      part[w] = weight[r];
    }
    const last = j === rows - 1 || score[order[j + 1]] !== score[r];
    if (last && total > best.score) best = { threshold: score[r], score: total, hits, fps };
  }
  const perfect = labelCount * profile.tp;
  return {
    threshold: best.threshold,
    score: best.score,
    nullScore,
    normalized: (100 * (best.score - nullScore)) / (perfect - nullScore),
    hits: best.hits,
    windows: scoredWindows,
    falsePositives: best.fps,
  };
}
