//! A dense bit set over small integer ids (agents), iterated in increasing order: O(1) updates,
//! an ordered walk that costs one word per 64 ids, and set operations a word at a time.

/// Equality is by members (trailing empty words do not count).
#[derive(Clone, Debug, Default)]
pub struct BitSet {
    words: Vec<u64>,
}

impl PartialEq for BitSet {
    fn eq(&self, o: &BitSet) -> bool {
        let n = self.words.len().max(o.words.len());
        (0..n).all(|w| self.word(w) == o.word(w))
    }
}
impl Eq for BitSet {}

impl BitSet {
    /// A set holding exactly `i`.
    pub fn single(i: u32) -> BitSet {
        let mut s = BitSet::default();
        s.insert(i);
        s
    }

    /// The words, 64 ids each, lowest ids in the lowest bits of the first word.
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The words, taking the set.
    pub fn into_words(self) -> Vec<u64> {
        self.words
    }

    /// A set from its words.
    pub fn from_words(words: Vec<u64>) -> BitSet {
        BitSet { words }
    }

    #[inline]
    fn word(&self, w: usize) -> u64 {
        self.words.get(w).copied().unwrap_or(0)
    }

    /// `self ∩ other`.
    pub fn and(&self, other: &BitSet) -> BitSet {
        let n = self.words.len().min(other.words.len());
        BitSet::from_words((0..n).map(|w| self.words[w] & other.words[w]).collect())
    }

    /// Makes `self` a copy of `other`, reusing its storage.
    pub fn copy_from(&mut self, other: &BitSet) {
        self.words.clear();
        self.words.extend_from_slice(&other.words);
    }

    /// `self \ other`, in place.
    pub fn subtract(&mut self, other: &BitSet) {
        for (x, &y) in self.words.iter_mut().zip(&other.words) {
            *x &= !y;
        }
    }

    /// `self ∪ other`, in place.
    pub fn union_with(&mut self, other: &BitSet) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (x, &y) in self.words.iter_mut().zip(&other.words) {
            *x |= y;
        }
    }

    /// `self ∩ other`, in place.
    pub fn intersect_with(&mut self, other: &BitSet) {
        let n = other.words.len().min(self.words.len());
        for (x, &y) in self.words[..n].iter_mut().zip(&other.words) {
            *x &= y;
        }
        for x in self.words[n..].iter_mut() {
            *x = 0;
        }
    }

    /// Whether the two sets share a member.
    pub fn intersects(&self, other: &BitSet) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// Every member of `self` is in `other`.
    pub fn is_subset(&self, other: &BitSet) -> bool {
        self.words
            .iter()
            .enumerate()
            .all(|(w, &x)| x & !other.word(w) == 0)
    }

    pub fn clear(&mut self) {
        self.words.clear();
    }

    pub fn insert(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }

    pub fn remove(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if let Some(x) = self.words.get_mut(w) {
            *x &= !(1 << b);
        }
    }

    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        self.words
            .get(i as usize / 64)
            .is_some_and(|x| x & (1 << (i % 64)) != 0)
    }

    /// The number of members (a popcount over the words: not free).
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
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

    #[test]
    fn set_operations_word_by_word() {
        let a = BitSet::from_words(vec![0b1011, 1 << 63]);
        let b = BitSet::from_words(vec![0b0110]);
        assert_eq!(a.len(), 4);
        assert_eq!(a.and(&b).iter().collect::<Vec<_>>(), vec![1]);
        let mut c = a.clone();
        c.subtract(&b);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![0, 3, 127]);
        c.union_with(&b);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![0, 1, 2, 3, 127]);
        assert!(b.is_subset(&c) && !a.is_subset(&b));
        assert!(a.intersects(&b));
        let mut d = c.clone();
        d.intersect_with(&b);
        assert_eq!(d, BitSet::from_words(vec![0b0110, 0]));
        assert_eq!(d.len(), 2);
    }
}
