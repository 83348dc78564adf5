// The HTTP server could not listen on http.listen. The service does not start without it: a
// service without its probes and metrics looks dead to whoever watches it while it learns on. A
// runtime failure (exit 1), not a configuration error: the usual cause, a port still held by the
// instance being restarted, or an address not up yet at boot, passes, and the systemd unit restarts.

/** Why listen() failed, in words, for the errors a setting or another process causes. */
const REASONS: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "address not available on this machine",
};

export class ListenError extends Error {
  constructor(
    /** The setting's value, as written. */
    readonly listen: string,
    /** Node's error code (EADDRINUSE...), or undefined. */
    readonly code: string | undefined,
    cause: Error,
  ) {
    super(`http.listen ${listen}: ${(code && REASONS[code]) ?? cause.message}; set http.listen to a free address, or http.enabled: false`, { cause });
    this.name = "ListenError";
  }
}
