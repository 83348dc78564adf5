// The dashboard in a real browser, served by the demo (what `npm start` runs): the page loads,
// asks for credentials without the demo's token and refuses a command; with the token from the
// printed link the devices appear, a device's chart receives points and a drift marker shows up
// (door-1's label rule flips at reading 500, about 10 s in), and a command works. A screenshot is
// saved as build/test-artifacts/dashboard.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { requireChromium, launchChromium } from "../helpers/chromium.js";
import { waitFor } from "../helpers/mqtt.js";

const ARTIFACTS = "build/test-artifacts";

test("the demo's dashboard: sign-in, devices, live chart, drift marker, commands", { timeout: 120_000 }, async (t) => {
  const bin = requireChromium(t);
  if (!bin) return;
  const demo = spawn(process.execPath, ["bin/edgelearn.js", "demo", "--port", "0", "--http-port", "0", "--quiet", "--duration", "100"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  demo.stderr.on("data", (b) => (stderr += b));
  const exited = new Promise<number | null>((r) => demo.once("exit", (code) => r(code)));
  const browser = await launchChromium(bin);
  try {
    await waitFor(() => /dashboard (http:\S+)#token=(\w+)/.test(stderr), "the demo's dashboard line", 30_000);
    const [, url, token] = /dashboard (http:\S+)#token=(\w+)/.exec(stderr)!;
    const errors: string[] = [];
    const anon = await browser.newPage();
    anon.on("pageerror", (e) => errors.push(e.message));

    // Without the token: the page asks to sign in, and a command is refused.
    await anon.goto(url);
    await anon.locator("#signin").waitFor({ state: "visible" });
    const refused = await anon.evaluate(async () => {
      const r = await fetch("/api/devices/door-1/reset", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(refused.status, 401, JSON.stringify(refused));
    assert.equal(await anon.locator("tbody tr").count(), 0, "no device is shown without credentials");

    // With the link the demo printed (a fresh tab: the same URL with a new fragment would not
    // reload the page): devices, a chart that receives points, a drift marker.
    await anon.close();
    const page = await browser.newPage({ viewport: { width: 1500, height: 820 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}#token=${token}`);
    await page.locator("tbody tr[data-device]").nth(5).waitFor({ timeout: 20_000 });
    assert.ok(!page.url().includes(token), "the token is removed from the address bar");
    const names = await page.locator("tbody tr[data-device]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.device));
    for (const d of ["door-1", "line-1", "line-2", "pump-1"]) assert.ok(names.includes(d), `${d} in ${names.join(", ")}`);
    await page.locator('tbody tr[data-device="door-1"]').click();
    await page.locator("#detail").waitFor({ state: "visible" });
    await page.waitForFunction(() => Number(document.getElementById("chart")!.dataset.points) > 50, undefined, { timeout: 20_000 });
    await page.locator("#markers li.marker-drift").first().waitFor({ timeout: 60_000 });
    await page.locator("canvas").first().waitFor();
    // Search narrows the list on the server.
    await page.fill("#search", "line");
    await page.waitForFunction(() => [...document.querySelectorAll("tbody tr[data-device]")].every((r) => (r as HTMLElement).dataset.device!.startsWith("line")), undefined, { timeout: 10_000 });
    await page.fill("#search", "");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-device]").length >= 6, undefined, { timeout: 10_000 });
    await page.waitForTimeout(1500); // a few more points for the picture
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png` });

    // A command with the token: reset works and shows as a marker.
    await page.locator('.commands button[data-cmd="reset"]').click();
    await page.locator("#cmdresult.ok").waitFor({ timeout: 10_000 });
    await page.locator("#markers li.marker-reset").first().waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, [], "no script errors on the page");
  } finally {
    await browser.close();
    demo.kill("SIGINT");
    await exited;
  }
});
