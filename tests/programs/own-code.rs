// own-code.rs - a Rust program whose memory is all held by the standard
// library's collections, filled in its own functions: each site must be
// the program's line that called into std (test-own-code.sh greps for the
// "site:" comments), not a frame of std, alloc, core or hashbrown.
// Built by the test itself with rustc, optimized and not.
use std::collections::{BTreeMap, HashMap};

struct Session {
    id: u64,
    payload: [u8; 40],
}

struct Blob {
    data: Vec<u8>,
}

// The program's own impl of a std trait: its frame is the program's.
impl Clone for Blob {
    fn clone(&self) -> Self {
        Blob { data: self.data.to_vec() } // site: Clone
    }
}

struct Store {
    by_id: HashMap<u64, Vec<u8>>,
    order: Vec<u64>,
    journal: String,
    boxes: Vec<Box<Session>>,
    tree: BTreeMap<u64, u64>,
    buffers: Vec<Vec<u8>>,
    blobs: Vec<Blob>,
    replaced: u64,
}

#[inline(never)]
fn ingest(store: &mut Store, id: u64) {
    store.by_id.insert(id, Vec::new()); // site: HashMap
}

#[inline(never)]
fn remember(store: &mut Store, id: u64) {
    store.order.push(id); // site: Vec
}

#[inline(never)]
fn log_line(store: &mut Store, id: u64) {
    store.journal.push_str(if id % 2 == 0 { "even session; " } else { "odd session; " }); // site: String
}

#[inline(never)]
fn keep(store: &mut Store, id: u64) {
    let b = Box::new(Session { id, payload: [id as u8; 40] }); // site: Box
    store.boxes.push(b);
}

#[inline(never)]
fn index(store: &mut Store, id: u64) {
    if store.tree.insert(id, id * 2).is_some() { // site: BTreeMap
        store.replaced += 1; // (so that the insert is no tail call)
    }
}

#[inline(never)]
fn buffer(store: &mut Store, id: u64) {
    let v = vec![id as u8; 64 + (id % 16) as usize]; // site: vec!
    store.buffers.push(v);
}

#[inline(never)]
fn copy(store: &mut Store, blob: &Blob) {
    let b = blob.clone();
    store.blobs.push(b);
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let mut store = Store {
        by_id: HashMap::new(),
        order: Vec::new(),
        journal: String::new(),
        boxes: Vec::new(),
        tree: BTreeMap::new(),
        buffers: Vec::new(),
        blobs: Vec::new(),
        replaced: 0,
    };
    let blob = Blob { data: vec![7; 100] };
    for id in 0..n {
        ingest(&mut store, id);
        remember(&mut store, id);
        log_line(&mut store, id);
        keep(&mut store, id);
        index(&mut store, id);
        buffer(&mut store, id);
        copy(&mut store, &blob);
    }
    let sum: u64 = store.boxes.iter().map(|b| b.id + b.payload[0] as u64).sum();
    println!("{} sessions, {} bytes of journal, {} {}", store.order.len(), store.journal.len(), sum, store.replaced);
    std::mem::forget(store);
}
