// The two version numbers a user of the package needs: the package's (semantic versioning of the
// JavaScript API, the CLI and the configuration) and the state-blob ABI version of the module it
// ships (it migrates version-1 blobs on load and refuses other versions with ERR_VERSION).

import { readFileSync } from "node:fs";
import { ABI_VERSION } from "./learner/abi.js";

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** This package's version (package.json). */
export const PACKAGE_VERSION: string = packageVersion();

/** Both versions together, e.g. { package: "0.1.0", abi: 1 }. */
export const VERSIONS: { readonly package: string; readonly abi: number } = Object.freeze({ package: PACKAGE_VERSION, abi: ABI_VERSION });

export { ABI_VERSION };
