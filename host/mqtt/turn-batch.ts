// Holds a socket's writes for the rest of one event-loop turn.
//
// MQTT.js handles each incoming packet in its own process.nextTick and mqtt-packet uncorks the
// socket after every packet it writes, so without this every reading costs one writev syscall
// (a prediction and an ack each time). Corking at the first message of a turn and uncorking in
// setImmediate (after every packet parsed in this turn was handled) sends the predictions and
// acks of a whole TCP read in one write. Order is the socket's own: nothing is reordered, and an
// ack is still written only after its reading was learned.

import type { Duplex } from "node:stream";

export class TurnBatch {
  private held: Duplex | undefined;
  private readonly release = (): void => {
    const s = this.held;
    this.held = undefined;
    if (s && !s.destroyed) s.uncork();
  };

  /** Corks `stream` until the end of this turn (once per turn; a new stream after a reconnect is fine). */
  hold(stream: Duplex | undefined): void {
    if (this.held !== undefined || stream === undefined || typeof stream.cork !== "function") return;
    this.held = stream;
    stream.cork();
    setImmediate(this.release);
  }
}
