// A squared standardized distance z² mapped to an anomaly score in [0, 1):
//   score = 1 − exp(−z²/2)   (z = 1 → 0.39, 2 → 0.86, 3 → 0.989, 4 → 0.9997)
// One mapping for every kind, so one threshold means the same thing for the z-score baseline,
// the forecaster's residual and the k-means distance.
import { fexp } from "./util/fmath";

export function z2Score(z2: f32): f32 {
  if (!(z2 > 0)) return 0;
  return <f32>1 - fexp(<f32>-0.5 * z2);
}
