// The contract every benchmark follows, so that `npm run bench` (bench/run.ts) can run them all
// and write bench/results/<name>.json plus one markdown summary table.
//
// A benchmark lives in bench/<name>.bench.ts and default-exports a BenchModule. It prints
// nothing it wants kept: everything goes into the returned rows. Numbers are measured in the
// run itself; ratios compare two things measured in the same run.

export interface BenchOptions {
  /** --quick: the whole suite must finish in under a minute. */
  quick: boolean;
  /** Write progress here (stderr), never to stdout. */
  log: (msg: string) => void;
}

export interface BenchRow {
  /** What was measured, e.g. "readings/s, batch, 8 features, regression". */
  metric: string;
  value: number | string;
  unit?: string;
  /** Goal or reference, e.g. "goal ≥ 10 M/s" or "River published: 0.888". */
  note?: string;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
  /** Anything else worth keeping in the JSON file (raw series, parameters). */
  details?: unknown;
}

export interface BenchModule {
  name: string;
  /** One line saying what it measures. */
  description: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}
