// What a command message says, for every process that takes commands on `<output>/<device>/cmd`
// and `<output>/cmd` (the single-host service, a cluster worker): a bare word (`reset`) or JSON
// {"cmd": "reset", "device"?: "x", "id"?: any, ...}. Fields are checked by the command that
// reads them.

export interface CommandRequest {
  cmd?: unknown;
  device?: unknown;
  id?: unknown;
  purge?: unknown;
  seq?: unknown;
}

/** The request, or why the payload is not one. */
export function parseCommand(payload: Uint8Array): CommandRequest | string {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8").trim();
  if (text.length > 4096) return "command too long";
  if (/^[a-z_]+$/i.test(text)) return { cmd: text.toLowerCase() };
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return 'expected a command word or {"cmd": ...}';
    return v as CommandRequest;
  } catch {
    return 'not JSON; expected a command word or {"cmd": ...}';
  }
}

/** The command word, lower-cased; "" when there is none. */
export function commandName(req: CommandRequest): string {
  return typeof req.cmd === "string" ? req.cmd.toLowerCase() : "";
}
