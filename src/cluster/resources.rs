//! Resource vectors in fixed point (thousandths), as Mesos stores scalar resources, so that
//! millions of allocate/recover steps never drift and equality is exact.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

pub const CPUS: usize = 0;
pub const MEM: usize = 1;
pub const DISK: usize = 2;
pub const GPUS: usize = 3;
pub const NRES: usize = 4;
pub const RES_NAMES: [&str; NRES] = ["cpus", "mem_mb", "disk_mb", "gpus"];

/// Scalar resources in milli-units: cpus, mem (MB), disk (MB), gpus.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Resources(pub [i64; NRES]);

/// Rounds a user-facing amount to Mesos's precision of three decimal digits.
pub fn to_milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

impl Resources {
    pub const ZERO: Resources = Resources([0; NRES]);

    pub fn new(cpus: f64, mem_mb: f64, disk_mb: f64, gpus: f64) -> Resources {
        Resources([
            to_milli(cpus),
            to_milli(mem_mb),
            to_milli(disk_mb),
            to_milli(gpus),
        ])
    }

    pub fn cpus_mem(cpus: f64, mem_mb: f64) -> Resources {
        Resources::new(cpus, mem_mb, 0.0, 0.0)
    }

    /// The amount of resource `i` as Mesos's `Value::Scalar::value()` returns it: the integer
    /// part plus the thousandths as a fraction (Mesos's `toFloat`), which can differ in the last
    /// bit from dividing the whole by 1000, and DRF ties are decided on these doubles.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        let f = self.0[i];
        (f / 1000) as f64 + (f % 1000) as f64 / 1000.0
    }

    pub fn cpus(&self) -> f64 {
        self.get(CPUS)
    }
    pub fn mem_mb(&self) -> f64 {
        self.get(MEM)
    }
    pub fn disk_mb(&self) -> f64 {
        self.get(DISK)
    }
    pub fn gpus(&self) -> f64 {
        self.get(GPUS)
    }

    #[inline]
    pub fn is_zero(&self) -> bool {
        self.0 == [0; NRES]
    }

    /// Every component of `other` fits in `self`.
    #[inline]
    pub fn contains(&self, other: &Resources) -> bool {
        (0..NRES).all(|i| self.0[i] >= other.0[i])
    }

    #[inline]
    pub fn min(&self, other: &Resources) -> Resources {
        let mut r = *self;
        for i in 0..NRES {
            r.0[i] = r.0[i].min(other.0[i]);
        }
        r
    }

    /// Component-wise `self - other`, floored at zero.
    #[inline]
    pub fn saturating_sub(&self, other: &Resources) -> Resources {
        let mut r = *self;
        for i in 0..NRES {
            r.0[i] = (r.0[i] - other.0[i]).max(0);
        }
        r
    }

    /// True when no component is negative (used by invariant checks).
    pub fn is_nonnegative(&self) -> bool {
        self.0.iter().all(|&x| x >= 0)
    }

    /// Mesos's DRF share: the max over resources with a positive total of allocated / total, in
    /// f64, each operand converted from fixed point first.
    #[inline]
    pub fn dominant_share(&self, total: &Resources) -> f64 {
        let mut share = 0.0f64;
        for i in 0..NRES {
            if total.0[i] > 0 {
                let s = self.get(i) / total.get(i);
                if s > share {
                    share = s;
                }
            }
        }
        share
    }

    /// Writes the amount of resource `i` exactly ("0.5", "1024", "0.333").
    pub fn fmt_amount(&self, i: usize) -> String {
        fmt_milli(self.0[i])
    }
}

/// Mesos's `--fair_sharing_excluded_resource_names`: resources that do not count in DRF shares
/// (`DRFSorter::calculateShare` skips them), so that one GPU task does not make a role's
/// dominant share 1 on a cluster with few GPUs. Offers, quota and filters still carry them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FairnessExclusion(pub [bool; NRES]);

impl FairnessExclusion {
    /// No resource excluded (Mesos's default).
    pub const NONE: FairnessExclusion = FairnessExclusion([false; NRES]);

    /// The exclusion of the named resources (names of `RES_NAMES`); the first unknown name is
    /// the error.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<FairnessExclusion, String> {
        let mut x = FairnessExclusion::NONE;
        for n in names {
            let n = n.as_ref();
            match RES_NAMES.iter().position(|&r| r == n) {
                Some(i) => x.0[i] = true,
                None => return Err(n.to_string()),
            }
        }
        Ok(x)
    }

    pub fn is_none(&self) -> bool {
        *self == FairnessExclusion::NONE
    }

    /// `total` with the excluded resources at zero: a share computed against it skips them,
    /// because `dominant_share` only looks at resources with a positive total.
    #[inline]
    pub fn share_total(&self, total: &Resources) -> Resources {
        let mut r = *total;
        for i in 0..NRES {
            if self.0[i] {
                r.0[i] = 0;
            }
        }
        r
    }
}

/// Formats a milli-unit amount with no trailing zeros.
pub fn fmt_milli(v: i64) -> String {
    let neg = v < 0;
    let a = v.unsigned_abs();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&(a / 1000).to_string());
    let frac = a % 1000;
    if frac != 0 {
        let mut d = format!("{frac:03}");
        while d.ends_with('0') {
            d.pop();
        }
        s.push('.');
        s.push_str(&d);
    }
    s
}

