// The device list's order: a page picked out of the list (firstK) is the page a full sort gives,
// for every order, at shallow and deep offsets, with ties and in an unlucky input order.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SORTS, firstK, listDevices, matchDevices, pageOf } from "../../host/http/device-list.js";
import type { Device } from "../../host/service/service.js";
import { reading, setup } from "./service.js";

test("firstK is the first k of a full sort, whatever the input order", () => {
  const cmp = (a: number, b: number) => a - b;
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const inputs = [Array.from({ length: 3000 }, () => Math.floor(rnd() * 500)), Array.from({ length: 3000 }, (_, i) => 3000 - i), Array.from({ length: 3000 }, (_, i) => i), []];
  for (const items of inputs) {
    for (const k of [0, 1, 5, 50, 256, 257, 375, 376, 2999, 3000, 5000]) {
      assert.deepEqual(firstK([...items], k, cmp), [...items].sort(cmp).slice(0, k), `k ${k} of ${items.length}`);
    }
  }
});

test("every order and offset of the list is the full sort's, ties broken by name", async () => {
  const s = await setup({}, { pool: { maxDevices: 3000, hotInstances: 16 } });
  try {
    // Readings 1 to 5 and 0 to 2 rejections per device: many ties in every numeric order.
    for (let i = 0; i < 3000; i++) {
      const name = `d${(i * 7919) % 3000}`;
      for (let j = 0; j <= i % 5; j++) s.service.handle(`sensors/${name}`, Buffer.from(reading(i + j)));
      for (let j = 0; j < i % 3; j++) s.service.handle(`sensors/${name}`, Buffer.from("{broken"));
    }
    const live = s.running.http!.live;
    const devices = [...s.service.pool.all()];
    const rejected = (d: Device) => [...d.meta.rejected].reduce((a, b) => a + b, 0);
    const key: Record<string, (d: Device) => number> = {
      name: () => 0,
      readings: (d) => d.meta.readings,
      drifts: (d) => d.meta.drifts,
      rejected,
      recent: (d) => live.tracker.activity.get(d.name)?.lastAt ?? 0,
    };
    for (const sort of SORTS) {
      const full = [...devices].sort((a, b) => key[sort](b) - key[sort](a) || (a.name < b.name ? -1 : 1)).map((d) => d.name);
      // Pages of one match, as a page tick shares it: shallow, deep (sorts it), shallow again.
      const shared = matchDevices(s.service, live.tracker, { q: "", sort });
      for (const [offset, limit] of [[0, 50], [50, 50], [200, 56], [250, 50], [0, 500], [2950, 50], [2990, 50], [3000, 50], [0, 50], [100, 50]]) {
        const page = listDevices(s.service, live.tracker, live.metrics, { q: "", offset, limit, sort });
        assert.equal(page.total, 3000);
        assert.deepEqual(page.devices.map((d) => d.name), full.slice(offset, offset + limit), `${sort} from ${offset}`);
        assert.deepEqual(pageOf(shared, live.tracker, live.metrics, { offset, limit }, Date.now()), page, `${sort} from ${offset}, shared match`);
      }
      const found = listDevices(s.service, live.tracker, live.metrics, { q: "d12", offset: 0, limit: 50, sort });
      assert.deepEqual(found.devices.map((d) => d.name), full.filter((n) => n.includes("d12")).slice(0, 50), `${sort}, search`);
    }
  } finally {
    await s.stop();
  }
});
