// Learning and checkpoint writing take turns with everything else on the event loop. Readings a
// worker has received reach its partition readers as promise continuations, one after another,
// and a checkpoint round makes its snapshots and requests the same way: none of them lets the
// loop go round. A backlog held the loop for as long as the buffered readings took to learn, and
// each checkpoint round of 10,000 changed devices for over a second more (every request to the
// models bucket cost the NATS client about 0.1 ms then, half that now), so lease rounds waited
// behind them and 3-s leases passed their deadlines during a drain. All of this work in the
// process draws on one slice of time (per partition, 64 of them would add up to 64 slices); once
// the slice is spent, each waits for the next turn of the event loop, when timers and the replies
// that arrived meanwhile have run.

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