impl Add for Resources {
    type Output = Resources;
    #[inline]
    fn add(mut self, o: Resources) -> Resources {
        self += o;
        self
    }
}
impl AddAssign for Resources {
    #[inline]
    fn add_assign(&mut self, o: Resources) {
        for i in 0..NRES {
            self.0[i] += o.0[i];
        }
    }
}
impl Sub for Resources {
    type Output = Resources;
    #[inline]
    fn sub(mut self, o: Resources) -> Resources {
        self -= o;
        self
    }
}
impl SubAssign for Resources {
    #[inline]
    fn sub_assign(&mut self, o: Resources) {
        for i in 0..NRES {
            self.0[i] -= o.0[i];
        }
    }
}

impl fmt::Debug for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<")?;
        let mut first = true;
        for (i, name) in RES_NAMES.iter().enumerate() {
            if self.0[i] != 0 || i < 2 {
                if !first {
                    write!(f, ", ")?;
                }
                first = false;
                write!(f, "{} {}", fmt_milli(self.0[i]), name)?;
            }
        }
        write!(f, ">")
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Minimum allocatable quantities: an offer is allocatable if it contains any one entry.
/// An empty list makes any non-empty offer allocatable (Mesos's `min_allocatable_resources`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinAllocatable(pub Vec<Resources>);

impl Default for MinAllocatable {
    /// Mesos's default: cpus >= 0.01 or mem >= 32 MB.
    fn default() -> Self {
        MinAllocatable(vec![
            Resources::cpus_mem(0.01, 0.0),
            Resources::cpus_mem(0.0, 32.0),
        ])
    }
}

impl MinAllocatable {
    pub fn allows(&self, avail: &Resources) -> bool {
        if avail.is_zero() {
            return false;
        }
        self.0.is_empty() || self.0.iter().any(|q| avail.contains(q))
    }
}

/// Quota limits: `i64::MAX` (in milli-units) marks a resource without a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits(pub [i64; NRES]);

impl Limits {
    pub const NONE: Limits = Limits([i64::MAX; NRES]);
    pub fn is_unlimited(&self) -> bool {
        self.0.iter().all(|&x| x == i64::MAX)
    }
    /// `limits - consumed`, floored at zero; unlimited stays unlimited.
    pub fn minus(&self, r: &Resources) -> Limits {
        let mut o = *self;
        for i in 0..NRES {
            if o.0[i] != i64::MAX {
                o.0[i] = (o.0[i] - r.0[i]).max(0);
            }
        }
        o
    }
    /// Shrinks `r` to fit (resources without a limit are kept whole).
    pub fn shrink(&self, r: &Resources) -> Resources {
        let mut o = *r;
        for i in 0..NRES {
            o.0[i] = o.0[i].min(self.0[i]);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_is_exact() {
        let mut r = Resources::ZERO;
        for _ in 0..10_000 {
            r += Resources::cpus_mem(0.1, 0.3);
        }
        for _ in 0..10_000 {
            r -= Resources::cpus_mem(0.1, 0.3);
        }
        assert!(r.is_zero());
        assert_eq!(Resources::cpus_mem(0.0004, 0.0).0[CPUS], 0);
        assert_eq!(fmt_milli(1500), "1.5");
        assert_eq!(fmt_milli(312_000), "312");
    }

    #[test]
    fn converts_to_double_as_mesos_does() {
        // 1.118 as 1 + 0.118 is 1.1179999999999999, not the double nearest 1.118; Mesos
        // computes it that way.
        let r = Resources([1118, 0, 0, 0]);
        assert_eq!(r.get(CPUS), 1.0 + 0.118);
        assert_ne!(r.get(CPUS), 1.118);
        assert_eq!(Resources([1500, 0, 0, 0]).get(CPUS), 1.5);
    }

    #[test]
    fn fairness_exclusion_drops_excluded_resources_from_shares() {
        let total = Resources::new(10.0, 1000.0, 0.0, 1.0);
        let a = Resources::new(2.0, 100.0, 0.0, 1.0);
        assert_eq!(a.dominant_share(&total), 1.0);
        let x = FairnessExclusion::from_names(&["gpus"]).unwrap();
        assert_eq!(a.dominant_share(&x.share_total(&total)), 0.2);
        assert_eq!(
            FairnessExclusion::from_names(&["gpu"]),
            Err("gpu".to_string())
        );
        assert!(FairnessExclusion::from_names::<&str>(&[])
            .unwrap()
            .is_none());
    }

    #[test]
    fn dominant_share_ignores_zero_totals() {
        let total = Resources::new(10.0, 100.0, 0.0, 0.0);
        let a = Resources::new(2.0, 1.0, 5.0, 0.0);
        assert_eq!(a.dominant_share(&total), 0.2);
    }

    #[test]
    fn min_allocatable_default_and_empty() {
        let m = MinAllocatable::default();
        assert!(m.allows(&Resources::cpus_mem(0.01, 0.0)));
        assert!(m.allows(&Resources::cpus_mem(0.0, 32.0)));
        assert!(!m.allows(&Resources::cpus_mem(0.009, 31.0)));
        let any = MinAllocatable(vec![]);
        assert!(any.allows(&Resources::cpus_mem(0.001, 0.0)));
        assert!(!any.allows(&Resources::ZERO));
    }
}
