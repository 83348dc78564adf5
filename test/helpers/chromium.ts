// Debian's chromium driven by playwright-core (which cannot download its own browsers here).
// Without /usr/bin/chromium the test is skipped, unless EDGELEARN_REQUIRE_ALL=1: then it fails.
// The flags keep a headless chromium from reaching for the network on its own (updates, sync,
// QUIC probes): these tests talk only to loopback. playwright gives each launch a fresh profile.

import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { requireOrSkip } from "./require.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** The binary, or skips the test (undefined); with EDGELEARN_REQUIRE_ALL=1 a missing binary fails it. */
export function requireChromium(t: TestContext): string | undefined {
  const p = chromiumPath();
  if (!p) requireOrSkip(t, "chromium (apt-get install chromium)");
  return p;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
