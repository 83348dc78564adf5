// Which reading times are believable. A timestamp outside them (a sensor's clock at 0xFFFFFFFF,
// `bt: 1e306` × 1000 overflowing to Infinity, a year-10000 ISO date) is refused as
// `bad_timestamp`: it would print as invalid JSON in a prediction and, as the device's last
// learned time, make every later redelivery look like a duplicate.

/** 2200-01-01T00:00:00Z in Unix ms: later times are refused. */
export const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);

/** Whether a reading time in Unix ms is finite and between 1970 and 2200. */
export function plausibleTimestamp(ms: number): boolean {
  return ms >= 0 && ms <= MAX_TIMESTAMP_MS;
}
