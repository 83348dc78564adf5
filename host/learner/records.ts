// Byte layouts of the records the module shares with its host (docs/ABI.md "Output record",
// "Blob header"), as tables: the C header for firmware is generated from them, and tests check
// them against the TypeScript wrapper and against the module.

export type FieldType = "float32" | "uint32" | "int32" | "uint16";

export interface RecordField {
  name: string;
  type: FieldType;
  offset: number;
  doc: string;
}

export interface RecordLayout {
  name: string;
  bytes: number;
  doc: string;
  fields: readonly RecordField[];
}

/** What learn_one/predict_one write at output_ptr(), and learn_batch once per reading. */
export const OUTPUT_RECORD: RecordLayout = {
  name: "output",
  bytes: 24,
  doc: "output record of one reading (output_ptr(); learn_batch: one per reading after the rows)",
  fields: [
    { name: "prediction", type: "float32", offset: 0, doc: "value, P(y=1), anomaly score, forecast or cluster index, by kind" },
    { name: "score", type: "float32", offset: 4, doc: "anomaly score in [0, 1] where the kind has one, else NaN" },
    { name: "error", type: "float32", offset: 8, doc: "y - prediction (LINEAR, AR), log-loss (LOGISTIC); NaN without a target" },
    { name: "extra", type: "float32", offset: 12, doc: "next forecast (AR), distance to the centre (KMEANS), else NaN" },
    { name: "flags", type: "uint32", offset: 16, doc: "FLAG_* bits" },
    { name: "label", type: "int32", offset: 20, doc: "predicted class (LOGISTIC), cluster (KMEANS), else -1" },
  ],
};

/** The first bytes of every state blob. */
export const BLOB_HEADER: RecordLayout = {
  name: "blob_header",
  bytes: 16,
  doc: "header of a state blob (state_ptr() after snapshot(), or a stored blob)",
  fields: [
    { name: "magic", type: "uint32", offset: 0, doc: "MAGIC (bytes \"ELRN\")" },
    { name: "abi_version", type: "uint16", offset: 4, doc: "ABI_VERSION of the module that wrote it" },
    { name: "kind", type: "uint16", offset: 6, doc: "KIND_*" },
    { name: "length", type: "uint32", offset: 8, doc: "total length in bytes, header included" },
    { name: "crc", type: "uint32", offset: 12, doc: "CRC-32 (IEEE) over bytes [0, 12) then [16, length)" },
  ],
};

export const RECORDS: readonly RecordLayout[] = [OUTPUT_RECORD, BLOB_HEADER];
