// Typed mirror of assembly/abi.ts, the source of truth for ids (docs/ABI.md explains them).
// test/abi/tables.test.ts fails when this file, assembly/abi.ts and docs/ABI.md's tables differ.

import { snakeCase } from "./names.js";

export const ABI_VERSION = 5;
export const MAGIC = 0x4e524c45;
export const HEADER_BYTES = 16;
export const OUTPUT_BYTES = 24;
export const MAX_FEATURES = 32;

export enum Kind {
  Linear = 1,
  Logistic = 2,
  HalfSpace = 3,
  AR = 4,
  KMeans = 5,
  /** The default anomaly detector: range novelty and transition surprise, calibrated (assembly/models/surprise.ts). */
  Surprise = 6,
  /** Baseline for regression: predicts the EW mean of the target (assembly/models/mean.ts). */
  Mean = 7,
}

export enum ErrorCode {
  Magic = -1,
  Version = -2,
  Kind = -3,
  Length = -4,
  Crc = -5,
  Features = -6,
  NonFinite = -7,
  Param = -8,
  NoModel = -9,
  Capacity = -10,
}

export const Flag = {
  RejNonFinite: 1 << 0,
  RejRange: 1 << 1,
  RejStuck: 1 << 2,
  RejSpike: 1 << 3,
  RejNoTarget: 1 << 4,
  RejBadTarget: 1 << 5,
  Learned: 1 << 8,
  Predicted: 1 << 9,
  Warmup: 1 << 10,
  Anomaly: 1 << 11,
  Protected: 1 << 12,
  DriftWarning: 1 << 13,
  Drift: 1 << 14,
  ModelSwapped: 1 << 15,
} as const;
export type FlagName = keyof typeof Flag;
/** Bits that reject the whole reading. */
export const REJECT_MASK = 0x0f;

/** Parameter ids 0..31: guard, scaler, linear models, metrics; 32..63: drift, anomaly, the other kinds. */
export enum Param {
  LearningRate = 0,
  L2 = 1,
  /** 0 squared, 1 Huber (LINEAR). */
  Loss = 2,
  HuberDelta = 3,
  /** 0 AdaGrad, 1 normalized adaptive gradient (NAG). */
  Optimizer = 4,
  Intercept = 5,
  /** 0 off, 1 exact (Welford), 2 exponentially weighted. */
  Scaler = 6,
  ScalerAlpha = 7,
  TargetScale = 8,
  MetricAlpha = 9,
  RangeLo = 10,
  RangeHi = 11,
  StuckK = 12,
  StuckEps = 13,
  StuckFactor = 14,
  SpikeT = 15,
  SpikeAlpha = 16,
  Warmup = 17,
  SpikeReset = 18,
  Threshold = 19,
  TargetSpike = 20,
  /** AdaGrad's forgetting: G ← (1 − GradForget) G + g² (0 = plain AdaGrad, whose steps only shrink). */
  GradForget = 21,
  // drift detection and response, anomaly scoring, HALFSPACE, AR, KMEANS, SURPRISE
  /** 0 none, 1 ADWIN, 2 Page-Hinkley, 3 DDM (structural). */
  DriftDetector = 32,
  /** 0 notify, 1 reset the optimizer's accumulators, 2 background model (structural). */
  DriftResponse = 33,
  AdwinDelta = 34,
  AdwinDeltaWarn = 35,
  PhDelta = 36,
  PhLambda = 37,
  PhAlpha = 38,
  DdmWarn = 39,
  DdmDrift = 40,
  AnomalyThreshold = 41,
  /** 1: a reading scoring above AnomalyThreshold is not learned. */
  Protect = 42,
  /** LINEAR/LOGISTIC: 1 scores readings with an EW z-score of the features. */
  ZScore = 43,
  ZScoreAlpha = 44,
  HstTrees = 45,
  HstHeight = 46,
  HstWindow = 47,
  HstSeed = 48,
  /** HST input range: standardized features in [-r, r]; 0 = the guard ranges on raw features. */
  HstRange = 49,
  ArOrder = 50,
  ArForget = 51,
  /** AR: 1 uses the features as exogenous inputs. */
  ArExog = 52,
  KmK = 53,
  KmRate = 54,
  KmWarmup = 55,
  /** SURPRISE: how far outside the range seen counts as fully novel, in units of that range. */
  NoveltyTol = 56,
  /** SURPRISE: EW rate of the long-run statistics of the windowed transition surprise. */
  LikelihoodAlpha = 57,
  /** SURPRISE: readings before it scores (score 0, WARMUP flag, until then). */
  ScoreWarmup = 58,
  /** SURPRISE: at most this many anomalous readings in a row are kept out of the model. */
  ProtectRun = 59,
  /** SURPRISE: how fast the recent range forgets (share of its width per reading). */
  RecentDecay = 60,
  /** MEAN: EW weight of the target's mean. */
  MeanAlpha = 61,
}

export enum DriftDetector {
  None = 0,
  ADWIN = 1,
  PageHinkley = 2,
  DDM = 3,
}
export enum DriftResponse {
  Notify = 0,
  ResetAccumulators = 1,
  Background = 2,
}

export enum Loss {
  Squared = 0,
  Huber = 1,
}
export enum Optimizer {
  AdaGrad = 0,
  NAG = 1,
}
export enum Scaler {
  Off = 0,
  Exact = 1,
  Exponential = 2,
}

/** Counter ids. */
export enum Count {
  Readings = 0,
  Learned = 1,
  Predicted = 2,
  Rejected = 3,
  NonFinite = 4,
  Range = 5,
  Stuck = 6,
  Spike = 7,
  NoTarget = 8,
  BadTarget = 9,
  LevelShift = 10,
  Scored = 11,
  Drifts = 32,
  /** Readings at the drift warning level. */
  Warnings = 33,
  Swaps = 34,
  /** READINGS index (1-based) of the last drift; 0 = none. */
  LastDrift = 35,
  Anomalies = 36,
  Protected = 37,
}

/** Metric ids. */
export enum Metric {
  MAE = 0,
  RMSE = 1,
  Accuracy = 2,
  LogLoss = 3,
  MAE_EW = 4,
  RMSE_EW = 5,
  Accuracy_EW = 6,
  LogLoss_EW = 7,
  TargetMean = 8,
  TargetStd = 9,
  /** Mean of the monitored error stream as the drift detector sees it (ADWIN window, PH mean, DDM error rate). */
  DriftMean = 32,
  /** Values behind DriftMean (ADWIN window width, PH/DDM values since the last drift). */
  DriftN = 33,
}

/** Names of the set bits of a flags word, for logs. */
export function flagNames(flags: number): FlagName[] {
  const out: FlagName[] = [];
  for (const k of Object.keys(Flag) as FlagName[]) if (flags & Flag[k]) out.push(k);
  return out;
}

/** The symbolic name of an error code, e.g. "ERR_CRC". */
export function errorName(code: number): string {
  const n = ErrorCode[code];
  return n === undefined ? `ERR_${code}` : `ERR_${snakeCase(n).toUpperCase()}`;
}
