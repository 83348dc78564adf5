// Whether a command request comes from a page of this server (the CSRF check of commands.ts).
//
// A browser names the page's origin in the Origin header of every cross-site and every POST
// request, and a page cannot forge it. The request's own origin is what its Host header names,
// as long as the browser reaches the server directly. Behind a reverse proxy the browser's
// origin is the proxy's public one while Host is often the internal address the proxy forwards
// to, so http.publicOrigin names the public origin explicitly. X-Forwarded-Host is not trusted
// instead: any client that reaches the port can set it, and which proxy sets it how is not
// known here; a configured origin is one exact value, compared as browsers serialize it.

import type { IncomingMessage } from "node:http";
import { parseOrigin } from "../config/origin.js";

/**
 * True when the request names no origin (not a browser's cross-site request: curl, scripts) or
 * names this server's own: the one of its Host header, or `publicOrigin` (already serialized).
 */
export function fromOwnOrigin(req: IncomingMessage, publicOrigin: string | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (publicOrigin !== undefined && parseOrigin(origin) === publicOrigin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
