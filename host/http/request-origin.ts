// Whether a command request comes from a page of this server (the CSRF check of commands.ts).
//
// A browser names the page's origin in the Origin header of every cross-site and every POST
// request, and a page cannot forge it. The request's own origin is what its Host header names,
// as long as the browser reaches the server directly. Behind a reverse proxy the browser's
// origin is the proxy's public one while Host is often the internal address the proxy forwards
// to, so http.publicOrigin names the public origin (or origins) explicitly. X-Forwarded-Host is not trusted
// instead: any client that reaches the port can set it, and which proxy sets it how is not
// known here; each configured origin is one exact value, compared as browsers serialize it (a
// list, for a proxy that serves the dashboard under several names, not a pattern).

import type { IncomingMessage } from "node:http";
import { parseOrigin } from "../config/origin.js";

/**
 * True when the request names no origin (not a browser's cross-site request: curl, scripts) or
 * names this server's own: the one of its Host header, or one of `publicOrigins` (already serialized).
 */
export function fromOwnOrigin(req: IncomingMessage, publicOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const serialized = parseOrigin(origin);
  if (serialized !== undefined && publicOrigins.has(serialized)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
