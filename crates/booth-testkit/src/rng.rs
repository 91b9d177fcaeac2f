//! A small seeded generator for tests that attack at random. The seed comes from an
//! environment variable when it is set (to replay a failure), else from the clock, and is
//! printed either way.

pub struct Rng(u64);

impl Rng {
    /// Seeded from `$var` if set, else the clock; prints the seed and how to replay it.
    pub fn seeded(var: &str) -> Rng {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("clock");
                t.as_nanos() as u64 ^ std::process::id() as u64
            });
        eprintln!("random seed {seed} (set {var}={seed} to replay)");
        Rng(seed | 1)
    }

    /// xorshift64.
    pub fn number(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.number() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    /// Up to `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.number() as u8).collect()
    }
}
