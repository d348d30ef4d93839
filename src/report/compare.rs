//! Comparing policies across replications: each summary metric's mean and 95% confidence
//! interval per policy (`compare.csv`), and each frameworks.csv metric's per policy and framework
//! (`compare_frameworks.csv`), for the terminal table and the HTML report. Built from the CSV
//! files alone, so `offersim plot` can redraw them without running anything.

use crate::error::{Error, Result};
use crate::metrics::files::{create, fmt_opt};
use crate::metrics::stats::mean_ci;
use crate::report::csv_out::{COMPARE_COLS, COMPARE_FRAMEWORKS_COLS};
use std::path::Path;

/// The columns of summary.csv that identify a run rather than measure it.
pub const KEY_COLS: [&str; 3] = ["policy", "replication", "seed"];

/// A CSV file read whole: header and rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|c| c == name)
    }

    pub fn get<'a>(&'a self, row: &'a [String], name: &str) -> Option<&'a str> {
        self.col(name).and_then(|i| row.get(i)).map(|s| s.as_str())
    }
}

/// Reads a CSV file with a header; a malformed file is an input error naming the line.
pub fn read_table(path: &Path) -> Result<Table> {
    let file = path.display().to_string();
    let mut r = csv::Reader::from_path(path).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::read(path, io),
        k => Error::input(&file, 0, "", format!("{k:?}")),
    })?;
    let header = r
        .headers()
        .map_err(|e| Error::input(&file, 1, "", e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| Error::input(&file, i + 2, "", e.to_string()))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(Table { header, rows })
}

/// One metric of one policy over its replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Replications with a value for this metric.
    pub n: usize,
    pub mean: Option<f64>,
    /// Half-width of the 95% confidence interval; None with fewer than 2 values.
    pub ci95: Option<f64>,
}

/// Per policy (in first-appearance order) and metric (in summary column order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    pub policies: Vec<String>,
    pub metrics: Vec<String>,
    /// `cells[policy][metric]`.
    pub cells: Vec<Vec<Cell>>,
    pub replications: Vec<usize>,
}

impl Comparison {
    pub fn cell(&self, policy: usize, metric: &str) -> Option<&Cell> {
        let m = self.metrics.iter().position(|x| x == metric)?;
        self.cells.get(policy)?.get(m)
    }
}

/// Aggregates summary rows (with a header naming at least `policy`) by policy.
pub fn compare(summary: &Table) -> Comparison {
    let pcol = summary.col("policy");
    let mut policies: Vec<String> = Vec::new();
    for r in &summary.rows {
        let p = pcol.and_then(|i| r.get(i)).cloned().unwrap_or_default();
        if !policies.contains(&p) {
            policies.push(p);
        }
    }
    let metrics: Vec<(usize, String)> = summary
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| !KEY_COLS.contains(&h.as_str()))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut cells = Vec::new();
    let mut replications = Vec::new();
    for p in &policies {
        let mine: Vec<&Vec<String>> = summary
            .rows
            .iter()
            .filter(|r| pcol.and_then(|i| r.get(i)) == Some(p))
            .collect();
        replications.push(mine.len());
        cells.push(
            metrics
                .iter()
                .map(|&(i, _)| {
                    let vals: Vec<f64> = mine
                        .iter()
                        .filter_map(|r| r.get(i).and_then(|v| v.parse::<f64>().ok()))
                        .collect();
                    cell_of(&vals)
                })
                .collect(),
        );
    }
    Comparison {
        policies,
        metrics: metrics.into_iter().map(|(_, h)| h).collect(),
        cells,
        replications,
    }
}

