// What the checkpoints ask of a health guard (host/health/monitor.ts is the one the service uses):
// whether a checkpoint is known-good, what of the guard to keep beside it, and the two moments the
// guard must hear of before the state is written or after it is read back.

/** A guard's own state as a checkpoint keeps it: a JSON object the store keeps as it is. */
export type GuardState = Readonly<Record<string, unknown>>;

export interface CheckpointJudge {
  /** A checkpoint of the device is being written: is it known-good? */
  knownGood(device: string): boolean;
  /** What to keep beside the checkpoint being written, so a restart resumes judging from it. */
  state?(device: string): GuardState | undefined;
  /** The device was restored at start from a checkpoint that kept this state (undefined: none). */
  resume?(device: string, state: GuardState | undefined, log: (m: string) => void): void;
  /** The device's state is going back to an earlier checkpoint; called before it is written. */
  rollingBack?(device: string): void;
}

/** Without a guard every checkpoint is known-good. */
export const ALWAYS_GOOD: CheckpointJudge = { knownGood: () => true };
