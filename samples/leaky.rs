// leaky.rs - a leak in Rust: every other session is kept forever.
//
// Built by tests/cli/test-rust.sh when rustc is there (rustc -O -g).
// Box::new goes through alloc::boxed and __rust_alloc to malloc; the site
// heaptrail reports is open_session, past that glue.
//
// usage: leaky [SESSIONS]   (default 2000, one every 0.3 ms)
use std::thread::sleep;
use std::time::Duration;

struct Session {
    _name: [u8; 200],
    _id: u64,
}

#[inline(never)]
fn open_session(id: u64, keep: &mut Vec<Box<Session>>) {
    let s = Box::new(Session { _name: [0; 200], _id: id });
    if id % 2 == 1 {
        keep.push(s); // the leak: kept, never used again
    }
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let mut keep = Vec::new();
    for i in 0..n {
        open_session(i, &mut keep);
        sleep(Duration::from_micros(300));
    }
    std::mem::forget(keep);
}
