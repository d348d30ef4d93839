//! The comparison printed on the terminal after a run: the main metrics per policy (means over
//! replications, with the 95% confidence half-width when there are several), to 3-4 significant
//! digits, in at most [`WIDTH`] columns. With few policies, metrics are rows and policies
//! columns; with many (or long-named) policies, policies are rows and as many metrics as fit
//! are columns. Tasks that never ran or were lost, and abandoned jobs, are shown whenever any
//! policy has some, with a warning line: they change what every other number means.

use crate::metrics::files::SUMMARY_COLS;
use crate::report::compare::{compare, Cell, Comparison, Table};

/// The terminal width the table keeps within.
pub const WIDTH: usize = 100;

/// Metrics shown, most important first (the policies-as-rows layout drops from the end).
pub const SHOWN: [&str; 9] = [
    "tasks_finished",
    "jct_mean_s",
    "wait_mean_s",
    "makespan_s",
    "jain",
    "util_cpus",
    "jct_p95_s",
    "offers",
    "events",
];

/// Shown when any policy has a non-zero value, right after `tasks_finished`, with a warning.
pub const PROBLEMS: [(&str, &str); 3] = [
    (
        "tasks_unscheduled",
        "tasks never ran (no agent could hold them, their framework left or gave up, or the \
         run ended first)",
    ),
    (
        "tasks_lost",
        "task attempts were lost with their agent (and resubmitted)",
    ),
    (
        "jobs_abandoned",
        "jobs were abandoned after their framework's max_attempts",
    ),
];

/// Renders rows of (policy, summary fields) as the terminal table.
pub fn render(rows: &[(String, Vec<String>)]) -> String {
    let t = Table {
        header: SUMMARY_COLS.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(|(_, f)| f.clone()).collect(),
    };
    render_comparison(&compare(&t))
}

/// A number to 4 significant digits (integers below 10,000 exactly), large ones with k/M/G.
pub fn sig(x: f64) -> String {
    sig_n(x, 4)
}

fn sig_n(x: f64, digits: i32) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a >= 1e4 {
        let (v, unit) = if a >= 1e9 {
            (x / 1e9, "G")
        } else if a >= 1e6 {
            (x / 1e6, "M")
        } else {
            (x / 1e3, "k")
        };
        return format!("{}{unit}", sig_n(v, digits));
    }
    if x.fract() == 0.0 {
        return format!("{x:.0}");
    }
    if a == 0.0 {
        return "0".into();
    }
    if a < 1e-3 {
        // 2.08e-6, not 0.00000208.
        let e = format!("{:.*e}", (digits - 1).max(0) as usize, x);
        let (m, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{exp}");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    // 0.5000 reads as 0.5.
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn cell_text(c: Option<&Cell>) -> String {
    match c {
        None | Some(Cell { mean: None, .. }) => "-".into(),
        Some(Cell {
            mean: Some(m),
            ci95: None,
            ..
        }) => sig(*m),
        Some(Cell {
            mean: Some(m),
            ci95: Some(h),
            ..
        }) => format!("{} ± {}", sig(*m), sig_n(*h, 2)),
    }
}

/// Shortens a long name in the middle, where sweep variants differ least.
fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_string();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut s: String = chars[..head].iter().collect();
    s.push('…');
    s.extend(&chars[chars.len() - tail..]);
    s
}

fn lay_out(rows: &[Vec<String>], right_from: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (k, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c < right_from {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if k == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (cols.max(1) - 1)));
            out.push('\n');
        }
    }
    out
}

