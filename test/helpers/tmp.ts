// Temporary directories for tests, removed when the test process exits (pass or fail), so a
// test run leaves nothing behind in the system's temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory named edgelearn-<prefix>-XXXXXX under the temp folder. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `edgelearn-${prefix}-`));
  made.push(dir);
  return dir;
}
