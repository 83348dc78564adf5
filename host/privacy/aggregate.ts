// What an aggregate may reveal: the one rule every published statistic goes through.
//
// A statistic is published (device health, drift events, command replies, logs, dashboards,
// metrics endpoints) only as a *release*: a copy taken when at least MIN_READINGS readings are
// behind it AND at least MIN_READINGS new readings went into it since the previous release.
// Between releases the published value does not move. Why both conditions:
//   - a mean over 1 reading is the reading; mean ± std over 2 readings are both readings;
//   - a statistic that moves with every reading gives each new reading away by differencing two
//     publications (n·mean_n − (n−1)·mean_{n−1} = y_n), and at a low reading rate every reading
//     gets its own publication. With releases at least MIN_READINGS apart, the difference of any
//     two releases (sum, sum of squares, weighted sum) mixes at least MIN_READINGS readings.
// Never published as aggregates: minimum, maximum, last value, or any statistic over fewer than
// MIN_READINGS readings. Counts (readings, learned, rejected per reason, drifts) are not values
// of readings and are published live.
//
// Per-reading outputs are not aggregates and are documented as what they are: the prediction
// topic carries one prediction (and, for supervised models, one error) per reading, from which
// that reading's target follows (target = prediction + error). It is per-reading data; restrict
// who may read it (docs/SECURITY.md).

/** Readings a published statistic must summarise, and must have moved by since the last release. */
export const MIN_READINGS = 30;

/** May a statistic that summarises `n` readings be published at all? */
export function mayPublish(n: number, min = MIN_READINGS): boolean {
  return Number.isFinite(n) && n >= min;
}

/**
 * The released copy of a set of live statistics. Call `observe` once per reading that went into
 * the live statistics; every `min` readings it asks `release(arg)` for a copy (which may answer
 * undefined while too few readings are behind the statistic: asked again on the next reading).
 * `value` is what may be published; undefined until the first release.
 */
export class ReleasedStats<T> {
  private released: T | undefined;
  private since = 0;

  constructor(readonly min = MIN_READINGS) {
    if (!(min >= 1)) throw new RangeError("ReleasedStats: min must be at least 1");
  }

  /** One more reading went into the live statistics; `release(arg)` is called only when one is due (no closure per reading). */
  observe<A>(release: (arg: A) => T | undefined, arg: A): void {
    if (++this.since < this.min) return;
    const v = release(arg);
    if (v === undefined) return;
    this.released = v;
    this.since = 0;
  }

  /** The last release (undefined: nothing may be published yet). */
  get value(): T | undefined {
    return this.released;
  }

  /**
   * The live statistics were replaced (reset, rollback, a loaded blob): no release until `min`
   * new readings. `forget` also withdraws the last release (it described a model that is gone).
   */
  restart(forget: boolean): void {
    this.since = 0;
    if (forget) this.released = undefined;
  }
}
