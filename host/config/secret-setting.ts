// A secret given inline or in a file, resolved when a connection or server starts: the file is
// read again then (it may have changed since the configuration was loaded) and refused as the
// loader refuses it, so an emptied file never becomes an empty credential.

import { ConfigError } from "./load.js";
import { readSecretFile } from "./secret-file.js";

/** The inline secret, else the one in its file; throws ConfigError naming the file when that is unusable. */
export function resolveSecret(inline: string | undefined, path: string, file: string | undefined, minLength: number): string | undefined {
  if (inline !== undefined || file === undefined) return inline;
  const r = readSecretFile(path, file, minLength);
  if ("problem" in r) throw new ConfigError([r.problem]);
  return r.secret;
}
