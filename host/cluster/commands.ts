// Commands in cluster mode: the single-host contract (host/service/commands.ts) on the same
// topics, answered by the one worker that owns the device's partition.
//
// Every worker subscribes to <output>/+/cmd and <output>/cmd (NATS subjects, so MQTT publishes
// through nats-server's bridge arrive too). A worker acts only for a device whose partition it
// holds with a valid lease; the others stay silent, so there is exactly one answer. While a
// partition changes hands (a worker was killed and its lease has not yet expired) nobody owns it
// and a command for its devices gets no answer: send it again.
//
// Payload: a bare word or JSON {"cmd", "device"? (on <output>/cmd), "id"?}. Replies go to
// topics.reply, else <output>/<device>/reply, as on a single host (no MQTT 5 response topic:
// nats-server speaks MQTT 3.1.1), and carry the worker's name:
//   health    the device's health (the same object as its retained health)
//   snapshot  write its checkpoint to the models bucket now
//   reset     forget what it learned, keep its configuration; stored at once
//   forget    drop it: model, retained health; a later reading starts it afresh
//   rollback  refused: the models bucket keeps one checkpoint per device, there is none to go back to
// A command on <output>/cmd without a device is answered by the owner of partition 0 with an error.

import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Config } from "../config/types.js";
import type { Logger } from "../logger.js";
import { clusterDeviceHealth } from "./device-health.js";
import type { ClusterLearner } from "./learn.js";
import { partitionOf } from "./names.js";
import { parseCommand, commandName } from "../service/command-payload.js";
import type { PartitionOwner } from "./partition.js";

export const CLUSTER_COMMANDS = ["health", "snapshot", "reset", "forget", "rollback"] as const;

export interface CommandWorker {
  readonly name: string;
  readonly owners: ReadonlyMap<number, PartitionOwner>;
  readonly learner: ClusterLearner;
}

export class ClusterCommands {
  private readonly subs: Subscription[] = [];
  private readonly out: string;
  private readonly partitions: number;
  handled = 0;

  constructor(
    private readonly config: Config,
    private readonly w: CommandWorker,
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.out = config.topics.output;
    this.partitions = config.cluster.partitions;
  }

  /** Subscribes (unless commands are off, or need MQTT 5 user properties the bridge cannot carry). */
  start(): void {
    const c = this.config.commands;
    if (!c.enabled) return;
    if (Object.keys(c.requireUserProperties).length > 0) {
      this.log.warn("commands.requireUserProperties needs MQTT 5 user properties, which nats-server's MQTT 3.1.1 bridge does not carry: commands are off");
      return;
    }
    const base = this.out.replaceAll("/", ".");
    this.subs.push(this.nc.subscribe(`${base}.*.cmd`, { callback: (_e, m) => void this.onMessage(m.subject.slice(base.length + 1, -4), m.data) }));
    this.subs.push(this.nc.subscribe(`${base}.cmd`, { callback: (_e, m) => void this.onMessage(undefined, m.data) }));
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  private async onMessage(topicDevice: string | undefined, payload: Uint8Array): Promise<void> {
    const parsed = parseCommand(payload);
    const req = typeof parsed === "string" ? parsed : { cmd: commandName(parsed), device: typeof parsed.device === "string" ? parsed.device : undefined, id: parsed.id };
    const device = typeof req === "string" ? topicDevice : (topicDevice ?? req.device);
    // Exactly one worker answers: the owner of the device's partition (partition 0 without a device).
    const owner = this.w.owners.get(device === undefined ? 0 : partitionOf(device, this.partitions));
    if (!owner?.live) return;
    const base: Record<string, unknown> = { worker: this.w.name };
    if (typeof req !== "string" && req.id !== undefined) base.id = req.id;
    if (typeof req !== "string" && req.cmd) base.cmd = req.cmd;
    if (device !== undefined) base.device = device;
    let result: Record<string, unknown> | string;
    try {
      result = typeof req === "string" ? req : await this.run(owner, req.cmd, device);
    } catch (e) {
      result = `internal error: ${(e as Error).message}`;
    }
    if (!owner.live) return; // lost the partition meanwhile: the new owner speaks for it now
    const ok = typeof result !== "string";
    if (ok) this.log.info(`command ${base.cmd} for ${device} done`);
    else this.log.warn(`command ${String(base.cmd ?? "(unparsed)").slice(0, 40)}${device ? ` for ${device.slice(0, 140)}` : ""} failed: ${result}`);
    const body = ok ? { ok: true, ...base, ...(result as Record<string, unknown>) } : { ok: false, ...base, error: result };
    const topic = this.config.topics.reply || (topicDevice ? `${this.out}/${topicDevice}/reply` : `${this.out}/reply`);
    this.handled++;
    try {
      this.nc.publish(topic.replaceAll("/", "."), JSON.stringify(body));
    } catch {
      /* connection closed */
    }
  }

  private async run(owner: PartitionOwner, cmd: string, name: string | undefined): Promise<Record<string, unknown> | string> {
    if (!(CLUSTER_COMMANDS as readonly string[]).includes(cmd)) {
      return `unknown command ${JSON.stringify(cmd).slice(0, 40)} (expected one of: ${CLUSTER_COMMANDS.join(", ")})`;
    }
    if (name === undefined) return `in cluster mode a command names its device (on ${this.out}/<device>/cmd, or "device" in the JSON)`;
    const d = owner.device(name);
    if (!d) return `unknown device ${JSON.stringify(name).slice(0, 140)}`;
    switch (cmd) {
      case "health":
        return { health: clusterDeviceHealth(this.w.learner, d, this.w.name, Date.now()) };
      case "snapshot": {
        if (!d.hasModel) return `device ${name} has no model yet`;
        if (!(await owner.checkpointNow(d))) return "the checkpoint was not stored (the partition is changing hands, or the models bucket refused it)";
        const lc = d.meta.lastCheckpoint!;
        return { seq: lc.seq, time: lc.time, readings: lc.readings, bytes: lc.bytes, stream_seq: d.meta.savedSeq, known_good: true };
      }
      case "reset":
        if (!(await owner.reset(d))) return "reset, but not stored (the partition is changing hands): a new owner has the old model";
        return { purged: false };
      case "forget":
        if (!(await owner.forgetDevice(d))) return "not forgotten: the models bucket refused it, the partition is changing hands, or its readings kept arriving";
        return {};
      case "rollback":
        return "rollback is not available in cluster mode: the models bucket keeps one checkpoint per device";
    }
    return "unreachable";
  }
}
