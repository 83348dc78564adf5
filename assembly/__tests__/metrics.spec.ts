import { create, set_param, get_metric, get_count, learn_one } from "../index";
import {
  KIND_LINEAR, KIND_LOGISTIC, P_LR, P_METRIC_ALPHA, P_SPIKE_T, M_MAE, M_RMSE, M_ACCURACY, M_LOGLOSS,
  M_MAE_EW, M_ACCURACY_EW, C_SCORED, C_READINGS, C_PREDICTED, C_LEARNED,
} from "../abi";
import { learn2, setX } from "./util/learner";

describe("prequential metrics", () => {
  it("score the prediction made before learning", () => {
    create(KIND_LINEAR, 2);
    set_param(P_LR, 0); // a frozen model predicts the running target mean
    set_param(P_SPIKE_T, 0);
    learn2(1, 1, 4); // prediction 0 (nothing seen): error 4
    learn2(1, 1, 2); // prediction 4 (mean of 4): error -2
    expect(get_metric(M_MAE)).toBe(3);
    expect(<f64>get_metric(M_RMSE)).toBeCloseTo(Math.sqrt(10), 5);
    expect(get_count(C_SCORED)).toBe(2);
    expect(isNaN(get_metric(M_ACCURACY))).toBe(true); // NaN for regression
  });
  it("EW metrics weigh the newest reading with METRIC_ALPHA and start at the first value", () => {
    create(KIND_LINEAR, 2);
    set_param(P_LR, 0);
    set_param(P_METRIC_ALPHA, 0.5);
    set_param(P_SPIKE_T, 0);
    learn2(1, 1, 4);
    expect(get_metric(M_MAE_EW)).toBe(4);
    learn2(1, 1, 2);
    expect(get_metric(M_MAE_EW)).toBe(3);
  });
  it("accuracy and log-loss for LOGISTIC", () => {
    create(KIND_LOGISTIC, 2);
    set_param(P_LR, 0); // p = 0.5 always, label 1 (0.5 ≥ threshold)
    learn2(1, 1, 1);
    learn2(1, 1, 0);
    expect(get_metric(M_ACCURACY)).toBe(0.5);
    expect(get_metric(M_ACCURACY_EW)).toBeGreaterThan(0);
    expect(<f64>get_metric(M_LOGLOSS)).toBeCloseTo(Math.log(2), 5);
    expect(<f64>get_metric(M_MAE)).toBeCloseTo(0.5, 6);
  });
  it("readings without a target are predicted, counted, not scored", () => {
    create(KIND_LINEAR, 2);
    setX(0, 1);
    setX(1, 2);
    learn_one(NaN);
    expect(get_count(C_READINGS)).toBe(1);
    expect(get_count(C_PREDICTED)).toBe(1);
    expect(get_count(C_SCORED)).toBe(0);
    expect(get_count(C_LEARNED)).toBe(0);
    expect(isNaN(get_metric(M_MAE))).toBe(true); // NaN
  });
});
