// firmware/example/ of a release: what a user needs to build and run the example program from the
// release's files alone (its Makefile, the program, QEMU mps2 startup code and linker scripts).
// The release's own example images are built from this copy, so the shipped steps are the checked ones.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./firmware.js";

const FILES: [from: string, name: string][] = [
  ["tools/firmware/Makefile", "Makefile"],
  ["tools/firmware/el_example.c", "el_example.c"],
  ["tools/m4f/startup.c", "startup.c"],
  ["tools/m4f/mps2-an386.ld", "mps2-an386.ld"],
  ["tools/m4f/small-32k.ld", "small-32k.ld"],
];

/** Copies the example kit to `dir` (created); returns `dir`. */
export function writeExampleKit(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [from, name] of FILES) copyFileSync(join(ROOT, from), join(dir, name));
  return dir;
}
