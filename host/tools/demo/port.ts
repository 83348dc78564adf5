// The demo's ports: the usual one when it is free, else any free one (a second demo, or a real
// service already on the machine, must not stop the demo). A port the user chose is different:
// when it cannot be listened on, the demo stops and says whose port it was (PortError).

import { createServer } from "node:net";

/** Whose port: the embedded broker's or the dashboard's (the CLI names the option to change). */
export type PortUse = "broker" | "http";

export const PORT_USE: Record<PortUse, string> = { broker: "the MQTT broker", http: "the dashboard" };

/** A port the demo was told to use cannot be listened on. */
export class PortError extends Error {
  constructor(
    readonly use: PortUse,
    readonly port: number,
    /** EADDRINUSE, EACCES...; undefined when listen() gave none. */
    readonly code: string | undefined,
  ) {
    super(`cannot listen on port ${port} for ${PORT_USE[use]}${code ? ` (${code})` : ""}`);
  }
}

/** The errors of listen() that mean "not this port" rather than a fault of the demo. */
export function isPortRefusal(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "EADDRINUSE" || code === "EACCES";
}

function listenOnce(p: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(p, host, () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

export function portOrFree(preferred: number, host = "127.0.0.1"): Promise<number> {
  return listenOnce(preferred, host).catch(() => listenOnce(0, host));
}

/**
 * Resolves when `port` can be listened on now (checked before anything is started, so a taken
 * port costs nothing to clean up); rejects with a PortError when it is taken or not allowed.
 */
export async function portFree(use: PortUse, port: number, host = "127.0.0.1"): Promise<void> {
  try {
    await listenOnce(port, host);
  } catch (e) {
    throw isPortRefusal(e) ? new PortError(use, port, (e as NodeJS.ErrnoException).code) : e;
  }
}
