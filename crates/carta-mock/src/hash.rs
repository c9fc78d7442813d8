//! Deterministic randomness: every value is a pure function of a stream
//! (seed and names) and a row number, so no generator keeps state.

/// The SplitMix64 finalizer: a bijection on u64 with good avalanche.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The stream of one named thing (a column, a foreign key): independent of
/// every other name, so adding a column changes no other column's values.
pub(crate) fn stream(seed: u64, parts: &[&str]) -> u64 {
    // FNV-1a over the parts with a separator, then mixed with the seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    mix(h ^ mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

/// The `k`-th random draw of a stream for a row.
pub(crate) fn draw(stream: u64, row: u64, k: u64) -> u64 {
    mix(stream ^ mix(row.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(k)))
}

/// A uniform float in [0, 1).
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform in `0..n` (n > 0), by the multiply-high method.
pub(crate) fn below(h: u64, n: u64) -> u64 {
    ((u128::from(h) * u128::from(n)) >> 64) as u64
}

/// A skewed index in `0..n`: a power law over a scrambled order, so a few
/// parents get many children and most get few (not in row order).
pub(crate) fn skewed(h: u64, n: u64, scramble: &Permutation) -> u64 {
    let u = unit(h);
    let rank = ((u * u * u) * n as f64) as u64;
    scramble.apply(rank.min(n - 1))
}

/// A bijection of `0..n` (a Feistel network over the next even power of
/// two, cycle-walking back into range): unique values from row numbers
/// without any memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Permutation {
    n: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    pub(crate) fn new(n: u64, stream: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let keys = [1, 2, 3, 4].map(|k| mix(stream ^ k));
        Permutation { n, half_bits, keys }
    }

    /// The size of the domain.
    pub(crate) fn len(&self) -> u64 {
        self.n
    }

    pub(crate) fn apply(&self, index: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let mut x = index;
        loop {
            x = self.round_trip(x);
            if x < self.n {
                return x;
            }
        }
    }

    fn round_trip(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in self.keys {
            let next = left ^ (mix(right ^ key) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn permutations_are_bijections() {
        for n in [1u64, 2, 3, 10, 1000, 4097] {
            let p = Permutation::new(n, 7);
            let seen: HashSet<u64> = (0..n).map(|i| p.apply(i)).collect();
            assert_eq!(seen.len() as u64, n);
            assert!(seen.iter().all(|&v| v < n));
        }
    }

    #[test]
    fn permutations_shuffle() {
        let p = Permutation::new(1000, 7);
        let fixed = (0..1000).filter(|&i| p.apply(i) == i).count();
        assert!(fixed < 20, "{fixed} fixed points");
    }

    #[test]
    fn streams_differ_by_name_and_seed() {
        assert_ne!(stream(0, &["a", "b"]), stream(0, &["ab"]));
        assert_ne!(stream(0, &["a"]), stream(1, &["a"]));
        assert_eq!(stream(3, &["t", "c"]), stream(3, &["t", "c"]));
    }
}
