// Commands on <output>/<device>/cmd and <output>/cmd.
//
// Payload: a bare word (`reset`) or JSON {"cmd": "reset", "device"?: "x", "id"?: any, ...}.
//   reset     forget what the device learned, keep its configuration; {"purge": true} also
//             deletes its checkpoints
//   snapshot  checkpoint now; host-wide without a device: every device
//   rollback  back to the newest known-good checkpoint, or {"seq": n}
//   health    the device's health (host-wide: the host's)
//   forget    drop the device: model, checkpoints and retained health (a new reading starts it afresh)
// The answer goes to the MQTT 5 response topic with the request's correlation data when given,
// else to topics.reply, else <output>/<device>/reply (<output>/reply host-wide):
//   {"ok": true, "cmd": "snapshot", "device": "x", "id": ..., ...result}
//   {"ok": false, "cmd": "...", "error": "why"}

import type { IPublishPacket } from "mqtt";
import type { Logger } from "../logger.js";
import type { CheckpointMeta } from "../store/types.js";

export const COMMANDS = ["reset", "snapshot", "rollback", "health", "forget"] as const;

/**
 * What the commands need of the service, and nothing more (the Service implements it; this file
 * does not import the service, so the two do not import each other).
 */
export interface CommandTarget {
  readonly pool: { get(name: string): unknown; names(): Iterable<string> };
  /** Set when a checkpoint store is configured. */
  readonly store: unknown;
  readonly storeWrites: { readonly failure: { error: string } | undefined };
  hostHealth(): Record<string, unknown>;
  deviceHealth(name: string): Record<string, unknown> | undefined;
  checkpointMany(names: Iterable<string>): number;
  checkpointDevice(name: string): CheckpointMeta | undefined;
  rollbackDevice(name: string, seq?: number): CheckpointMeta | string;
  forgetDevice(name: string): boolean;
  resetDevice(name: string, purge?: boolean): boolean;
}

export interface CommandContext {
  service: CommandTarget;
  log: Logger;
  reply: (topic: string, payload: string, properties?: IPublishPacket["properties"]) => void;
  defaultReply: (device: string | undefined) => string;
  /** A response topic the reply may go to (not the input topics: the service would read its own reply). */
  replyAllowed: (topic: string) => boolean;
  /** Counts a failed command and logs why (rate-limited). */
  badCommand: (why: () => string) => void;
}

interface Request {
  cmd?: unknown;
  device?: unknown;
  id?: unknown;
  purge?: unknown;
  seq?: unknown;
}

function parse(payload: Uint8Array): Request | string {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8").trim();
  if (text.length > 4096) return "command too long";
  if (/^[a-z_]+$/i.test(text)) return { cmd: text.toLowerCase() };
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return 'expected a command word or {"cmd": ...}';
    return v as Request;
  } catch {
    return 'not JSON; expected a command word or {"cmd": ...}';
  }
}

export function handleCommand(
  ctx: CommandContext,
  topicDevice: string | undefined,
  payload: Uint8Array,
  properties: IPublishPacket["properties"] | undefined,
): void {
  const req = parse(payload);
  const base: Record<string, unknown> = {};
  let device = topicDevice;
  let cmd = "";
  let result: Record<string, unknown> | string;
  if (typeof req === "string") {
    result = req;
  } else {
    if (req.id !== undefined) base.id = req.id;
    if (topicDevice === undefined && typeof req.device === "string") device = req.device;
    cmd = typeof req.cmd === "string" ? req.cmd.toLowerCase() : "";
    result = run(ctx.service, cmd, device, req);
  }
  if (cmd) base.cmd = cmd;
  if (device !== undefined) base.device = device;
  const ok = typeof result !== "string";
  if (!ok) {
    ctx.badCommand(() => `command ${cmd.slice(0, 40) || "(unparsed)"}${device ? ` for ${device.slice(0, 140)}` : ""} failed: ${result}`);
  } else if (cmd === "health") {
    ctx.log.debug(() => `command health${device ? ` for ${device}` : ""} answered`);
  } else {
    ctx.log.info(`command ${cmd}${device ? ` for ${device}` : ""} done`);
  }
  const body = ok ? { ok: true, ...base, ...(result as Record<string, unknown>) } : { ok: false, ...base, error: result };
  const rt = properties?.responseTopic;
  if (rt && !/[#+]/.test(rt) && ctx.replyAllowed(rt)) {
    ctx.reply(rt, JSON.stringify(body), properties?.correlationData ? { correlationData: properties.correlationData } : undefined);
  } else {
    ctx.reply(ctx.defaultReply(topicDevice), JSON.stringify(body));
  }
}

function run(s: CommandTarget, cmd: string, device: string | undefined, req: Request): Record<string, unknown> | string {
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    return `unknown command ${JSON.stringify(cmd).slice(0, 40)} (expected one of: ${COMMANDS.join(", ")})`;
  }
  if (device !== undefined && !s.pool.get(device)) return `unknown device ${JSON.stringify(device).slice(0, 140)}`;
  switch (cmd) {
    case "health":
      return device === undefined ? { health: s.hostHealth() } : { health: s.deviceHealth(device) };
    case "snapshot": {
      if (!s.store) return "no store configured (store.type is none)";
      if (device === undefined) return { checkpoints: s.checkpointMany([...s.pool.names()]) };
      const meta = s.checkpointDevice(device);
      if (!meta) return s.storeWrites.failure ? `the store cannot take checkpoints now (${s.storeWrites.failure.error})` : `device ${device} has no model yet`;
      return { seq: meta.seq, time: meta.time, readings: meta.readings, bytes: meta.bytes, crc: meta.crc, known_good: meta.knownGood };
    }
    case "rollback": {
      if (device === undefined) return "rollback needs a device";
      const seq = typeof req.seq === "number" ? req.seq : undefined;
      const r = s.rollbackDevice(device, seq);
      if (typeof r === "string") return r;
      return { seq: r.seq, time: r.time, readings: r.readings };
    }
    case "forget": {
      if (device === undefined) return "forget needs a device";
      s.forgetDevice(device);
      return {};
    }
    case "reset": {
      if (device === undefined) return "reset needs a device";
      s.resetDevice(device, req.purge === true);
      return { purged: req.purge === true };
    }
  }
  return "unreachable";
}
