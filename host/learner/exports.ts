// The module's exported functions as a table (docs/ABI.md "Exports"): names, parameters and
// results with the signedness the ABI gives them. The C header for firmware (scripts/dist/c-header.ts)
// is generated from this table and abi.ts; a test checks it against the wasm's own export section.

/** How a value is read: a signed i32 (status codes, ids), an unsigned i32 (addresses, sizes, counters), or an f32. */
export type AbiType = "int32" | "uint32" | "float32";

export interface ExportSpec {
  name: string;
  params: readonly (readonly [name: string, type: AbiType])[];
  result: AbiType;
  doc: string;
}

const fn = (name: string, params: ExportSpec["params"], result: AbiType, doc: string): ExportSpec => ({ name, params, result, doc });

export const EXPORTS: readonly ExportSpec[] = [
  fn("abi_version", [], "int32", "ABI version of the module (ABI_VERSION)"),
  fn("state_ptr", [], "uint32", "address of the state blob in linear memory"),
  fn("state_len", [], "uint32", "current length of the state blob (0 before create/load)"),
  fn("state_cap", [], "uint32", "largest state blob length"),
  fn("io_ptr", [], "uint32", "address of the io region (blobs for load/validate, learn_batch rows and outputs)"),
  fn("io_cap", [], "uint32", "size of the io region in bytes"),
  fn("input_ptr", [], "uint32", "address of the input buffer: MAX_FEATURES x f32 features of one reading"),
  fn("output_ptr", [], "uint32", "address of the output record of the last single call"),
  fn("kind", [], "int32", "kind of the live state (0 before create/load)"),
  fn("n_features", [], "int32", "feature count of the live state (0 before create/load)"),
  fn("create", [["kind", "int32"], ["n_features", "int32"]], "int32", "fresh state with default parameters; 0 or an error code"),
  fn("set_param", [["id", "int32"], ["value", "float32"]], "int32", "set one parameter; 0 or an error code"),
  fn("get_param", [["id", "int32"]], "float32", "a parameter's value; NaN for an unknown id"),
  fn("set_feature_range", [["i", "int32"], ["lo", "float32"], ["hi", "float32"]], "int32", "guard range of feature i (i = n_features: the target); 0 or an error code"),
  fn("reset", [], "int32", "forget everything learned, keep parameters and ranges; 0 or an error code"),
  fn("learn_one", [["y", "float32"]], "int32", "one reading from the input buffer: guard, predict, learn; flags (>= 0) or an error code"),
  fn("predict_one", [], "int32", "guard and predict only, the state does not change; flags or an error code"),
  fn("learn_batch", [["n", "int32"]], "int32", "n readings at io_ptr(), outputs after them; n or an error code"),
  fn("snapshot", [], "int32", "writes the CRC into the header; the state_len() bytes at state_ptr() are a valid blob"),
  fn("validate", [["len", "int32"]], "int32", "checks the blob at io_ptr() without loading it; 0 or an error code"),
  fn("load", [["len", "int32"]], "int32", "validates and loads the blob at io_ptr(); on error the state is untouched"),
  fn("get_count", [["id", "int32"]], "uint32", "a counter; 0 for an unknown id"),
  fn("get_metric", [["id", "int32"]], "float32", "a metric; NaN when undefined"),
];

/** The WebAssembly value type behind an AbiType. */
export function wasmType(t: AbiType): "i32" | "f32" {
  return t === "float32" ? "f32" : "i32";
}