/// Writes `compare.csv`: a row per (policy, metric).
pub fn write_csv(path: &Path, c: &Comparison) -> Result<()> {
    let mut w = create(path, &COMPARE_COLS)?;
    for (pi, p) in c.policies.iter().enumerate() {
        for (mi, m) in c.metrics.iter().enumerate() {
            write_stats(&mut w, path, &[p, m], &c.cells[pi][mi])?;
        }
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// The statistics of a list of values (empty values left out by the caller).
fn cell_of(vals: &[f64]) -> Cell {
    let mc = mean_ci(vals);
    Cell {
        n: vals.len(),
        mean: mc.map(|x| x.0),
        ci95: mc.and_then(|x| x.1),
    }
}

fn write_stats(
    w: &mut crate::metrics::files::Writer,
    path: &Path,
    key: &[&str],
    cell: &Cell,
) -> Result<()> {
    let lo = cell.mean.zip(cell.ci95).map(|(m, h)| m - h);
    let hi = cell.mean.zip(cell.ci95).map(|(m, h)| m + h);
    let mut rec: Vec<String> = key.iter().map(|k| k.to_string()).collect();
    rec.extend([
        cell.n.to_string(),
        fmt_opt(cell.mean),
        fmt_opt(cell.ci95),
        fmt_opt(lo),
        fmt_opt(hi),
    ]);
    w.write_record(&rec)
        .map_err(|e| Error::write(path, e.into()))
}

/// Per policy, framework and frameworks.csv metric, over the policy's replications.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameworkComparison {
    /// The policies of summary.csv, in its order.
    pub policies: Vec<String>,
    /// Every framework of any run, by name.
    pub frameworks: Vec<String>,
    /// The frameworks.csv metric columns, in file order.
    pub metrics: Vec<String>,
    /// `cells[policy][framework]`: one cell per metric, or None when the framework is in none of
    /// the policy's frameworks.csv files.
    pub cells: Vec<Vec<Option<Vec<Cell>>>>,
    /// Replications of each policy that have a frameworks.csv.
    pub replications: Vec<usize>,
}

impl FrameworkComparison {
    pub fn cell(&self, policy: usize, framework: usize, metric: &str) -> Option<&Cell> {
        let m = self.metrics.iter().position(|x| x == metric)?;
        self.cells.get(policy)?.get(framework)?.as_ref()?.get(m)
    }

    pub fn is_empty(&self) -> bool {
        self.frameworks.is_empty()
    }
}

/// Reads `dir/<policy>/<replication>/frameworks.csv` of every summary row (a run without one,
/// e.g. from an older offersim, is left out) and aggregates each metric by (policy, framework).
pub fn compare_frameworks(dir: &Path, summary: &Table) -> Result<FrameworkComparison> {
    let policies = compare(summary).policies;
    // (policy index, table) per run, in summary order.
    let mut runs: Vec<(usize, Table)> = Vec::new();
    for r in &summary.rows {
        let (Some(p), Some(rep)) = (summary.get(r, "policy"), summary.get(r, "replication")) else {
            continue;
        };
        let f = dir.join(p).join(rep).join("frameworks.csv");
        if f.is_file() {
            let pi = policies.iter().position(|x| x == p).unwrap_or(0);
            runs.push((pi, read_table(&f)?));
        }
    }
    let mut metrics: Vec<String> = Vec::new();
    let mut frameworks: Vec<String> = Vec::new();
    for (_, t) in &runs {
        for h in &t.header {
            if h != "framework" && !metrics.contains(h) {
                metrics.push(h.clone());
            }
        }
        for r in &t.rows {
            if let Some(f) = t.get(r, "framework") {
                if !frameworks.iter().any(|x| x == f) {
                    frameworks.push(f.to_string());
                }
            }
        }
    }
    frameworks.sort();
    let mut replications = vec![0usize; policies.len()];
    // values[policy][framework][metric]
    let mut values: Vec<Vec<Option<Vec<Vec<f64>>>>> =
        vec![vec![None; frameworks.len()]; policies.len()];
    for (pi, t) in &runs {
        replications[*pi] += 1;
        for r in &t.rows {
            let Some(fi) = t
                .get(r, "framework")
                .and_then(|f| frameworks.binary_search_by(|x| x.as_str().cmp(f)).ok())
            else {
                continue;
            };
            let v = values[*pi][fi].get_or_insert_with(|| vec![Vec::new(); metrics.len()]);
            for (mi, m) in metrics.iter().enumerate() {
                if let Some(x) = t.get(r, m).and_then(|s| s.parse::<f64>().ok()) {
                    v[mi].push(x);
                }
            }
        }
    }
    let cells = values
        .into_iter()
        .map(|per_fw| {
            per_fw
                .into_iter()
                .map(|v| v.map(|ms| ms.iter().map(|x| cell_of(x)).collect()))
                .collect()
        })
        .collect();
    Ok(FrameworkComparison {
        policies,
        frameworks,
        metrics,
        cells,
        replications,
    })
}

/// Writes `compare_frameworks.csv`: a row per (policy, framework, metric), for the frameworks
/// that ran under the policy.
pub fn write_frameworks_csv(path: &Path, c: &FrameworkComparison) -> Result<()> {
    let mut w = create(path, &COMPARE_FRAMEWORKS_COLS)?;
    for (pi, p) in c.policies.iter().enumerate() {
        for (fi, f) in c.frameworks.iter().enumerate() {
            let Some(cells) = &c.cells[pi][fi] else {
                continue;
            };
            for (m, cell) in c.metrics.iter().zip(cells) {
                write_stats(&mut w, path, &[p, f, m], cell)?;
            }
        }
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// A number for people: integers as such, others with 3 significant decimals.
pub fn human(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 1000.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// "mean ± half-width", "mean" alone with one replication, "-" without a value.
pub fn human_cell(c: &Cell) -> String {
    match (c.mean, c.ci95) {
        (None, _) => "-".into(),
        (Some(m), None) => human(m),
        (Some(m), Some(h)) => format!("{} ± {}", human(m), human(h)),
    }
}

/// One difference between a baseline summary and a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub policy: String,
    pub replication: String,
    /// The summary column, or "(row)" when a whole row is missing on one side.
    pub column: String,
    pub baseline: String,
    pub current: String,
    pub tolerance: f64,
}

impl Difference {
    /// |current - baseline| when both are numbers.
    pub fn delta(&self) -> Option<f64> {
        let a = self.baseline.parse::<f64>().ok()?;
        let b = self.current.parse::<f64>().ok()?;
        Some(b - a)
    }
}

fn key(t: &Table, r: &[String]) -> (String, String) {
    (
        t.get(r, "policy").unwrap_or("").to_string(),
        t.get(r, "replication").unwrap_or("").to_string(),
    )
}

/// Compares every numeric column of `baseline` with `current`, rows matched by (policy,
/// replication). A column passes when both values are empty, or both are numbers within the
/// column's absolute tolerance (0, i.e. exact, unless `tolerance` names it). Columns that only
/// `current` has are new metrics, not regressions, and are skipped; text columns are skipped.
pub fn diff(
    baseline: &Table,
    current: &Table,
    tolerance: &std::collections::BTreeMap<String, f64>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let missing = |(p, r): &(String, String), b: &str, c: &str| Difference {
        policy: p.clone(),
        replication: r.clone(),
        column: "(row)".into(),
        baseline: b.into(),
        current: c.into(),
        tolerance: 0.0,
    };
    for br in &baseline.rows {
        let k = key(baseline, br);
        let Some(cr) = current.rows.iter().find(|r| key(current, r) == k) else {
            out.push(missing(&k, "present", "missing"));
            continue;
        };
        for (ci, col) in baseline.header.iter().enumerate() {
            if col == "policy" || col == "replication" {
                continue;
            }
            let b = br.get(ci).map(String::as_str).unwrap_or("");
            let c = current.get(cr, col);
            let tol = tolerance.get(col).copied().unwrap_or(0.0);
            let same = match (b, c) {
                (_, None) => false,
                ("", Some("")) => true,
                (b, Some(c)) => match (b.parse::<f64>(), c.parse::<f64>()) {
                    (Ok(x), Ok(y)) => (x - y).abs() <= tol,
                    // A text column is not a metric.
                    (Err(_), Err(_)) => true,
                    _ => false,
                },
            };
            if !same {
                out.push(Difference {
                    policy: k.0.clone(),
                    replication: k.1.clone(),
                    column: col.clone(),
                    baseline: b.to_string(),
                    current: c.unwrap_or("(no column)").to_string(),
                    tolerance: tol,
                });
            }
        }
    }
    for cr in &current.rows {
        let k = key(current, cr);
        if !baseline.rows.iter().any(|r| key(baseline, r) == k) {
            out.push(missing(&k, "missing", "present"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            header: ["policy", "replication", "seed", "jain"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn mean_and_student_t_interval_per_policy() {
        // Values 1, 2, 3: mean 2, sample sd 1, half-width t(2) * 1 / sqrt(3) = 4.303 / 1.732.
        let t = table(&[
            &["drf", "0", "1", "1"],
            &["prio", "0", "1", "0.5"],
            &["drf", "1", "2", "2"],
            &["drf", "2", "3", "3"],
        ]);
        let c = compare(&t);
        assert_eq!(c.policies, vec!["drf", "prio"]);
        assert_eq!(c.metrics, vec!["jain"]);
        assert_eq!(c.replications, vec![3, 1]);
        let d = c.cell(0, "jain").unwrap();
        assert_eq!(d.mean, Some(2.0));
        assert!((d.ci95.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        let p = c.cell(1, "jain").unwrap();
        assert_eq!((p.mean, p.ci95), (Some(0.5), None));
        assert_eq!(human_cell(p), "0.500");
    }

    #[test]
    fn diff_is_exact_unless_a_tolerance_is_given() {
        let base = table(&[&["drf", "0", "1", "0.9"], &["drf", "1", "2", ""]]);
        let same = base.clone();
        let none = std::collections::BTreeMap::new();
        assert!(diff(&base, &same, &none).is_empty());
        let cur = table(&[&["drf", "0", "1", "0.905"], &["drf", "1", "2", ""]]);
        let d = diff(&base, &cur, &none);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].column.as_str(), d[0].current.as_str()),
            ("jain", "0.905")
        );
        let tol = [("jain".to_string(), 0.01)].into_iter().collect();
        assert!(diff(&base, &cur, &tol).is_empty());
    }

    #[test]
    fn diff_reports_missing_rows_and_emptied_values() {
        let base = table(&[&["drf", "0", "1", "0.9"]]);
        let cur = table(&[&["drf", "0", "1", ""], &["prio", "0", "1", "1"]]);
        let d = diff(&base, &cur, &Default::default());
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].column, "jain");
        assert_eq!(
            (d[1].policy.as_str(), d[1].baseline.as_str()),
            ("prio", "missing")
        );
    }

    #[test]
    fn empty_values_are_left_out() {
        let t = table(&[&["drf", "0", "1", ""], &["drf", "1", "2", ""]]);
        let c = compare(&t);
        let d = c.cell(0, "jain").unwrap();
        assert_eq!((d.n, d.mean, d.ci95), (0, None, None));
        assert_eq!(human_cell(d), "-");
    }
}
