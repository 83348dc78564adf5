import { kmBytes, kmInit, kmLearn, kmNearest, kmScore, kmCentre, kmCount, kmD2 } from "../models/kmeans";
import { rseed, rnorm, runi, region } from "./util/rand";

const CX: f32[] = [0, 10, 5];
const CY: f32[] = [0, 0, 9];

describe("sequential k-means", () => {
  it("sizes its state from k and d", () => {
    expect(kmBytes(3, 2)).toBe(16 + 3 * 16);
  });

  it("recovers three separated blobs (even when the first readings share a blob)", () => {
    for (let seed: u32 = 1; seed <= 5; seed++) {
      const p = region(kmBytes(3, 2));
      kmInit(p, 3, 2);
      const x = region(8);
      rseed(seed);
      for (let t = 0; t < 3000; t++) {
        // the first 20 readings all come from blob 0
        const b = t < 20 ? 0 : <i32>(runi() * 3) % 3;
        store<f32>(x, CX[b] + rnorm());
        store<f32>(x, CY[b] + rnorm(), 4);
        kmLearn(p, x, 0, 100);
      }
      // each true centre has a learned centre within 0.3, and the assignment is one-to-one
      let seen = 0;
      for (let b = 0; b < 3; b++) {
        store<f32>(x, CX[b]);
        store<f32>(x, CY[b], 4);
        const c = kmNearest(p, x);
        expect(Mathf.sqrt(kmD2)).toBeLessThan(0.3);
        seen |= 1 << c;
        expect(kmCount(p, c)).toBeGreaterThan(700);
      }
      expect(seen).toBe(7);
    }
  });

  it("scores far readings high and central ones low", () => {
    const p = region(kmBytes(3, 2));
    kmInit(p, 3, 2);
    const x = region(8);
    rseed(4);
    for (let t = 0; t < 3000; t++) {
      const b = <i32>(runi() * 3) % 3;
      store<f32>(x, CX[b] + rnorm());
      store<f32>(x, CY[b] + rnorm(), 4);
      kmLearn(p, x, 0, 100);
    }
    store<f32>(x, 10.2);
    store<f32>(x, 0.1, 4);
    let c = kmNearest(p, x);
    expect(kmScore(p, c, kmD2)).toBeLessThan(0.2);
    store<f32>(x, 5);
    store<f32>(x, -8, 4);
    c = kmNearest(p, x);
    expect(kmScore(p, c, kmD2)).toBeGreaterThan(0.99);
    expect(kmCentre(p, c, 0)).not.toBe(0);
  });
});
