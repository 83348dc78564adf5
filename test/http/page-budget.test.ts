// The dashboard's page ticks under many different views: building pages stops at the tick's
// budget, the views not reached go first at the next page tick, so each one's page still comes,
// and a view that asks for a page built in the tick gets it at no cost.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { memoryLogger } from "../../host/logger.js";
import { LiveView, PAGE_BUDGET_MS } from "../../host/http/live.js";
import { parseQuery } from "../../host/http/device-list.js";

/** The part of a response a stream writes to; `pages` counts the page events it was sent, `firsts`
 * holds each page's first device. */
function fakeResponse(): ServerResponse & { pages: number; firsts: string[] } {
  const r = {
    pages: 0,
    firsts: [] as string[],
    writableLength: 0,
    writeHead: () => r,
    setHeader: () => r,
    on: () => r,
    end: () => r,
    write(text: string) {
      if (text.startsWith("event: page\n")) {
        r.pages++;
        r.firsts.push((JSON.parse(text.slice(text.indexOf("data: ") + 6)) as { devices: { name: string }[] }).devices[0].name);
      }
      return true;
    },
  };
  return r as unknown as ServerResponse & { pages: number; firsts: string[] };
}

function fleet(devices: number): Service {
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a"] },
      store: { type: "none" },
      pool: { maxDevices: devices, hotInstances: 16 },
      guard: { enabled: false },
    },
  });
  const svc = new Service(config, { connect: false, publisher: { connected: true, publish: () => {} }, logger: memoryLogger("error").logger }).start();
  for (let d = 0; d < devices; d++) svc.handle(`sensors/dev${d}`, Buffer.from(JSON.stringify({ a: d, y: d })));
  return svc;
}

/** One page tick (the timer pages every fourth tick). */
function pageTick(view: LiveView): void {
  for (let i = 0; i < 4; i++) view.tick();
}

test("a slow page tick builds one new page; the views it did not reach are served first next time", async () => {
  const svc = fleet(300);
  // Every read of this clock is a page build's worth past the budget: each tick can build one page.
  let t = 0;
  const view = new LiveView(svc, () => (t += PAGE_BUDGET_MS));
  const distinct = [0, 50, 100, 150, 200];
  const views = distinct.map((offset) => ({ offset, res: fakeResponse() }));
  const twin = fakeResponse(); // asks for the same page as the view at offset 100
  try {
    for (const v of views) view.open(v.res, parseQuery(new URLSearchParams(`offset=${v.offset}`)), undefined);
    view.open(twin, parseQuery(new URLSearchParams("offset=100")), undefined);
    const all = [...views.map((v) => v.res), twin];
    assert.ok(all.every((r) => r.pages === 1), "each view's first page comes when it opens");

    const servedAt: number[][] = [];
    for (let tick = 0; tick < distinct.length; tick++) {
      const before = views.map((v) => v.res.pages);
      pageTick(view);
      const served = views.flatMap((v, i) => (v.res.pages > before[i] ? [v.offset] : []));
      assert.equal(served.length, 1, `page tick ${tick}: one page built within the budget, got ${served}`);
      servedAt.push(served);
    }
    // Five page ticks served five different views: none was passed over twice.
    assert.deepEqual(servedAt.flat().sort((a, b) => a - b), distinct);
    assert.ok(views.every((v) => v.res.pages === 2), "every view got a fresh page within five page ticks");
    assert.equal(twin.pages, 2, "the twin got its page in the tick that built it");
    assert.deepEqual(twin.firsts, views[2].res.firsts, "the same page as its twin's");
  } finally {
    view.close();
    await svc.stop();
  }
});

test("within the budget every view gets its page at every page tick", async () => {
  const svc = fleet(300);
  const view = new LiveView(svc, () => 0);
  const views = [0, 50, 100, 150].map(() => fakeResponse());
  try {
    views.forEach((r, i) => view.open(r, parseQuery(new URLSearchParams(`offset=${i * 50}`)), undefined));
    for (let tick = 0; tick < 3; tick++) pageTick(view);
    assert.deepEqual(views.map((r) => r.pages), [4, 4, 4, 4]);
    assert.ok(views.every((r) => r.firsts.every((f) => f === r.firsts[0])), "each view its own page every time");
    assert.equal(new Set(views.map((r) => r.firsts[0])).size, 4, "four different pages");
  } finally {
    view.close();
    await svc.stop();
  }
});
