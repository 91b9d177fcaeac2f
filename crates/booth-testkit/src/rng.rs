//! Seeds for tests that attack at random: `rand`'s seeded generator, its seed taken from an
//! environment variable when it is set (to replay a failure), else from the OS, and printed
//! either way.

use rand::seq::IndexedRandom;
use rand::SeedableRng;

/// What the tests call on the generator (`random`, `random_range`).
pub use rand::{rngs::StdRng, Rng};

/// A generator seeded from `$var` if set, else at random; prints the seed and how to replay it.
pub fn seeded(var: &str) -> StdRng {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("random seed {seed} (set {var}={seed} to replay)");
    StdRng::seed_from_u64(seed)
}

/// One of `from`, at random.
pub fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.choose(rng).expect("something to pick from")
}

/// Up to `max` random bytes.
pub fn bytes(rng: &mut StdRng, max: usize) -> Vec<u8> {
    let n = rng.random_range(0..=max);
    (0..n).map(|_| rng.random()).collect()
}
