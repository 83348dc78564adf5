// Seeded, deterministic stream generators (see streams.ts) and the PRNG they share.
export { Prng, seedState } from "./prng.js";
export * from "./streams.js";
