// The soak (bench/lib/soak.ts) at bench size: readings through Mosquitto into `edgelearn run` over
// 1,000 devices with bad payloads, service SIGTERM/restarts, broker restarts and a full disk;
// readings lost and learned twice, RSS over time. The full 10,000,000-reading soak is
// `node build/scripts/soak.js --readings 10000000` (hours on a small machine).
import { runSoak } from "./lib/soak.js";
import type { BenchModule } from "./types.js";

const bench: BenchModule = {
  name: "soak",
  description: "soak: QoS 1 readings over 1,000 devices through Mosquitto with faults (bad payloads, SIGTERM/restarts, broker restarts, full disk); lost, learned twice, RSS",
  async run({ quick, log }) {
    const r = await runSoak({ readings: quick ? 3_000 : 50_000, devices: quick ? 50 : 1_000, light: quick, log });
    const mib = r.rssMiB.map((s) => s.mib);
    const third = Math.max(1, Math.floor(mib.length / 3));
    return {
      name: "soak",
      rows: [
        { metric: `readings (QoS 1) over ${r.devices} devices, + ${r.badPayloads} bad payloads`, value: r.readings },
        { metric: "readings/s through the faults", value: r.readingsPerSecond },
        { metric: "readings lost", value: r.lost, note: "must be 0 (no SIGKILL in this soak)" },
        { metric: "readings learned twice", value: r.learnedTwice, note: `QoS 1 publisher resends across broker restarts can repeat a reading (${r.publisherInFlightAtBrokerStops} were in flight)` },
        { metric: "redelivered readings refused as duplicates (log lines, lower bound)", value: r.duplicatesRefused },
        { metric: "service SIGTERM/restarts; stop took (ms, max): signal to exit / the host's own", value: `${r.serviceRestarts}; ${Math.max(...r.stopMs)} / ${Math.max(...r.hostStopMs)}` },
        { metric: "stops that had to cut the connection", value: r.forcedStops },
        { metric: "broker restarts", value: r.brokerRestarts },
        { metric: "full disk", value: `${r.diskFull}; ${r.diskFullReported ? `a checkpoint failed and was reported; resumed ${r.checkpointsResumed ? "yes" : "no"}` : "no checkpoint needed new blocks while full"}` },
        { metric: "service RSS, MiB: first third max / last third max", value: `${Math.max(...mib.slice(0, third))} / ${Math.max(...mib.slice(-third))}` },
        { metric: "failures", value: r.failures.length, note: r.failures.join("; ").slice(0, 300) || "none" },
      ],
      details: r,
    };
  },
};
export default bench;
