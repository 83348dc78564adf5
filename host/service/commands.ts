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
import type { Config } from "../config/types.js";
import { commandRefusal } from "./command-access.js";
import { ok, fail, unknownDevice, type Result } from "./result.js";
import { parseCommand, commandName, type CommandRequest } from "./command-payload.js";

export const COMMANDS = ["reset", "snapshot", "rollback", "health", "forget"] as const;

/**
 * What the commands need of the service, and nothing more (the Service implements it; this file
 * does not import the service, so the two do not import each other). Every operation answers
 * with a Result (result.ts); a failure's `error` is the reply's "error".
 */
export interface CommandTarget {
  readonly pool: { get(name: string): unknown; names(): Iterable<string> };
  hostHealth(): Record<string, unknown>;
  deviceHealth(name: string): Result<Record<string, unknown>>;
  checkpointMany(names: Iterable<string>): Result<number>;
  checkpointDevice(name: string): Result<CheckpointMeta>;
  rollbackDevice(name: string, seq?: number): Result<CheckpointMeta>;
  forgetDevice(name: string): Result<void>;
  resetDevice(name: string, purge?: boolean): Result<{ purged: boolean }>;
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

/** A message on a command topic: `device` undefined for the host-wide topic. */
export type CommandHandler = (topic: string, device: string | undefined, payload: Uint8Array, properties: IPublishPacket["properties"] | undefined) => void;

/** What the reading path hands command topics to: who may command is checked (command-access.ts), then the command runs. */
export function commandHandler(ctx: CommandContext, access: Config["commands"]): CommandHandler {
  return (topic, device, payload, properties) => {
    const refused = commandRefusal(access, properties);
    if (refused !== undefined) return ctx.badCommand(() => `command on ${topic.slice(0, 200)} refused: ${refused}`);
    handleCommand(ctx, device, payload, properties);
  };
}

function handleCommand(
  ctx: CommandContext,
  topicDevice: string | undefined,
  payload: Uint8Array,
  properties: IPublishPacket["properties"] | undefined,
): void {
  const req = parseCommand(payload);
  const base: Record<string, unknown> = {};
  let device = topicDevice;
  let cmd = "";
  let result: Result<Record<string, unknown>>;
  if (typeof req === "string") {
    result = fail("bad_request", req);
  } else {
    if (req.id !== undefined) base.id = req.id;
    if (topicDevice === undefined && typeof req.device === "string") device = req.device;
    cmd = commandName(req);
    result = run(ctx.service, cmd, device, req);
  }
  if (cmd) base.cmd = cmd;
  if (device !== undefined) base.device = device;
  if (!result.ok) {
    const why = result.error;
    ctx.badCommand(() => `command ${cmd.slice(0, 40) || "(unparsed)"}${device ? ` for ${device.slice(0, 140)}` : ""} failed: ${why}`);
  } else if (cmd === "health") {
    ctx.log.debug(() => `command health${device ? ` for ${device}` : ""} answered`);
  } else {
    ctx.log.info(`command ${cmd}${device ? ` for ${device}` : ""} done`);
  }
  const body = result.ok ? { ok: true, ...base, ...result.value } : { ok: false, ...base, error: result.error };
  const rt = properties?.responseTopic;
  if (rt && !/[#+]/.test(rt) && ctx.replyAllowed(rt)) {
    ctx.reply(rt, JSON.stringify(body), properties?.correlationData ? { correlationData: properties.correlationData } : undefined);
  } else {
    ctx.reply(ctx.defaultReply(topicDevice), JSON.stringify(body));
  }
}

/** The reply's fields of a successful operation: `as` turns its value into them. */
function reply<T>(r: Result<T>, as: (value: T) => Record<string, unknown>): Result<Record<string, unknown>> {
  return r.ok ? ok(as(r.value)) : r;
}

function run(s: CommandTarget, cmd: string, device: string | undefined, req: CommandRequest): Result<Record<string, unknown>> {
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    return fail("bad_request", `unknown command ${JSON.stringify(cmd).slice(0, 40)} (expected one of: ${COMMANDS.join(", ")})`);
  }
  if (device !== undefined && !s.pool.get(device)) return unknownDevice(device);
  switch (cmd) {
    case "health":
      return device === undefined ? ok({ health: s.hostHealth() }) : reply(s.deviceHealth(device), (health) => ({ health }));
    case "snapshot":
      if (device === undefined) return reply(s.checkpointMany([...s.pool.names()]), (checkpoints) => ({ checkpoints }));
      return reply(s.checkpointDevice(device), (m) => ({ seq: m.seq, time: m.time, readings: m.readings, bytes: m.bytes, crc: m.crc, known_good: m.knownGood }));
    case "rollback": {
      if (device === undefined) return fail("bad_request", "rollback needs a device");
      const seq = typeof req.seq === "number" ? req.seq : undefined;
      return reply(s.rollbackDevice(device, seq), (m) => ({ seq: m.seq, time: m.time, readings: m.readings }));
    }
    case "forget":
      if (device === undefined) return fail("bad_request", "forget needs a device");
      return reply(s.forgetDevice(device), () => ({}));
    case "reset":
      if (device === undefined) return fail("bad_request", "reset needs a device");
      return reply(s.resetDevice(device, req.purge === true), (r) => ({ purged: r.purged }));
  }
  return fail("bad_request", "unreachable");
}
