// When to checkpoint: every N learned readings of a device, or when its oldest unsaved reading
// is T ms old, whichever comes first; and everything dirty on a graceful shutdown. What a crash
// can cost a device is therefore at most N readings or T ms of learning.

export interface CheckpointPolicyOptions {
  /** Checkpoint a device after this many learned readings since its last checkpoint (0: off). */
  everyReadings: number;
  /** Checkpoint a device whose oldest unsaved reading is this old, in ms (0: off). */
  everyMs: number;
}

export const DEFAULT_CHECKPOINT: CheckpointPolicyOptions = { everyReadings: 1000, everyMs: 60_000 };

interface Dirty {
  readings: number;
  since: number;
}

export class CheckpointPolicy {
  private readonly dirty = new Map<string, Dirty>();

  constructor(readonly opts: CheckpointPolicyOptions = DEFAULT_CHECKPOINT) {
    for (const k of ["everyReadings", "everyMs"] as const) {
      const v = opts[k];
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`checkpoint.${k} must be a number ≥ 0, got ${v}`);
    }
    if (opts.everyReadings === 0 && opts.everyMs === 0) {
      throw new RangeError("checkpoint.everyReadings and checkpoint.everyMs cannot both be 0");
    }
  }

  /** Notes one learned reading; true when the device is due for a checkpoint now. */
  learned(device: string, now: number): boolean {
    let d = this.dirty.get(device);
    if (!d) this.dirty.set(device, (d = { readings: 0, since: now }));
    d.readings++;
    return this.opts.everyReadings > 0 && d.readings >= this.opts.everyReadings;
  }

  /** Devices whose oldest unsaved reading has waited `everyMs` (for a periodic timer). */
  dueByTime(now: number): string[] {
    if (this.opts.everyMs <= 0) return [];
    const out: string[] = [];
    for (const [device, d] of this.dirty) if (now - d.since >= this.opts.everyMs) out.push(device);
    return out;
  }

  /**
   * Notes a change to the device's state that is not a learned reading (a reset, a rollback, a
   * loaded blob): it is pending until its next checkpoint, like unsaved learning.
   */
  changed(device: string, now: number): void {
    if (!this.dirty.has(device)) this.dirty.set(device, { readings: 0, since: now });
  }

  /** Every device with unsaved learning (shutdown flush). */
  pending(): string[] {
    return [...this.dirty.keys()];
  }

  unsaved(device: string): number {
    return this.dirty.get(device)?.readings ?? 0;
  }

  /** The device's state was just written (or its checkpoints purged). */
  saved(device: string): void {
    this.dirty.delete(device);
  }

  /** How often a timer should call `dueByTime` (ms): often enough to keep the T bound tight. */
  tickMs(): number {
    return this.opts.everyMs > 0 ? Math.max(50, Math.min(1000, Math.floor(this.opts.everyMs / 4))) : 0;
  }
}
