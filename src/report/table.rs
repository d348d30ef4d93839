//! The comparison table printed on the terminal after a run.

use crate::metrics::files::SUMMARY_COLS;
use crate::report::compare::{compare, human_cell, Comparison, Table};

/// Columns shown on the terminal (a readable subset of summary.csv).
pub const SHOWN: [&str; 9] = [
    "tasks_finished",
    "makespan_s",
    "jct_mean_s",
    "jct_p95_s",
    "wait_mean_s",
    "jain",
    "util_cpus",
    "offers",
    "events",
];

/// Renders rows of (policy, summary fields) as an aligned table: per policy, each shown metric's
/// mean over replications, with its 95% confidence half-width when there are several.
pub fn render(rows: &[(String, Vec<String>)]) -> String {
    let t = Table {
        header: SUMMARY_COLS.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(|(_, f)| f.clone()).collect(),
    };
    render_comparison(&compare(&t))
}

/// The terminal table of a [`Comparison`].
pub fn render_comparison(c: &Comparison) -> String {
    let many = c.replications.iter().any(|&n| n > 1);
    let mut head = vec!["policy".to_string()];
    if many {
        head.push("runs".into());
    }
    head.extend(SHOWN.iter().map(|s| s.to_string()));
    let mut table: Vec<Vec<String>> = vec![head];
    for (pi, p) in c.policies.iter().enumerate() {
        let mut line = vec![p.clone()];
        if many {
            line.push(c.replications[pi].to_string());
        }
        for m in SHOWN {
            line.push(c.cell(pi, m).map(human_cell).unwrap_or_else(|| "-".into()));
        }
        table.push(line);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (k, r) in table.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if k == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
    }
    out
}
