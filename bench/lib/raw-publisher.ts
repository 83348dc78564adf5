// A minimal MQTT 3.1.1 publisher for benchmarks: PUBLISH packets encoded by hand and written
// straight to the TCP socket. MQTT.js spends 35–60 µs per publish on this machine (debug
// logging and stream plumbing), which would make the publisher, not the consumer under test,
// the bottleneck; this one costs about a microsecond. PUBACKs are read and ignored.

import { connect, type Socket } from "node:net";

export class RawPublisher {
  private nextId = 1;
  private constructor(private readonly socket: Socket) {}

  /** Connects (clean session) and waits for a successful CONNACK. */
  static async connect(url: string, clientId: string): Promise<RawPublisher> {
    const u = new URL(url);
    const socket = connect(Number(u.port || 1883), u.hostname);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const id = Buffer.from(clientId);
    // Variable header: "MQTT", level 4, flags 0x02 (clean session), keepalive 60 s; then the client id.
    const body = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, id.length >> 8, id.length & 0xff]), id]);
    socket.write(Buffer.concat([Buffer.from([0x10]), varint(body.length), body]));
    await new Promise<void>((resolve, reject) => {
      socket.once("data", (d: Buffer) => (d[0] === 0x20 && d[3] === 0 ? resolve() : reject(new Error(`CONNACK refused: ${d.toString("hex")}`))));
      socket.once("error", reject);
    });
    socket.on("data", () => {}); // PUBACKs
    socket.on("error", () => {});
    return new RawPublisher(socket);
  }

  /** Encodes one PUBLISH packet (no retain, no dup) and queues it on the socket. */
  publish(topic: string, payload: string, qos: 0 | 1): void {
    const t = Buffer.byteLength(topic);
    const p = Buffer.byteLength(payload);
    const rl = 2 + t + (qos ? 2 : 0) + p;
    const head = rl < 128 ? 2 : rl < 16384 ? 3 : 4;
    const b = Buffer.allocUnsafe(head + rl);
    b[0] = 0x30 | (qos << 1);
    let o = 1 + varint(rl).copy(b, 1);
    b.writeUInt16BE(t, o);
    o += 2;
    o += b.write(topic, o);
    if (qos) {
      b.writeUInt16BE(this.nextId, o);
      o += 2;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
    }
    b.write(payload, o);
    this.socket.write(b);
  }

  /** Runs fn with the socket corked, so its packets leave in one write. */
  batch(fn: () => void): void {
    this.socket.cork();
    try {
      fn();
    } finally {
      this.socket.uncork();
    }
  }

  /** Sends DISCONNECT after everything queued and closes the socket. */
  end(): Promise<void> {
    return new Promise((resolve) => this.socket.end(Buffer.from([0xe0, 0]), () => resolve()));
  }
}

/** MQTT variable byte integer. */
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
