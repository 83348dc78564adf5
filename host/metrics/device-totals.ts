// Host-wide totals of the counters the service keeps per device (drifts, rejections by reason).
// A sum over the devices in the pool alone falls when a device is forgotten, and Prometheus reads
// a falling counter as a reset (rate() and increase() then count the whole value again). What a
// device had counted when it left the pool is therefore kept in a retired base.

import { DEVICE_REASONS } from "../codecs/index.js";
import type { Device, Service } from "../service/service.js";

export class DeviceTotals {
  private retiredDrifts = 0;
  private readonly retiredRejected = new Float64Array(DEVICE_REASONS.length);

  constructor(private readonly pool: Service["pool"]) {
    pool.onRemove((d) => this.retire(d));
  }

  /** Drifts detected since this host started, forgotten devices included. */
  drifts(): number {
    let n = this.retiredDrifts;
    for (const d of this.pool.all()) n += d.meta.drifts;
    return n;
  }

  /** Rejected readings per reason (DEVICE_REASONS order) since this host started, forgotten devices included. */
  rejected(): Float64Array {
    const sums = this.retiredRejected.slice();
    for (const d of this.pool.all()) for (let i = 0; i < sums.length; i++) sums[i] += d.meta.rejected[i];
    return sums;
  }

  private retire(d: Device): void {
    this.retiredDrifts += d.meta.drifts;
    for (let i = 0; i < this.retiredRejected.length; i++) this.retiredRejected[i] += d.meta.rejected[i];
  }
}
