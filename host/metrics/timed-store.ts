// A StateStore that reports how long each checkpoint write took and whether it failed, without
// the service knowing: it wraps the store the service is given. Reads pass straight through.

import type { CheckpointMeta, CheckpointRequest, StateStore } from "../store/types.js";

export interface CheckpointObserver {
  /** One write (one transaction): seconds taken, checkpoints written (0 when it failed). */
  written(seconds: number, checkpoints: number): void;
  failed(seconds: number): void;
}

export function timedStore(store: StateStore, obs: CheckpointObserver): StateStore {
  const timed = <T>(write: () => T, count: (r: T) => number): T => {
    const t0 = performance.now();
    let r: T;
    try {
      r = write();
    } catch (e) {
      obs.failed((performance.now() - t0) / 1000);
      throw e;
    }
    obs.written((performance.now() - t0) / 1000, count(r));
    return r;
  };
  return {
    devices: () => store.devices(),
    candidates: (d) => store.candidates(d),
    newest: (d) => store.newest(d),
    checkpoint: (device, blob, readings, knownGood): CheckpointMeta =>
      timed(() => store.checkpoint(device, blob, readings, knownGood), () => 1),
    checkpointMany: (items: CheckpointRequest[]): CheckpointMeta[] => timed(() => store.checkpointMany(items), (r) => r.length),
    lastKnownGood: (d) => store.lastKnownGood(d),
    markKnownGood: (d, seq) => store.markKnownGood(d, seq),
    remove: (d) => store.remove(d),
    problems: () => store.problems(),
    close: () => store.close(),
  };
}
