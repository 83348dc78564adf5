// An in-process MQTT broker (aedes) on localhost, for the demo and for fast tests.
// aedes 1.x speaks MQTT 3.1.1 (protocol levels 3 and 4) only: clients must use protocolVersion 4.

import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  url: string;
  port: number;
  aedes: Aedes;
  close(): Promise<void>;
}

/** Starts aedes on 127.0.0.1 (port 0: a free port). */
export async function startBroker(port = 0, host = "127.0.0.1"): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    // Small MQTT packets go out at once, as with deploy/mosquitto's set_tcp_nodelay.
    s.setNoDelay(true);
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    aedes.handle(s);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e) {
    // aedes' timers keep the process alive: a broker that never listened must still be closed,
    // or a port in use (the demo's fallback from 1883 too) leaves a process that never exits.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw e;
  }
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${actual}`,
    port: actual,
    aedes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
