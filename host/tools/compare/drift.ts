// Host-side drift detection for `edgelearn compare`, used only when the module itself does not
// report drifts: a Page-Hinkley test on the online learner's per-row loss.
//
// The loss is standardized by the mean and standard deviation of the first `warmup` losses after
// each (re)start, so the thresholds are in standard deviations and do not depend on the units
// of the target. An upward shift of the mean loss by more than 2·delta (in sd units) is detected
// after about lambda / (shift − delta) rows.

export interface PageHinkleyOptions {
  /** Tolerated drift of the standardized loss per row (sd units). */
  delta?: number;
  /** Detection threshold (sd units). */
  lambda?: number;
  /** Rows used to learn the loss scale after each (re)start. */
  warmup?: number;
}

export class PageHinkley {
  readonly delta: number;
  readonly lambda: number;
  readonly warmup: number;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private sd = 1;
  private zMean = 0;
  private zCount = 0;
  private cum = 0;
  private min = 0;

  constructor(opts: PageHinkleyOptions = {}) {
    this.delta = opts.delta ?? 0.25;
    this.lambda = opts.lambda ?? 25;
    this.warmup = opts.warmup ?? 100;
  }

  /** Feeds one loss; returns true when a drift is detected at this row (the test then restarts). */
  update(loss: number): boolean {
    if (!Number.isFinite(loss)) return false;
    if (this.n < this.warmup) {
      const c = ++this.n;
      const dlt = loss - this.mean;
      this.mean += dlt / c;
      this.m2 += dlt * (loss - this.mean);
      if (c === this.warmup) this.sd = Math.max(Math.sqrt(this.m2 / Math.max(1, c - 1)), 1e-9 + 1e-6 * Math.abs(this.mean));
      return false;
    }
    const z = (loss - this.mean) / this.sd;
    this.zCount++;
    this.zMean += (z - this.zMean) / this.zCount;
    this.cum += z - this.zMean - this.delta;
    if (this.cum < this.min) this.min = this.cum;
    if (this.cum - this.min > this.lambda) {
      this.reset();
      return true;
    }
    return false;
  }

  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
    this.sd = 1;
    this.zMean = 0;
    this.zCount = 0;
    this.cum = 0;
    this.min = 0;
  }
}
