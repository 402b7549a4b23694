// work-end.rs - a Rust program's work ends: main returns (status 3 through
// std::process::ExitCode) or std::process::exit(4) is called.  Built by
// tests/cli/test-work-end.sh when rustc is there.
use std::process::ExitCode;

fn main() -> ExitCode {
    let kept: Vec<Box<[u8; 77]>> = (0..10).map(|_| Box::new([0u8; 77])).collect();
    if std::env::args().nth(1).as_deref() == Some("exit") {
        std::process::exit(4);
    }
    ExitCode::from(if kept.len() == 10 { 3 } else { 1 })
}
