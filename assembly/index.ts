export function abi_version(): i32 { return 1; }
