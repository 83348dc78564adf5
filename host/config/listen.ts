// The HTTP server's `http.listen` setting: "host:port" or "[ipv6]:port", and whether the host is a
// loopback address (the only binds allowed without credentials).

export interface ListenAddress {
  /** Host as given to net.Server#listen (brackets removed). */
  host: string;
  port: number;
}

/** Parses "host:port" / "[v6]:port"; a string says what is wrong. */
export function parseListen(s: string): ListenAddress | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(s);
  if (!m) return `expected host:port or [ipv6]:port, got ${JSON.stringify(s)}`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is above 65535`;
  return { host: m[1] ?? m[2], port };
}

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost": reachable only from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
