//! Output: CSV writers for the per-run files and the summary, number formatting that is exact
//! and stable, and the terminal table.

pub mod csv_out;
pub mod table;

/// Formats a float for output files: shortest round-trip form, rounded to 9 decimals so that
/// arithmetic noise does not show, and "" for NaN/None.
pub fn fmt_f(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let r = (x * 1e9).round() / 1e9;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r}")
}

pub fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_f).unwrap_or_default()
}
