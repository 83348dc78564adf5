// ROC AUC by pair counting (ties count one half): fine for a few thousand scores.
export function auc(pos: StaticArray<f32>, npos: i32, neg: StaticArray<f32>, nneg: i32): f64 {
  let wins: f64 = 0;
  for (let i = 0; i < npos; i++) {
    const a = pos[i];
    for (let j = 0; j < nneg; j++) {
      const b = neg[j];
      if (a > b) wins += 1;
      else if (a == b) wins += 0.5;
    }
  }
  return wins / (<f64>npos * <f64>nneg);
}
