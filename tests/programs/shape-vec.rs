// shape-vec.rs - a Vec grown by push all through the run and dropped at
// the end of main.
//
// Built by tests/cli/test-service.sh when rustc is there (rustc -O -g).
//
// usage: shape-vec MODE MS PUSHES_PER_S
//
//   plain    record_sample pushes 48-byte structs into a Vec<Sample> (one
//            block, its capacity doubling as it grows).
//   strings  record_name pushes 40..60-byte Strings (each its own heap
//            block, made by format!) into a Vec<String>.
//
// PUSHES_PER_S pushes a second, evenly, for MS milliseconds; the Vec is a
// local of main, so its memory is freed only by the drop at the end of
// main, after the work is done.
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Sample {
    id: u64,
    t: f64,
    v: [f64; 4],
}

#[inline(never)]
fn record_sample(v: &mut Vec<Sample>, id: u64, t: f64) {
    v.push(Sample { id, t, v: [t, t * 2.0, t * 3.0, t * 4.0] });
}

#[inline(never)]
fn record_name(v: &mut Vec<String>, id: u64) {
    v.push(format!("connection-from-host-{}{}.example.org", id * 7919, ".".repeat((id % 21) as usize)));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: shape-vec plain|strings MS PUSHES_PER_S");
        std::process::exit(2);
    }
    let strings = args[1] == "strings";
    let run = args[2].parse::<f64>().unwrap() / 1000.0;
    let rate: f64 = args[3].parse().unwrap();
    let mut samples: Vec<Sample> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let start = Instant::now();
    let mut done: u64 = 0;
    loop {
        // SHAPE_PACE (shape-clock.h): all of the work, also when held up.
        let t = start.elapsed().as_secs_f64();
        let last = t >= run;
        while (done as f64) < rate * if last { run } else { t } {
            if strings {
                record_name(&mut names, done);
            } else {
                record_sample(&mut samples, done, t);
            }
            done += 1;
        }
        if last {
            break;
        }
        sleep(Duration::from_millis(1));
    }
    let check: f64 = samples.iter().map(|s| s.t + s.v[1] + s.id as f64).sum();
    println!("{} samples, {} names (check {:.0})", samples.len(), names.len(), check);
}
