//! Simulated time as integer microseconds, so that ordering and arithmetic are exact everywhere:
//! [`SimTime`] is an instant, [`SimDuration`] a span between two. Inputs in seconds are converted
//! once, when they are read; nothing downstream sees an `f64` number of seconds.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(i64);

/// A span of simulated time, in microseconds (never negative in a validated configuration).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(i64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(i64::MAX);

    pub const fn from_us(us: i64) -> SimTime {
        SimTime(us)
    }

    /// Converts seconds (as written in traces and scenarios) once, rounding to the nearest µs.
    pub fn from_secs_f64(s: f64) -> SimTime {
        SimTime(secs_to_us(s))
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub const fn us(self) -> i64 {
        self.0
    }

    /// The time elapsed since `earlier` (negative if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0 - earlier.0)
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(i64::MAX);

    pub const fn from_us(us: i64) -> SimDuration {
        SimDuration(us)
    }

    pub const fn from_secs(s: i64) -> SimDuration {
        SimDuration(s * 1_000_000)
    }

    /// Converts seconds once, rounding to the nearest µs.
    pub fn from_secs_f64(s: f64) -> SimDuration {
        SimDuration(secs_to_us(s))
    }

    pub const fn us(self) -> i64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Scales by a factor (locality slowdowns), rounding to the nearest µs.
    pub fn scaled(self, factor: f64) -> SimDuration {
        if factor == 1.0 {
            self
        } else {
            SimDuration((self.0 as f64 * factor).round() as i64)
        }
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Saturates instead of overflowing: a timer "never" stays never.
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, o: SimTime) -> SimDuration {
        SimDuration(self.0 - o.0)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, o: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(o.0))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, o: SimDuration) {
        *self = *self + o;
    }
}

impl Mul<i64> for SimDuration {
    type Output = SimDuration;
    fn mul(self, k: i64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
}

/// Seconds to microseconds, rounded to nearest; saturates instead of overflowing.
pub fn secs_to_us(s: f64) -> i64 {
    let us = (s * 1e6).round();
    if us >= i64::MAX as f64 {
        i64::MAX
    } else if us <= i64::MIN as f64 {
        i64::MIN
    } else {
        us as i64
    }
}

/// Formats microseconds as seconds with no trailing zeros ("0.5", "3", "1.000001"), so that
/// output files are exact and stable across platforms (no float formatting involved).
pub fn fmt_secs(us: i64) -> String {
    let mut s = String::new();
    write_secs(&mut s, us);
    s
}

pub fn write_secs(out: &mut String, us: i64) {
    use std::fmt::Write;
    let neg = us < 0;
    let a = us.unsigned_abs();
    let whole = a / 1_000_000;
    let frac = a % 1_000_000;
    if neg {
        out.push('-');
    }
    let _ = write!(out, "{whole}");
    if frac != 0 {
        let mut digits = format!("{frac:06}");
        while digits.ends_with('0') {
            digits.pop();
        }
        out.push('.');
        out.push_str(&digits);
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_secs(self.0))
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_secs(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exactly() {
        assert_eq!(fmt_secs(0), "0");
        assert_eq!(fmt_secs(500_000), "0.5");
        assert_eq!(fmt_secs(3_000_000), "3");
        assert_eq!(fmt_secs(1_000_001), "1.000001");
        assert_eq!(fmt_secs(-1_500_000), "-1.5");
    }

    #[test]
    fn converts_with_rounding() {
        assert_eq!(SimTime::from_secs_f64(0.1).us(), 100_000);
        assert_eq!(SimTime::from_secs_f64(2.5e-7).us(), 0);
        assert_eq!(SimTime::from_secs_f64(1e30), SimTime::MAX);
        assert_eq!(SimDuration::from_secs_f64(1.5).us(), 1_500_000);
    }

    #[test]
    fn instants_and_spans_combine() {
        let t = SimTime::from_us(10) + SimDuration::from_us(5);
        assert_eq!(t, SimTime::from_us(15));
        assert_eq!(t - SimTime::from_us(3), SimDuration::from_us(12));
        assert_eq!(SimTime::MAX + SimDuration::from_us(1), SimTime::MAX);
        assert_eq!(SimDuration::from_us(3) * 4, SimDuration::from_us(12));
        assert_eq!(
            SimDuration::from_us(10).scaled(1.25),
            SimDuration::from_us(13)
        );
    }
}
