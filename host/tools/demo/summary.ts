// The demo's live summary: one row per simulated device (its health as the service publishes it,
// what the watcher saw of its predictions and drifts, and what the simulator does to it).

import type { Service } from "../../service/service.js";
import type { SimDevice } from "./simulator.js";

/** What a subscriber to the service's outputs saw, per device. */
export interface Watch {
  predictions: Map<string, number>;
  last: Map<string, string>;
  drifts: Map<string, number>;
  /** Predictions flagged `anomaly`. */
  anomalies: Map<string, number>;
}

/** injected: the anomalies the simulator injected so far, per device. */
export function summaryTable(service: Service, devices: SimDevice[], watch: Watch, seconds: number, injected: Map<string, number>): string {
  const rows: string[][] = [["device", "task", "readings", "learned", "rejected", "drifts", "metric", "last prediction", "what happens"]];
  for (const d of devices) {
    const r = service.deviceHealth(d.name);
    const h = r.ok ? (r.value as Record<string, any>) : undefined;
    if (!h) {
      rows.push([d.name, d.task, "0", "0", "", "0", "", "", d.story]);
      continue;
    }
    const rej = Object.entries(h.rejected as Record<string, number>).map(([k, v]) => `${k}:${v}`).join(" ");
    const m = h.metrics as Record<string, number>;
    const flagged = `anomalies ${watch.anomalies.get(d.name) ?? 0}, spikes ${injected.get(d.name) ?? 0}`;
    const metric =
      m.accuracy !== undefined ? `acc ${m.accuracy.toFixed(3)}`
      : m.mae_ew !== undefined ? `mae(ew) ${m.mae_ew.toPrecision(3)}${d.task === "forecast" ? `, ${flagged}` : ""}`
      : d.task === "anomaly" ? flagged
      : "";
    rows.push([d.name, d.task, String(h.readings), String(h.learned), rej, String(watch.drifts.get(d.name) ?? 0), metric, watch.last.get(d.name) ?? "", d.story]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const hh = service.hostHealth() as Record<string, any>;
  const received = [...watch.predictions.values()].reduce((a, b) => a + b, 0);
  lines.push("");
  lines.push(
    `${seconds.toFixed(0)} s  readings ${hh.readings}  learned ${hh.learned}  predictions received ${received}  devices ${hh.devices} (hot ${hh.hot})  dropped ${hh.dropped_predictions}`,
  );
  return lines.join("\n") + "\n";
}
