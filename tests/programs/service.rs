// service.rs - a small Rust service: an index that grows all run, an arena
// allocated once at start, and per-request temporaries.
//
// Built by tests/cli/test-service.sh when rustc is there (rustc -O -g).
//
// usage: service MS RECORDS_PER_S [THREADS]
//
// RECORDS_PER_S records a second, evenly, for MS milliseconds, ingested by
// THREADS threads (default 1: main itself).  ingest inserts each into a
// HashMap<u64, Record> owned by main (behind a Mutex when threaded): the
// table itself grows by rehashing, and each Record holds a 30-odd-byte
// String and a Vec of 8 u32 on the heap.  The map is dropped at the end
// of main, after the work.  arena() hands out a 4 MiB OnceLock<Vec<u8>>
// allocated on first use at start and never freed (a static).  handle
// builds each request's reply in a Vec<u8> and a String freed on return.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Record {
    name: String,
    values: Vec<u32>,
    seen: f64,
}

static ARENA: OnceLock<Vec<u8>> = OnceLock::new();

#[inline(never)]
fn arena() -> &'static [u8] {
    ARENA.get_or_init(|| vec![7u8; 4 << 20])
}

#[inline(never)]
fn ingest(map: &mut HashMap<u64, Record>, id: u64, t: f64) {
    let rec = Record {
        name: format!("record-{:08}-from-ingest-path", id),
        values: vec![id as u32; 8],
        seen: t,
    };
    map.insert(id, rec);
}

#[inline(never)]
fn handle(id: u64) -> u64 {
    let body: Vec<u8> = (0..(64 + id % 512)).map(|i| (i ^ id) as u8).collect();
    let reply = format!("200 OK request {} length {}", id, body.len());
    let a = arena();
    body[body.len() / 2] as u64 + reply.len() as u64 + a[(id as usize) % a.len()] as u64
}

fn work(map: &Mutex<HashMap<u64, Record>>, me: u64, threads: u64, run: f64, rate: f64, start: Instant) -> u64 {
    let mut done: u64 = 0;
    let mut sum = 0;
    let my_rate = rate / threads as f64;
    loop {
        // SHAPE_PACE (shape-clock.h): all of the work, also when held up.
        let t = start.elapsed().as_secs_f64();
        let last = t >= run;
        while (done as f64) < my_rate * if last { run } else { t } {
            let id = done * threads + me;
            sum += handle(id);
            ingest(&mut map.lock().unwrap(), id, t);
            done += 1;
        }
        if last {
            break;
        }
        sleep(Duration::from_millis(1));
    }
    sum
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: service MS RECORDS_PER_S [THREADS]");
        std::process::exit(2);
    }
    let run = args[1].parse::<f64>().unwrap() / 1000.0;
    let rate: f64 = args[2].parse().unwrap();
    let threads: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    arena();
    let map = Arc::new(Mutex::new(HashMap::new()));
    let start = Instant::now();
    let mut sum = 0;
    if threads <= 1 {
        sum += work(&map, 0, 1, run, rate, start);
    } else {
        let handles: Vec<_> = (0..threads)
            .map(|me| {
                let m = Arc::clone(&map);
                std::thread::spawn(move || work(&m, me, threads, run, rate, start))
            })
            .collect();
        for h in handles {
            sum += h.join().unwrap();
        }
    }
    let m = map.lock().unwrap();
    let check: f64 = m.values().map(|r| r.seen + r.values[0] as f64 + r.name.len() as f64).sum();
    println!("{} records (sum {}, check {:.0})", m.len(), sum, check);
}
