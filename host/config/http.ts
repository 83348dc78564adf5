// Checks of the `http` settings that span fields: credentials come in whole pairs, a bind beyond
// loopback needs them, and commands from the dashboard need them too.

import type { Config } from "./types.js";
import { isLoopback, parseListen } from "./listen.js";
import { parseOrigin, publicOriginEntries } from "./origin.js";

/**
 * Whether any credentials are configured (token, or username with a password). A tokenFile or
 * passwordFile counts on the strength of load.ts refusing one that is unreadable, empty or short.
 */
export function hasCredentials(h: Config["http"]): boolean {
  return h.token !== undefined || h.tokenFile !== undefined || (h.username !== undefined && (h.password !== undefined || h.passwordFile !== undefined));
}

export function checkHttp(h: Config["http"]): string[] {
  const problems: string[] = [];
  if (h.token !== undefined && h.tokenFile !== undefined) problems.push("http.tokenFile: give either token or tokenFile, not both");
  if (h.password !== undefined && h.passwordFile !== undefined) problems.push("http.passwordFile: give either password or passwordFile, not both");
  const hasPassword = h.password !== undefined || h.passwordFile !== undefined;
  if (h.username !== undefined && !hasPassword) problems.push("http.password: basic auth needs a password (or passwordFile) with http.username");
  if (h.username === undefined && hasPassword) problems.push("http.username: basic auth needs a username with the password");
  for (const { path, text } of publicOriginEntries(h.publicOrigin)) {
    if (parseOrigin(text) === undefined) {
      problems.push(`${path}: ${JSON.stringify(text).slice(0, 140)} is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com`);
    }
  }
  if (!h.enabled) return problems;
  const addr = parseListen(h.listen);
  if (typeof addr === "string") {
    problems.push(`http.listen: ${addr}`);
    return problems;
  }
  const creds = hasCredentials(h);
  if (!isLoopback(addr.host) && !creds) {
    problems.push(
      `http.listen: ${h.listen} is reachable from other machines; set http.token (or http.username and http.password) so metrics, dashboard and commands need credentials, or listen on 127.0.0.1`,
    );
  }
  if (h.commands && !creds) problems.push("http.commands: commands from the dashboard need credentials; set http.token (or http.username and http.password)");
  return problems;
}
