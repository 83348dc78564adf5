// What every drift detector answers for one value of the monitored stream.
export const DRIFT_NONE: i32 = 0;
/** The stream looks like it is changing: start preparing (background model). */
export const DRIFT_WARNING: i32 = 1;
/** A change is detected at this value. */
export const DRIFT_DETECTED: i32 = 2;