fn width_of(table: &str) -> usize {
    table.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The terminal table of a [`Comparison`].
pub fn render_comparison(c: &Comparison) -> String {
    let many = c.replications.iter().any(|&n| n > 1);
    let nonzero = |m: &str| {
        (0..c.policies.len()).any(|p| c.cell(p, m).and_then(|x| x.mean).is_some_and(|v| v != 0.0))
    };
    let problems: Vec<(&str, &str)> = PROBLEMS
        .iter()
        .copied()
        .filter(|(m, _)| nonzero(m))
        .collect();
    let mut metrics: Vec<&str> = vec![SHOWN[0]];
    metrics.extend(problems.iter().map(|(m, _)| *m));
    metrics.extend(&SHOWN[1..]);

    // Metrics as rows, policies as columns, when that fits.
    let mut table = String::new();
    {
        let mut rows: Vec<Vec<String>> = vec![std::iter::once("metric".to_string())
            .chain(c.policies.iter().cloned())
            .collect()];
        if many {
            rows.push(
                std::iter::once("replications".to_string())
                    .chain(c.replications.iter().map(|n| n.to_string()))
                    .collect(),
            );
        }
        for m in &metrics {
            rows.push(
                std::iter::once(m.to_string())
                    .chain((0..c.policies.len()).map(|p| cell_text(c.cell(p, m))))
                    .collect(),
            );
        }
        let t = lay_out(&rows, 1);
        if width_of(&t) <= WIDTH {
            table = t;
        }
    }
    // Otherwise policies as rows, with the metrics that fit.
    if table.is_empty() {
        let names: Vec<String> = c.policies.iter().map(|p| shorten(p, 40)).collect();
        let mut keep = metrics.len();
        loop {
            let mut head = vec!["policy".to_string()];
            if many {
                head.push("runs".into());
            }
            head.extend(metrics[..keep].iter().map(|m| m.to_string()));
            let mut rows = vec![head];
            for (p, name) in names.iter().enumerate() {
                let mut line = vec![name.clone()];
                if many {
                    line.push(c.replications[p].to_string());
                }
                line.extend(metrics[..keep].iter().map(|m| cell_text(c.cell(p, m))));
                rows.push(line);
            }
            let t = lay_out(&rows, 1);
            if width_of(&t) <= WIDTH || keep <= 1 {
                table = t;
                if keep < metrics.len() {
                    table.push_str(&format!(
                        "({} more metrics in compare.csv: {})\n",
                        metrics.len() - keep,
                        metrics[keep..].join(", ")
                    ));
                }
                break;
            }
            keep -= 1;
        }
    }
    if many {
        table.push_str(
            "± is the 95% confidence half-width of the mean over the replications (ci95 in \
             compare.csv).\n",
        );
    }
    for (m, what) in problems {
        let who: Vec<String> = (0..c.policies.len())
            .filter_map(|p| {
                let v = c.cell(p, m).and_then(|x| x.mean).filter(|&v| v != 0.0)?;
                Some(format!("{} under {}", sig(v), c.policies[p]))
            })
            .collect();
        table.push_str(&wrap(&format!(
            "warning: {what}: {} ({m}{}).",
            who.join(", "),
            if many { ", mean per run" } else { "" }
        )));
    }
    table
}

/// Wraps a sentence at word boundaries within [`WIDTH`] columns, continuation lines indented.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = "  ".to_string();
        } else if !line.is_empty() && line != "  " {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(policies: &[&str], reps: u32, extra: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for p in policies {
            for r in 0..reps {
                let mut f: Vec<String> = SUMMARY_COLS
                    .iter()
                    .map(|c| match *c {
                        "policy" => p.to_string(),
                        "replication" => r.to_string(),
                        "tasks_finished" => "2626".into(),
                        "jct_mean_s" => format!("{}", 126.586 + r as f64),
                        "offers" => "18550033".into(),
                        "util_cpus" => "0.549".into(),
                        _ => "0".into(),
                    })
                    .collect();
                for (k, v) in extra {
                    let i = SUMMARY_COLS.iter().position(|c| c == k).unwrap();
                    f[i] = v.to_string();
                }
                out.push((p.to_string(), f));
            }
        }
        out
    }

    #[test]
    fn numbers_have_three_to_four_significant_digits() {
        assert_eq!(sig(2626.0), "2626");
        assert_eq!(sig(2254.6), "2255");
        assert_eq!(sig(126.586), "126.6");
        assert_eq!(sig(0.6193), "0.6193");
        assert_eq!(sig(0.5), "0.5");
        assert_eq!(sig(18_550_033.0), "18.55M");
        assert_eq!(sig(123_456.0), "123.5k");
        assert_eq!(sig(0.0), "0");
        assert_eq!(sig(0.00000208), "2.08e-6");
    }

    #[test]
    fn few_policies_are_columns_and_many_are_rows_within_100_columns() {
        let t = render(&summary(&["drf", "static"], 1, &[]));
        assert!(t.lines().next().unwrap().contains("drf"), "{t}");
        assert!(t.contains("126.6") && t.contains("18.55M"), "{t}");
        assert!(width_of(&t) <= WIDTH, "{t}");
        let names: Vec<String> = (0..12)
            .map(|i| format!("drf@allocation_interval_s=0.{i}+node_wait_s={i}"))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let t = render(&summary(&names, 3, &[]));
        assert!(width_of(&t) <= WIDTH, "{t}");
        assert_eq!(
            t.lines().filter(|l| l.starts_with("drf@")).count(),
            12,
            "{t}"
        );
        assert!(
            t.contains("±") && t.contains("95% confidence half-width"),
            "{t}"
        );
    }

    #[test]
    fn unscheduled_lost_and_abandoned_show_with_a_warning_when_nonzero() {
        let t = render(&summary(&["drf"], 1, &[]));
        assert!(
            !t.contains("tasks_unscheduled") && !t.contains("warning"),
            "{t}"
        );
        let t = render(&summary(
            &["drf", "static"],
            1,
            &[("tasks_unscheduled", "38306"), ("jobs_abandoned", "3")],
        ));
        assert!(
            t.contains("tasks_unscheduled") && t.contains("jobs_abandoned"),
            "{t}"
        );
        assert!(!t.contains("\ntasks_lost"), "{t}");
        assert!(
            t.contains("warning: tasks never ran") && t.contains("38.31k under drf"),
            "{t}"
        );
    }
}
