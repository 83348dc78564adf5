// A TCP proxy between a NATS client and a nats-server that loses chosen JetStream deliveries on
// their way to the client, as a connection going down with messages in flight does. It reads the
// server's side of the protocol frame by frame (INFO, MSG, HMSG, PING, …) and drops a MSG or HMSG
// whose reply subject is a JetStream acknowledgement ($JS.ACK.<stream>.<consumer>.<count>.
// <stream seq>.…) when `drop` says so; everything else passes unchanged.

import { createServer, connect, type Server, type Socket } from "node:net";

/** What a delivery's reply subject says of the reading it carries. */
export interface Delivery {
  stream: string;
  streamSeq: number;
}

export interface DropProxy {
  url: string;
  /** Deliveries dropped so far. */
  dropped: Delivery[];
  close(): Promise<void>;
}

const CRLF = Buffer.from("\r\n");

/** The delivery a JetStream reply subject names, or undefined for any other reply. */
function parseAckReply(reply: string): Delivery | undefined {
  const t = reply.split(".");
  if (t[0] !== "$JS" || t[1] !== "ACK") return undefined;
  // 9 tokens in the old form, 11 or 12 with domain and account hash
  const o = t.length === 9 ? 2 : 4;
  if (t.length < o + 5) return undefined;
  return { stream: t[o], streamSeq: Number(t[o + 3]) };
}

export async function startDropProxy(upstreamPort: number, drop: (d: Delivery) => boolean): Promise<DropProxy> {
  const dropped: Delivery[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    let buf: Buffer = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const out: Buffer[] = [];
      for (;;) {
        const eol = buf.indexOf(CRLF);
        if (eol < 0) break;
        const line = buf.subarray(0, eol).toString("latin1");
        let frame = eol + 2;
        let reply: string | undefined;
        if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
          // MSG <subject> <sid> [reply] <bytes>; HMSG <subject> <sid> [reply] <header bytes> <bytes>
          const f = line.split(" ");
          const hmsg = f[0] === "HMSG";
          const size = Number(f[f.length - 1]);
          const argc = f.length - 1 - (hmsg ? 2 : 1);
          if (argc === 3) reply = f[3];
          frame += size + 2;
          if (buf.length < frame) break;
        }
        const d = reply === undefined ? undefined : parseAckReply(reply);
        if (d && drop(d)) dropped.push(d);
        else out.push(buf.subarray(0, frame));
        buf = buf.subarray(frame);
      }
      if (out.length) client.write(Buffer.concat(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `nats://127.0.0.1:${port}`,
    dropped,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
