// Whether the store can take checkpoints right now. A write can fail for a while (the disk is
// full, the file cannot grow, an I/O error) and come back: the service keeps learning in memory
// meanwhile, retries at most once per `retryMs` (not on every reading), says so once in the log
// (error when it starts, info when checkpoints resume) and in the host's health.

export interface StoreWriteFailure {
  /** Short cause: "disk full" for SQLITE_FULL/ENOSPC, else the error's message. */
  error: string;
  /** Unix ms of the first failure of this spell. */
  since: number;
  /** Failed attempts in this spell. */
  failures: number;
}

export function isDiskFull(e: unknown): boolean {
  const x = e as { code?: unknown; message?: unknown };
  return x?.code === "SQLITE_FULL" || x?.code === "ENOSPC" || /SQLITE_FULL|database or disk is full|ENOSPC|no space left/i.test(String(x?.message ?? e));
}

export class StoreWriteState {
  private failing: StoreWriteFailure | undefined;
  private retryAt = 0;

  constructor(
    private readonly log: { error(m: string): void; info(m: string): void },
    readonly retryMs = 5000,
  ) {}

  /** May a checkpoint be attempted now? Always when healthy; after a failure, once per retryMs (or when forced). */
  mayTry(now: number, force = false): boolean {
    return !this.failing || force || now >= this.retryAt;
  }

  failed(e: unknown, now: number): void {
    const error = isDiskFull(e) ? "disk full" : String((e as Error)?.message ?? e).slice(0, 200);
    this.retryAt = now + this.retryMs;
    if (this.failing) {
      this.failing.failures++;
      this.failing.error = error;
      return;
    }
    this.failing = { error, since: now, failures: 1 };
    this.log.error(`checkpoint failed: ${error}; learning continues in memory, retrying every ${Math.round(this.retryMs / 1000)} s`);
  }

  succeeded(now: number): void {
    if (!this.failing) return;
    const f = this.failing;
    this.failing = undefined;
    this.log.info(`checkpoints resumed after ${Math.round((now - f.since) / 1000)} s (${f.failures} failed attempts: ${f.error})`);
  }

  /** For health: undefined when writes succeed. */
  get failure(): StoreWriteFailure | undefined {
    return this.failing && { ...this.failing };
  }
}
