// In-memory StateStore for tests and for running without persistence. Same semantics as the
// SQLite store: per-device history newest first, bounded to `history` checkpoints plus the newest
// known-good one; blobs are copied in and out so callers can reuse their buffers.

import { headerCrc } from "./blob.js";
import type { CheckpointContext, CheckpointMeta, CheckpointRequest, StateStore, StoredBlob } from "./types.js";

export interface StoreOptions {
  /** Checkpoints kept per device, newest first (default 8). The newest known-good one is kept too. */
  history?: number;
  /** Clock for checkpoint times (default Date.now). */
  now?: () => number;
}

export const DEFAULT_HISTORY = 8;

export function historyBound(o: StoreOptions): number {
  const h = o.history ?? DEFAULT_HISTORY;
  if (!Number.isInteger(h) || h < 1) throw new RangeError(`store history must be an integer ≥ 1, got ${h}`);
  return h;
}

export class MemoryStore implements StateStore {
  private readonly rows = new Map<string, StoredBlob[]>(); // newest first
  private readonly history: number;
  private readonly now: () => number;
  private readonly issues: string[] = [];

  constructor(o: StoreOptions = {}) {
    this.history = historyBound(o);
    this.now = o.now ?? Date.now;
  }

  devices(): string[] {
    return [...this.rows.keys()].sort();
  }

  candidates(device: string): StoredBlob[] {
    return (this.rows.get(device) ?? []).map(copy);
  }

  newest(device: string): StoredBlob | undefined {
    const r = this.rows.get(device)?.[0];
    return r && copy(r);
  }

  checkpoint(device: string, blob: Uint8Array, readings: number, knownGood: boolean): CheckpointMeta {
    return this.add({ device, blob, readings, knownGood });
  }

  checkpointMany(items: CheckpointRequest[]): CheckpointMeta[] {
    return items.map((i) => this.add(i));
  }

  private add(req: CheckpointRequest): CheckpointMeta {
    const { device, blob, readings, knownGood } = req;
    const list = this.rows.get(device) ?? [];
    const meta: CheckpointMeta = {
      device,
      seq: (list[0]?.meta.seq ?? 0) + 1,
      time: this.now(),
      readings,
      crc: headerCrc(blob),
      bytes: blob.length,
      knownGood,
    };
    list.unshift({ meta, blob: blob.slice(), ...context(req) });
    this.prune(device, list);
    return { ...meta };
  }

  lastKnownGood(device: string): StoredBlob | undefined {
    const r = this.rows.get(device)?.find((x) => x.meta.knownGood);
    return r && copy(r);
  }

  markKnownGood(device: string, seq: number): void {
    const r = this.rows.get(device)?.find((x) => x.meta.seq === seq);
    if (r) r.meta.knownGood = true;
    this.prune(device, this.rows.get(device) ?? []);
  }

  private prune(device: string, list: StoredBlob[]): void {
    if (list.length === 0) return;
    const lkg = list.find((r) => r.meta.knownGood);
    this.rows.set(device, list.filter((r, i) => i < this.history || r === lkg));
  }

  remove(device: string): void {
    this.rows.delete(device);
  }

  problems(): string[] {
    return [...this.issues];
  }

  close(): void {}
}

function copy(r: StoredBlob): StoredBlob {
  return { meta: { ...r.meta }, blob: r.blob.slice(), ...context(r) };
}

/** The context fields that are set, copied (the guard's state through JSON, as a file keeps it). */
export function context({ lastTs, features, guard }: CheckpointContext): CheckpointContext {
  return {
    ...(lastTs !== undefined ? { lastTs } : {}),
    ...(features !== undefined ? { features: [...features] } : {}),
    ...(guard !== undefined ? { guard: JSON.parse(JSON.stringify(guard)) as Record<string, unknown> } : {}),
  };
}
