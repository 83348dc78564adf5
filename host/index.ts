// The package's entry point (`import { Learner, startService } from "edgelearn"`): the learner,
// the codecs and the service together. The subpaths edgelearn/learner, edgelearn/codecs and
// edgelearn/service load only their part (edgelearn/learner pulls in no MQTT or SQLite code).

export * from "./api/learner.js";
export * from "./api/codecs.js";
export * from "./api/service.js";
