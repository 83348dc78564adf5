// The device pool: a bounded set of hot module instances plus every other device at rest as its
// state blob (a few hundred bytes to a few KiB), so thousands of devices fit in little memory.
//
// - `hotInstances` Learner instances (64 KiB of linear memory each) hold the live state of the
//   most recently used devices. Using a device that is not hot parks the least recently used
//   one (snapshot into its blob buffer, reused when the length is unchanged) and loads the
//   other's blob: state is a blob, so a swap is exactly a snapshot and a load, and a device
//   learns bit-identically whether or not it was swapped out between readings.
// - `maxDevices` bounds the number of devices: `add` beyond it returns undefined (the caller
//   counts and refuses the reading); nothing is ever evicted from the pool silently.
// - The pool knows nothing of MQTT or configuration: a device carries an opaque `meta` for its
//   owner (the service keeps its field plan and counters there).

import { Learner, LearnerError, compileLearner, type Kind, type LearnerConfig } from "../learner/index.js";

export interface PoolOptions {
  maxDevices: number;
  hotInstances: number;
  /** The compiled learner (default: build/learner.wasm). */
  module?: WebAssembly.Module;
}

export class PoolDevice<M> {
  /** Hot instance index, or -1 when at rest. */
  slot = -1;
  /** The state when at rest (stale while hot); empty until the device has a model. */
  blob: Uint8Array = EMPTY;
  constructor(
    readonly name: string,
    public meta: M,
  ) {}
  /** True once the device has a model (created or loaded). */
  get hasModel(): boolean {
    return this.slot >= 0 || this.blob.length > 0;
  }
}

const EMPTY = new Uint8Array(0);

export class DevicePool<M> {
  readonly maxDevices: number;
  readonly hotInstances: number;
  private readonly module: WebAssembly.Module;
  private readonly devices = new Map<string, PoolDevice<M>>();
  private readonly learners: Learner[] = [];
  private readonly owners: (PoolDevice<M> | null)[] = [];
  /** Hot devices, least recently used first (Map keeps insertion order). */
  private readonly lru = new Map<PoolDevice<M>, true>();
  private mru: PoolDevice<M> | null = null;
  /** Swaps so far (a device's state loaded into an instance that held another device). */
  swaps = 0;
  private scratch: Learner | undefined;
  private readonly removeListeners: ((d: PoolDevice<M>) => void)[] = [];

  constructor(o: PoolOptions) {
    if (!(o.maxDevices >= 1) || !(o.hotInstances >= 1)) throw new RangeError("maxDevices and hotInstances must be ≥ 1");
    this.maxDevices = o.maxDevices;
    this.hotInstances = o.hotInstances;
    this.module = o.module ?? compileLearner();
  }

  get size(): number {
    return this.devices.size;
  }
  get hot(): number {
    return this.lru.size;
  }
  get full(): boolean {
    return this.devices.size >= this.maxDevices;
  }

  get(name: string): PoolDevice<M> | undefined {
    return this.devices.get(name);
  }
  names(): IterableIterator<string> {
    return this.devices.keys();
  }
  all(): IterableIterator<PoolDevice<M>> {
    return this.devices.values();
  }

  /** A new device without a model yet; undefined when the pool is full (the caller refuses and counts). */
  add(name: string, meta: M): PoolDevice<M> | undefined {
    if (this.devices.has(name)) throw new Error(`device ${name} already in the pool`);
    if (this.devices.size >= this.maxDevices) return undefined;
    const d = new PoolDevice(name, meta);
    this.devices.set(name, d);
    return d;
  }

  /** A learner for checks that must not touch any device (validating blobs, trying configurations). */
  spare(): Learner {
    return (this.scratch ??= new Learner(this.module));
  }

  /** Makes the device hot and returns its learner. The device must have a model. */
  use(d: PoolDevice<M>): Learner {
    if (d.slot >= 0) {
      if (this.mru !== d) {
        this.lru.delete(d);
        this.lru.set(d, true);
        this.mru = d;
      }
      return this.learners[d.slot];
    }
    if (d.blob.length === 0) throw new Error(`device ${d.name} has no model`);
    const slot = this.freeSlot();
    const l = this.learners[slot];
    const r = l.load(d.blob);
    if (r !== 0) throw new LearnerError(r, `load(${d.name})`);
    this.bind(d, slot);
    return l;
  }

  /** Creates a fresh model for the device (replacing any) and makes it hot. Throws LearnerError. */
  create(d: PoolDevice<M>, kind: Kind, nFeatures: number, config?: LearnerConfig): Learner {
    const slot = d.slot >= 0 ? d.slot : this.freeSlot();
    const l = this.learners[slot];
    // On error the instance keeps its previous state: if it was this device's nothing changed,
    // otherwise the slot stays free.
    l.create(kind, nFeatures, config);
    if (d.slot < 0) this.bind(d, slot);
    else this.use(d);
    d.blob = EMPTY;
    return l;
  }

  /** A copy of the device's current state blob (CRC written), or undefined without a model. */
  snapshot(d: PoolDevice<M>): Uint8Array | undefined {
    if (d.slot >= 0) return this.learners[d.slot].snapshot();
    return d.blob.length ? d.blob.slice() : undefined;
  }

  /** Replaces the device's state with `blob` after the module validated it: 0 or an error code. */
  load(d: PoolDevice<M>, blob: Uint8Array): number {
    const v = this.spare().validate(blob);
    if (v !== 0) return v;
    if (d.slot >= 0) {
      const r = this.learners[d.slot].load(blob);
      if (r !== 0) return r;
    } else {
      d.blob = blob.slice();
    }
    return 0;
  }

  /**
   * Calls `f` with each device `remove` is given, before it goes and with its meta, so an owner
   * summing meta counters over the pool can keep what a departing device had counted.
   */
  onRemove(f: (d: PoolDevice<M>) => void): void {
    this.removeListeners.push(f);
  }

  /** Drops the device and its state. */
  remove(d: PoolDevice<M>): void {
    for (const f of this.removeListeners) f(d);
    if (d.slot >= 0) {
      this.owners[d.slot] = null;
      this.lru.delete(d);
      if (this.mru === d) this.mru = null;
      d.slot = -1;
    }
    d.blob = EMPTY;
    this.devices.delete(d.name);
  }

  private bind(d: PoolDevice<M>, slot: number): void {
    this.owners[slot] = d;
    d.slot = slot;
    this.lru.set(d, true);
    this.mru = d;
  }

  private park(d: PoolDevice<M>): void {
    const slot = d.slot;
    const l = this.learners[slot];
    const len = l.stateLength; // snapshotInto computes the CRC once
    if (d.blob.length !== len) d.blob = new Uint8Array(len);
    l.snapshotInto(d.blob);
    this.owners[slot] = null;
    this.lru.delete(d);
    if (this.mru === d) this.mru = null;
    d.slot = -1;
  }

  /** An instance with no owner: a new one while below hotInstances, else the LRU device's, parked. */
  private freeSlot(): number {
    const free = this.owners.indexOf(null);
    if (free >= 0) return free;
    if (this.learners.length < this.hotInstances) {
      this.learners.push(new Learner(this.module));
      this.owners.push(null);
      return this.learners.length - 1;
    }
    const victim = this.lru.keys().next().value as PoolDevice<M>;
    const slot = victim.slot;
    this.park(victim);
    this.swaps++;
    return slot;
  }
}
