// Why a store's file could not be opened, when the reason says nothing about its contents: the
// file is left exactly as it was, and the host refuses to start rather than run without it.

export class StoreOpenError extends Error {
  constructor(
    readonly path: string,
    /** SQLite's (extended) result code, e.g. SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_WRITE; or the error's name. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StoreOpenError";
  }
}

/** An error's code: SQLite's (extended) result code or Node's (ENOSPC), else its name; "" for none. */
export function errorCode(e: unknown): string {
  return String((e as { code?: unknown })?.code ?? (e as Error)?.name ?? "");
}
