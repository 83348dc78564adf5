// Secrets kept in files (http.tokenFile, http.passwordFile, mqtt.passwordFile). The secret is the
// file's first line without its line end (LF or CRLF) and without surrounding ASCII spaces or
// tabs. Nothing else is trimmed: a U+00A0 or another Unicode space is part of the secret, as it
// is of the header a client sends, so a file can never yield a secret shorter than what it
// visibly holds.
//
// A file must hold at least the minimum length its setting has (schema.ts); an empty file would
// otherwise mean "credentials configured" with a secret anyone can present (HTTP), or a
// connection refused at the broker far from its cause (MQTT).

import { readFileSync } from "node:fs";

/** Removes surrounding ASCII spaces and tabs only (String#trim also strips U+00A0 and friends). */
export function trimAsciiBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** The secret `file` holds (throws what readFileSync throws). */
export function readSecretLine(file: string): string {
  const text = readFileSync(file, "utf8");
  const end = text.indexOf("\n");
  const line = end < 0 ? text : text.slice(0, end);
  return trimAsciiBlanks(line.endsWith("\r") ? line.slice(0, -1) : line);
}

/** Length in characters as JSON Schema's minLength counts them (code points). */
const codePoints = (s: string) => [...s].length;

/**
 * Reads the secret in `file` for the setting at `path` and says why it cannot be used, as
 * "path: message" (never quoting the secret), or gives the secret.
 */
export function readSecretFile(path: string, file: string, minLength: number): { secret: string } | { problem: string } {
  let secret: string;
  try {
    secret = readSecretLine(file);
  } catch (e) {
    return { problem: `${path}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const n = codePoints(secret);
  const atLeast = minLength > 1 ? `, at least ${minLength} characters` : "";
  if (n === 0) return { problem: `${path}: ${file} is empty (its first line must hold the secret${atLeast})` };
  if (n < minLength) return { problem: `${path}: the first line of ${file} has ${n} characters; at least ${minLength} are needed` };
  return { secret };
}
