// Checkpoint rounds take turns with everything else on the event loop. A round makes its
// snapshots and requests as promise continuations, one after another, which never let the loop go
// round: a round of 10,000 changed devices held it for over a second (every request to the models
// bucket costs the NATS client about 0.1 ms), so lease rounds waited behind it and 3-s leases
// passed their deadlines during a drain. Every round in the process draws on one slice of time
// (per partition, 64 of them would add up to 64 slices); once the slice is spent, each waits for
// the next turn of the event loop, when timers and the replies that arrived meanwhile have run.
// The partition readers do not take such turns: with a wait in their loop over a consumer, two
// workers draining one stream received readings a few at a time (docs/SCALING.md, "Leases under
// load").

/** Work between two turns of the event loop: short beside the shortest lease (1 s). */
export const TURN_SLICE_MS = 20;

export class EventLoopTurns {
  private sliceStart = performance.now();
  private turn: Promise<void> | undefined;

  constructor(private readonly sliceMs: number) {}

  /** True once work has run for a whole slice since the event loop last went round. */
  spent(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  /** Resolves after the event loop went round (timers and I/O ran); one wait shared by all. */
  nextTurn(): Promise<void> {
    this.turn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.turn = undefined;
        this.sliceStart = performance.now();
        resolve();
      }),
    );
    return this.turn;
  }
}

/** The one event loop of this process, shared by every partition owner and reader in it. */
export const eventLoopTurns = new EventLoopTurns(TURN_SLICE_MS);
