//! The comparison table printed on the terminal after a run.

use crate::report::csv_out::SUMMARY_COLS;

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

/// Renders rows of (policy, summary fields) as an aligned table; replications are averaged.
pub fn render(rows: &[(String, Vec<String>)]) -> String {
    let mut policies: Vec<String> = Vec::new();
    for (p, _) in rows {
        if !policies.contains(p) {
            policies.push(p.clone());
        }
    }
    let idx: Vec<usize> = SHOWN
        .iter()
        .map(|c| {
            SUMMARY_COLS
                .iter()
                .position(|x| x == c)
                .expect("known column")
        })
        .collect();
    let mut table: Vec<Vec<String>> = vec![std::iter::once("policy".to_string())
        .chain(SHOWN.iter().map(|s| s.to_string()))
        .collect()];
    for p in &policies {
        let mine: Vec<&Vec<String>> = rows
            .iter()
            .filter(|(q, _)| q == p)
            .map(|(_, f)| f)
            .collect();
        let mut line = vec![p.clone()];
        for &i in &idx {
            let vals: Vec<f64> = mine
                .iter()
                .filter_map(|f| f.get(i).and_then(|v| v.parse::<f64>().ok()))
                .collect();
            line.push(if vals.is_empty() {
                "-".into()
            } else {
                let m = vals.iter().sum::<f64>() / vals.len() as f64;
                if m.fract() == 0.0 && m.abs() < 1e15 {
                    format!("{m:.0}")
                } else {
                    format!("{m:.3}")
                }
            });
        }
        table.push(line);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| table.iter().map(|r| r[c].len()).max().unwrap_or(0))
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
