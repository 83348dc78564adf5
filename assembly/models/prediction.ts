// What a model kind's predict step tells the pipeline, kept in module globals so a step
// allocates nothing (each kind's predict function sets all of them through setPrediction).

export let predValue: f32 = NaN;
export let predScore: f32 = NaN;
export let predError: f32 = NaN;
export let predExtra: f32 = NaN;
export let predLabel: i32 = -1;
/** The model is still warming up (F_WARMUP). */
export let predWarming: bool = false;
/** An anomalous reading may be kept out of learning (PROTECT). */
export let predMayProtect: bool = true;

export function setPrediction(value: f32, score: f32, error: f32, extra: f32, label: i32, warming: bool, mayProtect: bool): void {
  predValue = value;
  predScore = score;
  predError = error;
  predExtra = extra;
  predLabel = label;
  predWarming = warming;
  predMayProtect = mayProtect;
}
