// Public API, part 2 (`edgelearn/codecs`): MQTT payloads (flat JSON objects, SenML packs) to
// readings, written straight into a learner's input view.

export {
  parsePayload,
  extract,
  inferFeatures,
  parseTimestamp,
  decodeSenml,
  type InputFormat,
  type Parsed,
  type FieldPlan,
  type Extracted,
  type SenmlReading,
} from "../codecs/index.js";
export * from "../codecs/reasons.js";
