//! Simulated time as integer microseconds, so that ordering and arithmetic are exact everywhere.

use std::fmt;

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub i64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(i64::MAX);

    /// Converts seconds (as written in traces and scenarios) once, rounding to the nearest µs.
    pub fn from_secs_f64(s: f64) -> SimTime {
        SimTime(secs_to_us(s))
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub fn us(self) -> i64 {
        self.0
    }

    pub fn saturating_add_us(self, d: i64) -> SimTime {
        SimTime(self.0.saturating_add(d))
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
    }
}
