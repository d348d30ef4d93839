//! A dense bit set over small integer ids (agents), iterated in increasing order: O(1) updates
//! and an ordered walk that costs one word per 64 ids.

#[derive(Clone, Debug, Default)]
pub struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    pub fn insert(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        if self.words[w] & (1 << b) == 0 {
            self.words[w] |= 1 << b;
            self.len += 1;
        }
    }

    pub fn remove(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if let Some(x) = self.words.get_mut(w) {
            if *x & (1 << b) != 0 {
                *x &= !(1 << b);
                self.len -= 1;
            }
        }
    }

    pub fn contains(&self, i: u32) -> bool {
        self.words
            .get(i as usize / 64)
            .is_some_and(|x| x & (1 << (i % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut x = word;
            std::iter::from_fn(move || {
                if x == 0 {
                    return None;
                }
                let b = x.trailing_zeros();
                x &= x - 1;
                Some(w as u32 * 64 + b)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_membership() {
        let mut s = BitSet::default();
        for i in [5u32, 64, 3, 200, 63, 5] {
            s.insert(i);
        }
        assert_eq!(s.len(), 5);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![3, 5, 63, 64, 200]);
        s.remove(64);
        s.remove(1000);
        assert!(!s.contains(64) && s.contains(200));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![3, 5, 63, 200]);
    }
}
