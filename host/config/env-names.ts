// The EDGELEARN_ variables that are not settings, and the name a mistyped variable most likely
// meant. host/config/env.ts refuses every other EDGELEARN_ variable that names no setting.

/**
 * EDGELEARN_ variables the project reads that are not settings. Any other variable with the
 * prefix must name a setting: one that names none is refused at start, as an unknown key in the
 * file is, instead of being ignored (EDGELEARN_MQTTURL would leave mqtt.url at its default without
 * a word). The test and benchmark variables are here because the tests start `edgelearn run` with
 * the environment they were given (CI exports some of them); test/host/config-env-names.test.ts
 * checks this list against the variables the repository reads.
 */
export const NOT_SETTINGS: readonly string[] = [
  "EDGELEARN_CONFIG", // `edgelearn run`: the configuration file when --config is not given
  "EDGELEARN_REQUIRE_ALL", // tests: a missing broker or runtime fails instead of skipping
  "EDGELEARN_DEBUG", // tests: progress lines of the broker outage test
  "EDGELEARN_WASM", // conformance: another module under test
  "EDGELEARN_VECTORS", // conformance: another vector directory
  "EDGELEARN_CARGO_TARGET", // conformance: where the WAMR runner is built
  "EDGELEARN_PACKAGE_FROM_SOURCE", // package test: build better-sqlite3 from source
  "EDGELEARN_NAB_DIR", // benchmarks: the Numenta Anomaly Benchmark corpus
  "EDGELEARN_FUZZ_SEED", // benchmarks: replays one fuzz run
];

/** The variable that sets a setting: `mqtt.clientId` → EDGELEARN_MQTT__CLIENT_ID. */
export function settingVariable(path: readonly string[]): string {
  return "EDGELEARN_" + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("__");
}

/** Case and underscores do not count: EDGELEARN_MQTTURL and EDGELEARN_MQTT__URL differ only there. */
export function norm(s: string): string {
  return s.toLowerCase().replace(/_/g, "");
}

/** Edits (insert, delete, replace one character) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `name` (fewest edits, ignoring case and underscores; the first of a tie). */
export function closest<T extends { variable: string }>(name: string, candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(norm(name), norm(c.variable));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
