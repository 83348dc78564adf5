//! WAMR conformance runner for edgelearn.
//!
//!   edgelearn-wamr-runner replay <learner.wasm> <ops.bin>
//!   edgelearn-wamr-runner bench  <learner.wasm> <rows.bin> <kind> <n_features> <batch> <min_seconds>
//!
//! ops.bin is the binary form of test/conformance/vectors written by the Node test
//! (test/conformance/compile-ops.ts): a table of exports with signatures, then per stream a list
//! of ops (call / write / expect / crc / fresh) with every value as its exact bit pattern.
//! Prints one JSON line per stream; exits 0 only when every op matched.
use std::time::Instant;
use wamrx::{Engine, Instance, Linker, Module, Val};

struct Reader<'a> {
    b: &'a [u8],
    p: usize,
}
impl<'a> Reader<'a> {
    fn u8(&mut self) -> u8 {
        self.p += 1;
        self.b[self.p - 1]
    }
    fn u16(&mut self) -> u16 {
        self.p += 2;
        u16::from_le_bytes([self.b[self.p - 2], self.b[self.p - 1]])
    }
    fn u32(&mut self) -> u32 {
        let v = u32::from_le_bytes(self.b[self.p..self.p + 4].try_into().unwrap());
        self.p += 4;
        v
    }
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        self.p += n;
        &self.b[self.p - n..self.p]
    }
    fn name(&mut self) -> String {
        let n = self.u8() as usize;
        String::from_utf8_lossy(self.bytes(n)).into_owned()
    }
}

