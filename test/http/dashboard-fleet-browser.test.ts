// The dashboard with 10,000 devices in a real browser: the first page shows 50 rows and the
// total, paging and search go through the server, and a device found by search opens its chart.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { silentLogger } from "../../host/logger.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { startApp } from "../../host/app/start.js";
import { requireChromium, launchChromium } from "../helpers/chromium.js";

test("10,000 devices: paged list, search, a device's chart", { timeout: 90_000 }, async (t) => {
  const bin = requireChromium(t);
  if (!bin) return;
  const broker = await startBroker(0);
  const config = loadConfig({
    env: {},
    overrides: {
      mqtt: { url: broker.url, protocolVersion: 4, clientId: `fleet-${process.pid}` },
      model: { task: "regression", target: "y", features: ["a"] },
      store: { type: "none" },
      pool: { maxDevices: 10000, hotInstances: 64 },
      http: { listen: "127.0.0.1:0" },
    },
  });
  const running = await startApp(config, { logger: silentLogger });
  const browser = await launchChromium(bin);
  try {
    const s = running.service;
    for (let i = 0; i < 10000; i++) s.handle(`sensors/dev-${String(i).padStart(5, "0")}`, Buffer.from(`{"a": ${i % 7}, "y": ${i % 5}}`));
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(running.http!.url);
    await page.locator("#pageinfo", { hasText: "1–50 of 10000" }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator("tbody tr[data-device]").count(), 50);
    await page.click("#next");
    await page.locator("#pageinfo", { hasText: "51–100 of 10000" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator("tbody tr[data-device]").first().getAttribute("data-device"), "dev-00050");
    await page.fill("#search", "dev-0999");
    await page.locator("#pageinfo", { hasText: "1–10 of 10" }).waitFor({ timeout: 10_000 });
    await page.locator('tbody tr[data-device="dev-09995"]').click();
    await page.locator("#detail").waitFor({ state: "visible" });
    for (let i = 0; i < 20; i++) s.handle("sensors/dev-09995", Buffer.from(`{"a": ${i % 7}, "y": ${i % 5}}`));
    await page.waitForFunction(() => Number(document.getElementById("chart")!.dataset.points) >= 20, undefined, { timeout: 10_000 });
  } finally {
    await browser.close();
    await running.stop();
    await broker.close();
  }
});
