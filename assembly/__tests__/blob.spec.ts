import {
  create, snapshot, validate, load as loadBlob, state_ptr, state_len, io_ptr, state_cap, set_param, get_param,
  set_feature_range, abi_version, kind, n_features,
} from "../index";
import {
  KIND_LINEAR, KIND_LOGISTIC, ERR_MAGIC, ERR_VERSION, ERR_KIND, ERR_LENGTH, ERR_CRC, ERR_FEATURES,
  ERR_PARAM, ERR_NONFINITE, MAGIC, P_LR, P_RANGE_HI, P_RANGE_LO, MAX_FEATURES, ABI_VERSION,
} from "../abi";
import { blobCrc } from "../state";
import { learn2 } from "./util/learner";

/** Copies the live blob to io after snapshot; returns its length. */
function stage(): i32 {
  const n = snapshot();
  memory.copy(io_ptr(), state_ptr(), <usize>n);
  return n;
}

/** Rewrites the CRC of the staged blob (to test the checks behind it). */
function recrc(n: i32): void {
  store<u32>(io_ptr(), blobCrc(io_ptr(), n), 12);
}

describe("blob", () => {
  it("has the documented header", () => {
    expect(abi_version()).toBe(ABI_VERSION);
    create(KIND_LOGISTIC, 5);
    expect(kind()).toBe(KIND_LOGISTIC);
    expect(n_features()).toBe(5);
    const n = snapshot();
    expect(n).toBe(state_len());
    expect(load<u32>(state_ptr())).toBe(MAGIC);
    expect(load<u16>(state_ptr(), 4)).toBe(<u16>ABI_VERSION);
    expect(load<u16>(state_ptr(), 6)).toBe(<u16>KIND_LOGISTIC);
    expect(load<u32>(state_ptr(), 8)).toBe(<u32>n);
    expect(load<u32>(state_ptr(), 12)).toBe(blobCrc(state_ptr(), n));
    expect(load<u16>(state_ptr(), 16)).toBe(5);
  });
  it("state of a 16-feature linear model ≤ 2.25 KiB (with its background model); 32 features fit", () => {
    create(KIND_LINEAR, 16);
    expect(state_len()).toBeLessThanOrEqual(2304);
    create(KIND_LINEAR, MAX_FEATURES);
    expect(state_len()).toBeLessThanOrEqual(state_cap());
  });
  it("validate/load name the first thing wrong", () => {
    create(KIND_LINEAR, 3);
    learn2(1, 2, 3);
    const n = stage();
    expect(validate(n)).toBe(0);
    store<u32>(io_ptr(), 0x12345678);
    expect(validate(n)).toBe(ERR_MAGIC);
    stage();
    store<u16>(io_ptr(), 6, 4);
    expect(validate(n)).toBe(ERR_VERSION);
    stage();
    store<u16>(io_ptr(), 0, 4);
    expect(validate(n)).toBe(ERR_VERSION);
    stage();
    store<u16>(io_ptr(), 1, 4); // versions 1 to 4 are migrated on load, but this CRC was for 5
    expect(validate(n)).toBe(ERR_CRC);
    recrc(n);
    expect(validate(n)).toBe(ERR_LENGTH); // and their blobs were 352 + 4 (n + 1) bytes longer
    stage();
    store<u16>(io_ptr(), 3, 4);
    expect(validate(n)).toBe(ERR_CRC);
    recrc(n);
    expect(validate(n)).toBe(ERR_LENGTH);
    stage();
    store<u16>(io_ptr(), 4, 4);
    expect(validate(n)).toBe(ERR_CRC);
    recrc(n);
    expect(validate(n)).toBe(ERR_LENGTH); // 4 (n + 1) bytes longer
    stage();
    store<u16>(io_ptr(), 77, 6);
    expect(validate(n)).toBe(ERR_KIND);
    stage();
    store<u32>(io_ptr(), 100, 8);
    expect(validate(n)).toBe(ERR_LENGTH);
    stage();
    store<u8>(io_ptr() + <usize>n - 1, load<u8>(io_ptr() + <usize>n - 1) ^ 1);
    expect(validate(n)).toBe(ERR_CRC);
    stage();
    store<u16>(io_ptr(), 0, 16);
    recrc(n);
    expect(validate(n)).toBe(ERR_FEATURES);
    stage();
    store<u16>(io_ptr(), 4, 16); // a different feature count: inconsistent length
    recrc(n);
    expect(validate(n)).toBe(ERR_LENGTH);
    stage();
    store<f32>(io_ptr(), NaN, 24); // LR
    recrc(n);
    expect(validate(n)).toBe(ERR_NONFINITE);
    stage();
    store<f32>(io_ptr(), -1, 24);
    recrc(n);
    expect(validate(n)).toBe(ERR_PARAM);
    stage();
    store<f32>(io_ptr(), 5, 24 + 31 * 4); // an unknown id must hold 0
    recrc(n);
    expect(validate(n)).toBe(ERR_PARAM);
    expect(validate(-1)).toBe(ERR_LENGTH);
    expect(validate(state_cap() + 1)).toBe(ERR_LENGTH);
  });
  it("load restores another model whole; a refused blob leaves the state alone", () => {
    create(KIND_LINEAR, 3);
    set_param(P_LR, 0.7);
    set_feature_range(1, -3, 3);
    const n = stage();
    create(KIND_LOGISTIC, 2);
    const before = snapshot();
    store<u8>(io_ptr(), load<u8>(io_ptr(), 40) ^ 1, 40);
    expect(loadBlob(n)).toBe(ERR_CRC);
    expect(kind()).toBe(KIND_LOGISTIC);
    expect(state_len()).toBe(before);
    store<u8>(io_ptr(), load<u8>(io_ptr(), 40) ^ 1, 40);
    expect(loadBlob(n)).toBe(0);
    expect(kind()).toBe(KIND_LINEAR);
    expect(n_features()).toBe(3);
    expect(<f64>get_param(P_LR)).toBeCloseTo(0.7, 6);
  });
  it("RANGE_LO/HI set every range and must stay ordered", () => {
    create(KIND_LINEAR, 2);
    expect(set_param(P_RANGE_HI, 50)).toBe(0);
    expect(set_param(P_RANGE_LO, 60)).toBe(ERR_PARAM);
    expect(set_param(P_RANGE_LO, -50)).toBe(0);
    expect(learn2(51, 0, 1) & 2).toBe(2);
    expect(learn2(1, 0, 51) & 32).toBe(32);
  });
});
