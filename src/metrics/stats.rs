//! Small statistics helpers: percentiles, means, confidence intervals, Jain's index.

/// Nearest-rank percentile (p in 0..=100) of an unsorted slice; None when empty.
pub fn percentile(v: &mut [i64], p: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

pub fn mean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        None
    } else {
        Some(v.iter().sum::<f64>() / v.len() as f64)
    }
}

/// Jain's fairness index (sum x)^2 / (n sum x^2); 1.0 when all x are equal (including all 0).
pub fn jain(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let s: f64 = xs.iter().sum();
    let s2: f64 = xs.iter().map(|x| x * x).sum();
    if s2 == 0.0 {
        1.0
    } else {
        s * s / (n * s2)
    }
}

/// Two-sided 95% Student-t critical value for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        f64::NAN
    } else if df <= 30 {
        T[df - 1]
    } else {
        1.96 + 2.4 / df as f64
    }
}

/// Mean and 95% confidence half-width (None for the half-width with fewer than 2 samples).
pub fn mean_ci(v: &[f64]) -> Option<(f64, Option<f64>)> {
    let m = mean(v)?;
    if v.len() < 2 {
        return Some((m, None));
    }
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64;
    Some((m, Some(t95(v.len() - 1) * (var / v.len() as f64).sqrt())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jain_index_bounds() {
        assert_eq!(jain(&[0.5, 0.5]), 1.0);
        assert!((jain(&[1.0, 0.0]) - 0.5).abs() < 1e-12);
        assert_eq!(jain(&[0.0, 0.0]), 1.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v = vec![5, 1, 4, 2, 3];
        assert_eq!(percentile(&mut v, 50.0), Some(3));
        assert_eq!(percentile(&mut v, 100.0), Some(5));
        assert_eq!(percentile(&mut v, 0.0), Some(1));
        assert_eq!(percentile(&mut [], 50.0), None);
    }

    #[test]
    fn confidence_interval_shrinks_with_agreement() {
        let (m, h) = mean_ci(&[1.0, 1.0, 1.0]).unwrap();
        assert_eq!(m, 1.0);
        assert_eq!(h, Some(0.0));
        let (_, h) = mean_ci(&[0.0, 2.0]).unwrap();
        assert!((h.unwrap() - 12.706).abs() < 1e-9);
    }
}