/// An export's name and signature: 0 = i32, 1 = f32; `result` None for no result.
struct Export {
    name: String,
    params: Vec<u8>,
    result: Option<u8>,
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn instantiate(engine: &Engine, wasm: &[u8]) -> Instance {
    let module = Module::new(engine, wasm).expect("WAMR refused the module");
    Linker::new(engine).instantiate(module).expect("WAMR could not instantiate the module")
}

fn to_val(ty: u8, bits: u32) -> Val {
    if ty == 1 { Val::F32(f32::from_bits(bits)) } else { Val::I32(bits as i32) }
}
fn from_val(v: &Val) -> u32 {
    match v {
        Val::F32(x) => x.to_bits(),
        Val::I32(x) => *x as u32,
        Val::I64(x) => *x as u32,
        Val::F64(x) => (*x as f32).to_bits(),
    }
}

fn call(inst: &Instance, e: &Export, args: &[u32]) -> Result<Option<u32>, String> {
    let params: Vec<Val> = e.params.iter().zip(args).map(|(t, b)| to_val(*t, *b)).collect();
    let mut results = [Val::I32(0)];
    let n = if e.result.is_some() { 1 } else { 0 };
    inst.get_func(&e.name)
        .map_err(|err| format!("{err:?}"))?
        .call(&params, &mut results[..n])
        .map_err(|err| format!("{} trapped: {err:?}", e.name))?;
    Ok(e.result.map(|_| from_val(&results[0])))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn replay(engine: &Engine, wasm: &[u8], ops: &[u8]) -> i32 {
    let mut r = Reader { b: ops, p: 0 };
    assert_eq!(r.bytes(4), b"ELOP", "not an op stream");
    assert_eq!(r.u32(), 1, "op stream version");
    let exports: Vec<Export> = (0..r.u32())
        .map(|_| {
            let name = r.name();
            let np = r.u8() as usize;
            let params = r.bytes(np).to_vec();
            let result = if r.u8() == 1 { Some(r.u8()) } else { None };
            Export { name, params, result }
        })
        .collect();
    let nstreams = r.u32();
    let mut failed = 0;
    for _ in 0..nstreams {
        let name = r.name();
        let nops = r.u32() as usize;
        let mut inst = instantiate(engine, wasm);
        let mut failure: Option<String> = None;
        let mut calls = 0;
        for i in 0..nops {
            let op = r.u8();
            let skip = failure.is_some();
            let mut err: Option<String> = None;
            let mut fail = |msg: String| err = Some(msg);
            match op {
                1 => {
                    let e = &exports[r.u16() as usize];
                    let args: Vec<u32> = (0..e.params.len()).map(|_| r.u32()).collect();
                    let want = e.result.map(|_| r.u32());
                    calls += 1;
                    if skip {
                        continue;
                    }
                    match call(&inst, e, &args) {
                        Ok(got) if got == want => {}
                        Ok(got) => fail(format!("{}({args:08x?}) returned {got:08x?}, expected {want:08x?}", e.name)),
                        Err(err) => fail(err),
                    }
                }
                2 | 3 | 4 => {
                    let addr = r.u32() as usize;
                    let len = r.u32() as usize;
                    let payload = if op == 4 { None } else { Some(r.bytes(len)) };
                    let want_crc = if op == 4 { r.u32() } else { 0 };
                    if skip {
                        continue;
                    }
                    let mut mem = inst.get_memory("memory").expect("exported memory");
                    match (op, payload) {
                        (2, Some(p)) => mem.data_mut()[addr..addr + len].copy_from_slice(p),
                        (3, Some(p)) => {
                            let got = &mem.data()[addr..addr + len];
                            if got != p {
                                let k = (0..len).find(|&k| got[k] != p[k]).unwrap();
                                let end = (k + 8).min(len);
                                fail(format!("memory at {addr} differs from byte {k}: got {}, expected {}", hex(&got[k..end]), hex(&p[k..end])));
                            }
                        }
                        _ => {
                            let got = crc32(&mem.data()[addr..addr + len]);
                            if got != want_crc {
                                fail(format!("CRC-32 of memory [{addr}, +{len}) is {got:08x}, expected {want_crc:08x}"));
                            }
                        }
                    }
                }
                5 => {
                    if !skip {
                        drop(inst);
                        inst = instantiate(engine, wasm);
                    }
                }
                _ => panic!("bad op {op} in {name} at #{i}"),
            }
            if let Some(msg) = err {
                failure = Some(format!("{name} op #{i}: {msg}"));
            }
        }
        let ok = failure.is_none();
        failed += !ok as i32;
        let msg = failure.map(|f| format!("\"{}\"", f.replace('\\', "\\\\").replace('"', "\\\""))).unwrap_or("null".into());
        println!("{{\"stream\": \"{name}\", \"ok\": {ok}, \"calls\": {calls}, \"failure\": {msg}}}");
    }
    println!("{{\"runner\": \"wamr\", \"streams\": {nstreams}, \"failed\": {failed}}}");
    if failed > 0 { 1 } else { 0 }
}

fn bench(engine: &Engine, wasm: &[u8], rows: &[u8], kind: i32, nf: i32, n: i32, min_seconds: f64) -> i32 {
    let inst = instantiate(engine, wasm);
    let one = |name: &str, args: &[Val]| -> i32 {
        let mut res = [Val::I32(0)];
        inst.get_func(name).unwrap().call(args, &mut res).unwrap();
        from_val(&res[0]) as i32
    };
    assert_eq!(one("create", &[Val::I32(kind), Val::I32(nf)]), 0);
    let io = one("io_ptr", &[]) as usize;
    inst.get_memory("memory").unwrap().data_mut()[io..io + rows.len()].copy_from_slice(rows);
    let f = inst.get_func("learn_batch").unwrap();
    let args = [Val::I32(n)];
    let mut res = [Val::I32(0)];
    let (mut reps, t0) = (0u64, Instant::now());
    loop {
        for _ in 0..10 {
            f.call(&args, &mut res).unwrap();
        }
        reps += 10;
        if t0.elapsed().as_secs_f64() >= min_seconds {
            break;
        }
    }
    assert_eq!(from_val(&res[0]) as i32, n);
    let dt = t0.elapsed().as_secs_f64();
    let readings = reps * n as u64;
    println!("{{\"runner\": \"wamr\", \"readings\": {readings}, \"seconds\": {dt}, \"readings_per_s\": {}}}", readings as f64 / dt);
    0
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let usage = "usage: edgelearn-wamr-runner replay <wasm> <ops.bin> | bench <wasm> <rows.bin> <kind> <n_features> <batch> <min_seconds>";
    if a.len() < 4 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let wasm = std::fs::read(&a[2]).expect("read wasm");
    let data = std::fs::read(&a[3]).expect("read input");
    let engine = Engine::new().expect("WAMR runtime");
    let code = match (a[1].as_str(), a.len()) {
        ("replay", 4) => replay(&engine, &wasm, &data),
        ("bench", 8) => bench(&engine, &wasm, &data, a[4].parse().unwrap(), a[5].parse().unwrap(), a[6].parse().unwrap(), a[7].parse().unwrap()),
        _ => {
            eprintln!("{usage}");
            2
        }
    };
    std::process::exit(code);
}
