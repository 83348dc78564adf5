// ISO 8601 reading times → Unix ms, the same on every gateway. Date.parse is not used: it reads a
// time without an offset in the gateway's own time zone (so one payload meant different instants
// on different gateways), rolls an impossible day over (2024-02-30 became 1 March), and falls
// back to an engine-specific parser for anything else. Accepted, and nothing more:
//
//   YYYY-MM-DD                                   midnight UTC
//   YYYY-MM-DD(T| )hh:mm[:ss[.fraction]][offset]  offset Z, ±hh:mm or ±hhmm; none is UTC
//   ... hh:mm:ss[.fraction] ±hhmm[ ABBR]            a space before the offset, an abbreviation
//   ... hh:mm:ss[.fraction] UTC|GMT                 after it (Go's default format); UTC, GMT
//
// T and Z may be lower case; the fraction has any number of digits, cut to whole ms (as
// Date.parse does); 24:00 is the end of the day. The string is read by char code, with no
// allocation: it is on the per-reading path.

const DAY_MS = 86_400_000;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const SPACE = 0x20;
const T_UPPER = 0x54;
const T_LOWER = 0x74;
const Z_UPPER = 0x5a;
const Z_LOWER = 0x7a;

/** The digit at i, or -1 (also past the end, where charCodeAt is NaN). */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The n-digit number at i, or -1 unless all n are digits. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = digit(s, k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). Date.UTC
 * would read years 0–99 as 1900–1999, so year 0070 would pass as 1970.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Letters A–Z from i to the end of s (at least one, at most 5): a zone abbreviation. */
function abbreviationToEnd(s: string, i: number): boolean {
  const n = s.length - i;
  if (n < 1 || n > 5) return false;
  for (let k = i; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/**
 * The offset ending s at i, in minutes east of UTC (none: 0, UTC); NaN if s does not end in one.
 * Also the forms common loggers and languages print (Go's default `2006-01-02 15:04:05 -0700
 * MST`, Python's `str()` of an aware time has no space): a space before the offset, and after a
 * numeric offset a space and a zone abbreviation, which the number makes redundant. A space and
 * `UTC` or `GMT` alone is UTC; any other abbreviation alone (EST: which one?) is refused.
 */
function offsetMinutes(s: string, i: number): number {
  if (i === s.length) return 0;
  let c = s.charCodeAt(i);
  if (c === SPACE) {
    i++;
    if (s.length - i === 3 && (s.startsWith("UTC", i) || s.startsWith("GMT", i))) return 0;
    c = s.charCodeAt(i);
    if (c !== PLUS && c !== DASH) return NaN;
  } else if (c === Z_UPPER || c === Z_LOWER) {
    return i + 1 === s.length ? 0 : NaN;
  }
  if (c !== PLUS && c !== DASH) return NaN;
  const h = digits(s, i + 1, 2);
  const colon = s.charCodeAt(i + 3) === COLON ? 1 : 0;
  const m = digits(s, i + 3 + colon, 2);
  const end = i + 5 + colon;
  if (h < 0 || h > 23 || m < 0 || m > 59) return NaN;
  if (end !== s.length && !(s.charCodeAt(end) === SPACE && abbreviationToEnd(s, end + 1))) return NaN;
  return (c === PLUS ? 1 : -1) * (h * 60 + m);
}

/** An ISO 8601 date or date-time (the forms above) as Unix ms; NaN if it is not one, or not a real day and time. */
export function parseIsoTime(s: string): number {
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  const day = daysFromCivil(y, mo, d) * DAY_MS;
  if (s.length === 10) return day;
  const sep = s.charCodeAt(10);
  if (sep !== T_UPPER && sep !== T_LOWER && sep !== SPACE) return NaN;
  const h = digits(s, 11, 2);
  const min = digits(s, 14, 2);
  if (h < 0 || s.charCodeAt(13) !== COLON || min < 0 || min > 59) return NaN;
  let i = 16;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(i) === COLON) {
    sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 59) return NaN;
    i += 3;
    if (s.charCodeAt(i) === DOT) {
      const start = ++i;
      // Digits weigh 100, 10, 1 ms, then 0: the rest is cut, as Date.parse cuts it.
      for (let scale = 100, f = digit(s, i); f >= 0; f = digit(s, ++i)) {
        ms += f * scale;
        scale = (scale / 10) | 0;
      }
      if (i === start) return NaN;
    }
  }
  if (h > 24 || (h === 24 && (min !== 0 || sec !== 0 || ms !== 0))) return NaN;
  const offset = offsetMinutes(s, i);
  if (Number.isNaN(offset)) return NaN;
  return day + ((h * 60 + min - offset) * 60 + sec) * 1000 + ms;
}
