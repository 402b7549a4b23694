// mangling.rs - Rust test program for the symbolizer: v0 mangled names,
// generics, a trait method and inlining.
use std::collections::HashMap;

struct Cache<T> {
    map: HashMap<u64, Vec<T>>,
}

impl<T: Clone> Cache<T> {
    #[inline(never)]
    fn put(&mut self, k: u64, v: T) {
        self.map.entry(k).or_default().push(v);
    }
}

trait Grow {
    fn grow(&mut self, n: usize) -> usize;
}

impl Grow for Vec<u8> {
    #[inline(never)]
    fn grow(&mut self, n: usize) -> usize {
        self.extend(std::iter::repeat(7).take(n));
        self.len()
    }
}

#[inline(always)]
fn helper(v: &mut Vec<u8>) -> usize {
    v.grow(3)
}

fn main() {
    let mut c = Cache { map: HashMap::new() };
    for i in 0..100u64 {
        c.put(i % 7, i.to_string());
    }
    let mut v = Vec::new();
    let n = helper(&mut v) + v.grow(5);
    println!("{} {}", c.map.len(), n);
}
