// A small tmpfs for tests of a full disk: mounted under a fresh temp directory, unmounted when the
// test ends. Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./tmp.js";

/** The mount point of a tmpfs of `size` (e.g. "2m"), or undefined after skipping the test. */
export function smallDisk(t: TestContext, prefix: string, size: string): string | undefined {
  const mnt = join(tempDir(prefix), "mnt");
  mkdirSync(mnt);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt], { stdio: "pipe" });
  } catch {
    t.skip("cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)");
    return undefined;
  }
  t.after(() => execFileSync("umount", ["-l", mnt], { stdio: "pipe" }));
  return mnt;
}
