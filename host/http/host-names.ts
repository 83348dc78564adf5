// Which names the server answers to when no credentials are configured (DNS rebinding).
//
// Without credentials, the only thing that keeps the data private is that the server listens on
// loopback. A web page on another site can still get there: its own name, rebound to 127.0.0.1
// after the page loaded, makes the browser send the page's requests to this server as same-origin
// ones, so the page reads their answers. The browser names the page's host in the Host header,
// which the page cannot change, so a request is answered only when Host names this machine
// (localhost, 127.0.0.0/8, ::1), the bound address, or the host of one of http.publicOrigin's
// origins (a reverse proxy that passes the public name on). Hostnames only: a proxy may drop or
// change the port, and the port does not help an attacker who controls a name.
// With credentials configured, they protect the data instead and any Host is answered.

import { isLoopback } from "../config/listen.js";

/** The hostname a Host header names, lower case and without brackets or port; undefined when it is not one. */
export function hostnameOf(host: string): string | undefined {
  try {
    const h = new URL(`http://${host}`);
    if (h.username || h.password || h.pathname !== "/" || h.search || h.hash) return undefined;
    return h.hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

export class HostNames {
  private readonly names: ReadonlySet<string>;

  /** `bound`: the addresses the server listens on (as configured, as bound); `origins`: http.publicOrigin serialized. */
  constructor(bound: readonly string[], origins: ReadonlySet<string>) {
    const names = new Set<string>();
    for (const b of bound) names.add(b.toLowerCase());
    for (const o of origins) {
      const name = hostnameOf(new URL(o).host);
      if (name !== undefined) names.add(name);
    }
    this.names = names;
  }

  /**
   * Whether a request with this Host header may be answered. No Host at all (HTTP/1.0) is not a
   * browser's request: browsers always send one.
   */
  allows(host: string | undefined): boolean {
    if (host === undefined) return true;
    const name = hostnameOf(host);
    return name !== undefined && (isLoopback(name) || this.names.has(name));
  }
}
