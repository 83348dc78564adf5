"""WebAssembly operators per reading of a learner module, counted by wasmtime's fuel (one unit per
operator executed, whatever the machine): deterministic, so two modules compare exactly.

    python3 wasm_fuel.py <module.wasm> <rows.f32> <warmup> <output record bytes>

rows.f32: little-endian f32 rows of 8 features and the target. Learns the rows with one
learn_one call each, then again on a fresh state through learn_batch, and prints JSON with the
operators per call / per reading after the first <warmup> rows."""

import json
import struct
import sys

import wasmtime

NF = 8


def main() -> None:
    path, rows_path, warmup, out_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = open(rows_path, "rb").read()
    stride = (NF + 1) * 4
    n = len(data) // stride
    if n <= warmup:
        sys.exit("fewer rows than the warm-up")
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module.from_file(engine, path), [])
    ex = instance.exports(store)
    memory = ex["memory"]
    store.set_fuel(1 << 62)

    def call(name, *args):
        return ex[name](store, *args)

    def create():
        if call("create", 1, NF) != 0:
            sys.exit("create failed")

    create()
    x_at = call("input_ptr")
    used = 0
    for i in range(n):
        row = data[i * stride:(i + 1) * stride]
        memory.write(store, row[:NF * 4], x_at)
        (y,) = struct.unpack_from("<f", row, NF * 4)
        before = store.get_fuel()
        call("learn_one", y)
        if i >= warmup:
            used += before - store.get_fuel()
    per_call = used / (n - warmup)

    create()
    io = call("io_ptr")
    cap = call("io_cap") // (stride + out_bytes)
    if call("learn_batch", 0) != 0:
        sys.exit("learn_batch failed")
    # the warm-up rows first, then the measured ones in full batches
    done = 0
    used = 0
    while done < n:
        end = min(n, done + cap) if done >= warmup else min(warmup, done + cap)
        memory.write(store, data[done * stride:end * stride], io)
        before = store.get_fuel()
        if call("learn_batch", end - done) != end - done:
            sys.exit("learn_batch refused the rows")
        if done >= warmup:
            used += before - store.get_fuel()
        done = end
    print(json.dumps({"learn_one": per_call, "learn_batch_reading": used / (n - warmup)}))


if __name__ == "__main__":
    main()
