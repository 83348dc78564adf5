// The one dispatch over drift detectors (DRIFT_DETECTOR: ADWIN, Page-Hinkley, DDM). Each
// detector is a file in this folder keeping its whole state at the pointer it is given, with
// the same functions: bytes, init (from the live parameters), update (one value → a level of
// level.ts), count and mean of what it watches.

import {
  DETECTOR_ADWIN, DETECTOR_PAGE_HINKLEY, DETECTOR_DDM, P_ADWIN_DELTA, P_ADWIN_DELTA_WARN, P_PH_DELTA,
  P_PH_LAMBDA, P_PH_ALPHA, P_DDM_WARN, P_DDM_DRIFT,
} from "../abi";
import { param } from "../layout";
import { ADWIN_BYTES, adwinInit, adwinUpdate, adwinWidth, adwinTotal } from "./adwin";
import {
  PH_BYTES, pageHinkleyInit, pageHinkleyUpdate, pageHinkleyCount, pageHinkleyMean, pageHinkleyLoaded,
} from "./page_hinkley";
import { DDM_BYTES, ddmInit, ddmUpdate, ddmCount, ddmRate } from "./ddm";

/** Bytes of detector `det`'s state (0 for none). */
export function detectorBytes(det: i32): i32 {
  return det == DETECTOR_ADWIN ? ADWIN_BYTES : det == DETECTOR_PAGE_HINKLEY ? PH_BYTES : det == DETECTOR_DDM ? DDM_BYTES : 0;
}

/** A fresh detector at d, configured from the live parameters. */
export function detectorInit(det: i32, d: usize): void {
  if (det == DETECTOR_ADWIN) adwinInit(d, param(P_ADWIN_DELTA), param(P_ADWIN_DELTA_WARN), true);
  else if (det == DETECTOR_PAGE_HINKLEY) pageHinkleyInit(d, param(P_PH_DELTA), param(P_PH_LAMBDA), param(P_PH_ALPHA), 1);
  else if (det == DETECTOR_DDM) ddmInit(d, param(P_DDM_WARN), param(P_DDM_DRIFT));
}

/** Feeds one value; returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
@inline export function detectorUpdate(det: i32, d: usize, e: f32): i32 {
  return det == DETECTOR_ADWIN ? adwinUpdate(d, e) : det == DETECTOR_PAGE_HINKLEY ? pageHinkleyUpdate(d, e) : ddmUpdate(d, e);
}

/** A detector state just loaded from a blob: brings one saved by an older form up to date. */
export function detectorLoaded(det: i32, d: usize): void {
  if (det == DETECTOR_PAGE_HINKLEY) pageHinkleyLoaded(d);
}

/** Values the detector currently summarises. */
export function detectorCount(det: i32, d: usize): f32 {
  return <f32>(det == DETECTOR_ADWIN ? adwinWidth(d) : det == DETECTOR_PAGE_HINKLEY ? pageHinkleyCount(d) : ddmCount(d));
}

/** Mean of those values (n: detectorCount, > 0). */
export function detectorMean(det: i32, d: usize, n: f32): f32 {
  return det == DETECTOR_PAGE_HINKLEY ? pageHinkleyMean(d) : det == DETECTOR_ADWIN ? adwinTotal(d) / n : ddmRate(d, n);
}
