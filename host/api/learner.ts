// Public API, part 1 (`edgelearn/learner`): the learner module without MQTT, a store or a service.
// Everything exported here follows the package's semantic versioning (README "Versions").

export {
  Learner,
  LearnerError,
  compileLearner,
  compileLearnerAsync,
  batchOutputs,
  DEFAULT_WASM,
  type LearnerExports,
  type LearnerConfig,
  type Output,
  type BatchOutputs,
} from "../learner/index.js";
export * from "../learner/abi.js";
export { inspectBlob, readBlobHeader, type BlobInfo, type BlobHeader } from "../learner/inspect.js";
export { crc32, blobCrc } from "../learner/crc32.js";
export { EXPORTS, type ExportSpec, type AbiType } from "../learner/exports.js";
export { OUTPUT_RECORD, BLOB_HEADER, RECORDS, type RecordLayout, type RecordField, type FieldType } from "../learner/records.js";
export { TASK_KIND, KIND_TASK, paramId, paramNames } from "../devices/model.js";
export { PACKAGE_VERSION, VERSIONS } from "../version.js";
