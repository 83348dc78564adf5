#!/usr/bin/env python3
"""Replays the conformance vectors through wasmtime (official embedding) or wasm3 (pywasm3).

    python3 run_python.py --engine wasmtime|wasm3 --wasm build/learner.wasm --vectors test/conformance/vectors
    python3 run_python.py --engine ... --wasm ... --bench bench.json      # readings/s on a batch stream

Prints one JSON line per stream and exits 0 only when every op matched bit for bit.
Values cross as bit patterns: f32 arguments are turned into Python floats (exact for every
non-NaN f32; the vectors only pass the canonical quiet NaN as an argument) and f32 results are
packed back to their 4 bytes. i32 results are masked to 32 bits (pywasm3 returns them signed).
"""
import argparse
import json
import os
import struct
import sys
import time
import zlib


def f32_from_bits(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def bits_from_f32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


class WasmtimeMachine:
    name = "wasmtime-py"

    def __init__(self, wasm_bytes):
        import wasmtime

        self.wasmtime = wasmtime
        self.engine = wasmtime.Engine()
        self.module = wasmtime.Module(self.engine, wasm_bytes)
        self.types = {}
        for exp in self.module.exports:
            ty = exp.type
            if isinstance(ty, wasmtime.FuncType):
                self.types[exp.name] = ([str(p) for p in ty.params], [str(r) for r in ty.results])
            elif isinstance(ty, wasmtime.MemoryType):
                self.mem_name = exp.name
        self.fresh()

    def fresh(self):
        self.store = self.wasmtime.Store(self.engine)
        self.instance = self.wasmtime.Instance(self.store, self.module, [])
        self.exports = self.instance.exports(self.store)
        self.memory = self.exports[self.mem_name]
        self.funcs = {}

    def signature(self, name):
        return self.types[name]

    def func(self, name):
        f = self.funcs.get(name)
        if f is None:
            f = self.funcs[name] = self.exports[name]
        return f

    def invoke(self, name, args):
        return self.func(name)(self.store, *args)

    def read(self, addr, length):
        return bytes(self.memory.read(self.store, addr, addr + length))

    def write(self, addr, data):
        self.memory.write(self.store, data, addr)


class Wasm3Machine:
    name = "wasm3"

    def __init__(self, wasm_bytes):
        import wasm3

        self.wasm3 = wasm3
        self.wasm_bytes = wasm_bytes
        self.env = wasm3.Environment()
        self.fresh()
        self.types = {}

    def fresh(self):
        # a wasm3 module can be loaded into one runtime only: parse it again for each instance
        self.runtime = self.env.new_runtime(64 * 1024)
        self.runtime.load(self.env.parse_module(self.wasm_bytes))
        self.funcs = {}

    def signature(self, name):
        t = self.types.get(name)
        if t is None:
            f = self.func(name)
            names = {1: "i32", 2: "i64", 3: "f32", 4: "f64"}
            t = self.types[name] = ([names[a] for a in f.arg_types], [names[r] for r in f.ret_types])
        return t

    def func(self, name):
        f = self.funcs.get(name)
        if f is None:
            f = self.funcs[name] = self.runtime.find_function(name)
        return f

    def invoke(self, name, args):
        f = self.func(name)
        if len(args) != f.num_args:  # pywasm3 does not check argument counts itself
            raise ValueError(f"{name} takes {f.num_args} arguments, got {len(args)}")
        return f(*args)

    def mem(self):
        return self.runtime.get_memory(0)

    def read(self, addr, length):
        return bytes(self.mem()[addr : addr + length])

    def write(self, addr, data):
        self.mem()[addr : addr + len(data)] = data


def to_arg(val, ty):
    bits = int(val[2:], 16)
    if val.startswith("f:"):
        return f32_from_bits(bits)
    return bits - (1 << 32) if bits >= 1 << 31 else bits


def from_result(r, ty):
    if ty == "f32":
        return "f:%08x" % bits_from_f32(r)
    return "i:%08x" % (r & 0xFFFFFFFF)


def call(m, name, vals):
    params, results = m.signature(name)
    r = m.invoke(name, [to_arg(v, t) for v, t in zip(vals, params)])
    if not results:
        return None
    if isinstance(r, (list, tuple)):
        r = r[0]
    return from_result(r, results[0])


def replay(m, stream):
    calls = 0
    for i, op in enumerate(stream["ops"]):
        at = "%s op #%d" % (stream["name"], i)
        kind = op[0]
        if kind == "call":
            calls += 1
            got = call(m, op[1], op[2])
            if got != op[3]:
                return calls, "%s: %s(%s) returned %s, expected %s" % (at, op[1], ", ".join(op[2]), got, op[3])
        elif kind == "write":
            m.write(op[1], bytes.fromhex(op[2]))
        elif kind == "expect":
            want = op[2]
            got = m.read(op[1], len(want) // 2).hex()
            if got != want:
                k = next(j for j in range(len(want)) if got[j] != want[j]) // 2
                return calls, "%s: memory at %d differs from byte %d: got %s, expected %s" % (
                    at, op[1], k, got[2 * k : 2 * k + 16], want[2 * k : 2 * k + 16])
        elif kind == "crc":
            got = "%08x" % (zlib.crc32(m.read(op[1], op[2])) & 0xFFFFFFFF)
            if got != op[3]:
                return calls, "%s: CRC-32 of memory [%d, +%d) is %s, expected %s" % (at, op[1], op[2], got, op[3])
        elif kind == "fresh":
            m.fresh()
        else:
            return calls, "%s: unknown op %r" % (at, kind)
    return calls, None


def bench(m, spec):
    """Readings/s: create, put the rows at io_ptr once, call learn_batch until min_seconds pass."""
    assert call(m, "create", ["i:%08x" % spec["kind"], "i:%08x" % spec["n_features"]]) == "i:00000000"
    io = int(call(m, "io_ptr", [])[2:], 16)
    m.write(io, bytes.fromhex(spec["rows"]))
    n = spec["batch"]
    arg = ["i:%08x" % n]
    want = "i:%08x" % n
    f = m.func("learn_batch")
    py_arg = [n]
    assert call(m, "learn_batch", arg) == want
    reps, t0 = 0, time.perf_counter()
    while True:
        for _ in range(10):
            f(m.store, *py_arg) if hasattr(m, "store") else f(*py_arg)
        reps += 10
        dt = time.perf_counter() - t0
        if dt >= spec["min_seconds"]:
            break
    return {"runner": m.name, "readings": reps * n, "seconds": dt, "readings_per_s": reps * n / dt}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", choices=["wasmtime", "wasm3"], required=True)
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--vectors")
    ap.add_argument("--bench")
    a = ap.parse_args()
    with open(a.wasm, "rb") as fh:
        wasm_bytes = fh.read()
    m = (WasmtimeMachine if a.engine == "wasmtime" else Wasm3Machine)(wasm_bytes)
    if a.bench:
        with open(a.bench) as fh:
            print(json.dumps(bench(m, json.load(fh))))
        return 0
    with open(os.path.join(a.vectors, "manifest.json")) as fh:
        manifest = json.load(fh)
    failed = 0
    for s in manifest["streams"]:
        with open(os.path.join(a.vectors, s["file"])) as fh:
            stream = json.load(fh)
        m.fresh()
        try:
            calls, failure = replay(m, stream)
        except Exception as e:  # a trap or a binding error is a failure of this stream
            calls, failure = -1, "%s: %s: %s" % (stream["name"], type(e).__name__, e)
        failed += failure is not None
        print(json.dumps({"stream": stream["name"], "ok": failure is None, "calls": calls, "failure": failure}))
    print(json.dumps({"runner": m.name, "streams": len(manifest["streams"]), "failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
