// Namespaced, lazy, injectable logging.
//
// Every component takes a `Logger` and derives its own namespace with `child("pool")`; nothing
// logs through console directly. A message may be a function, evaluated only when its level is
// enabled, so hot paths pay nothing for debug lines. `RateLimitedLog` keeps bad-input warnings
// to one line per key and window, with the count of what it held back.
//
// Log lines carry reasons and counts, never reading values (raw data is never logged).

export type LogLevel = "error" | "warn" | "info" | "debug";
export type LogMessage = string | (() => string);

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  readonly namespace: string;
  enabled(level: LogLevel): boolean;
  error(msg: LogMessage): void;
  warn(msg: LogMessage): void;
  info(msg: LogMessage): void;
  debug(msg: LogMessage): void;
  child(namespace: string): Logger;
}

/** Where formatted lines go: a sink receives level, namespace and the rendered message. */
export type LogSink = (level: LogLevel, namespace: string, message: string) => void;

export interface LoggerOptions {
  level?: LogLevel;
  /** "text" (default): `2026-11-26T16:00:00.000Z warn  edgelearn:pool message`; "json": one object per line. */
  format?: "text" | "json";
  /** Defaults to process.stderr. */
  sink?: LogSink;
}

function stderrSink(format: "text" | "json"): LogSink {
  return (level, ns, message) => {
    const time = new Date().toISOString();
    const line =
      format === "json"
        ? JSON.stringify({ time, level, ns, msg: message })
        : `${time} ${level.padEnd(5)} ${ns} ${message}`;
    process.stderr.write(line + "\n");
  };
}

class BaseLogger implements Logger {
  constructor(
    readonly namespace: string,
    private readonly threshold: number,
    private readonly sink: LogSink,
  ) {}

  enabled(level: LogLevel): boolean {
    return LEVELS[level] <= this.threshold;
  }

  private emit(level: LogLevel, msg: LogMessage): void {
    if (LEVELS[level] > this.threshold) return;
    let text: string;
    try {
      text = typeof msg === "function" ? msg() : msg;
    } catch (e) {
      text = `(log message failed: ${(e as Error).message})`;
    }
    this.sink(level, this.namespace, text);
  }

  error(msg: LogMessage): void { this.emit("error", msg); }
  warn(msg: LogMessage): void { this.emit("warn", msg); }
  info(msg: LogMessage): void { this.emit("info", msg); }
  debug(msg: LogMessage): void { this.emit("debug", msg); }

  child(namespace: string): Logger {
    return new BaseLogger(`${this.namespace}:${namespace}`, this.threshold, this.sink);
  }
}

export function createLogger(namespace = "edgelearn", opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  return new BaseLogger(namespace, LEVELS[level], opts.sink ?? stderrSink(opts.format ?? "text"));
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = new BaseLogger("edgelearn", -1, () => {});

/** Collects lines in memory; for tests that assert on what was logged. */
export function memoryLogger(level: LogLevel = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger("edgelearn", { level, sink: (l, ns, m) => lines.push(`${l} ${ns} ${m}`) });
  return { logger, lines };
}

/**
 * At most one line per key per window; the next line after a quiet spell says how many were
 * held back. Keys are bounded by the caller (reason × a bounded set of topics), and old keys are
 * forgotten after a window without traffic, so this never grows with the stream.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
    private readonly maxKeys = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, msg: () => string): void {
    if (!this.log.enabled("warn")) return;
    const t = this.now();
    const e = this.last.get(key);
    if (e && t - e.at < this.windowMs) {
      e.held++;
      return;
    }
    const held = e ? e.held : 0;
    if (this.last.size >= this.maxKeys && !e) this.prune(t);
    this.last.set(key, { at: t, held: 0 });
    this.log.warn(() => (held > 0 ? `${msg()} (${held} more like this held back)` : msg()));
  }

  private prune(t: number): void {
    for (const [k, e] of this.last) if (t - e.at >= this.windowMs) this.last.delete(k);
    if (this.last.size >= this.maxKeys) this.last.clear();
  }
}
