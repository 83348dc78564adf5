// Helpers for specs that drive the learner through its exports.
import { input_ptr, learn_one, output_ptr } from "../../index";

export function setX(i: i32, v: f32): void {
  store<f32>(input_ptr() + (<usize>i << 2), v);
}

export function setAll(n: i32, v: f32): void {
  for (let i = 0; i < n; i++) setX(i, v);
}

/** learn_one on x[0..] = (a, b) and target y; returns the flags. */
export function learn2(a: f32, b: f32, y: f32): u32 {
  setX(0, a);
  setX(1, b);
  return <u32>learn_one(y);
}

export function outPred(): f32 {
  return load<f32>(output_ptr());
}
export function outErr(): f32 {
  return load<f32>(output_ptr(), 8);
}
export function outLabel(): i32 {
  return load<i32>(output_ptr(), 20);
}
