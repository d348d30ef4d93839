//! `report.html`: one self-contained page per results folder (inline CSS and SVG, nothing loaded
//! from the network) with the comparison table, per-framework figures, the plots, and the inputs
//! that produced them (scenario and policy text, seed, offersim version), so that a results folder
//! can be read, and trusted, without offersim at hand. No wall-clock time goes in it.

use crate::report::compare::{human, human_cell, Comparison, Table};
use crate::report::plots::Plot;

/// What goes into the page besides the comparison and the plots.
pub struct Page<'a> {
    pub name: &'a str,
    pub seed: Option<&'a str>,
    pub version: &'a str,
    /// Input files by display name (scenario, policy files), verbatim.
    pub inputs: &'a [(String, String)],
    /// frameworks.csv of replication 0, per policy.
    pub frameworks: &'a [(String, Table)],
}

pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// What each summary metric means, for the table's tooltips and the glossary.
fn meaning(metric: &str) -> &'static str {
    match metric {
        "jobs" => "jobs submitted",
        "tasks" => "tasks submitted",
        "tasks_finished" => "tasks that ran to completion",
        "tasks_lost" => "task runs lost with their agent",
        "tasks_unscheduled" => "tasks never launched by the end of the run",
        "makespan_s" => "end of the last task (s)",
        "jct_mean_s" | "jct_p50_s" | "jct_p95_s" | "jct_p99_s" => {
            "job completion time: end of the job's last task - submit (s)"
        }
        "wait_mean_s" | "wait_p95_s" => "job wait: first task start - submit (s)",
        "node_local" => "fraction of launched tasks with preferences placed on a preferred agent",
        "rack_local" => "fraction placed on the rack of a preferred agent",
        "off_rack" => "fraction placed elsewhere",
        "jain" => {
            "Jain's index of dominant share / weight over frameworks with pending tasks (n >= 2), \
             time-averaged; 1 = equal"
        }
        "util_cpus" | "util_mem" => "time-averaged used / total over [0, makespan]",
        "offers" => "offers made",
        "offers_declined" => "offers declined (wholly)",
        "offers_rescinded" => "offers rescinded on timeout or agent loss",
        "tasks_preempted" => "tasks killed by priority preemption (and resubmitted)",
        "events" => "events the simulation processed",
        _ => "",
    }
}

const STYLE: &str = r#"
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #e5e5e5; text-align: right;
         white-space: nowrap; }
td.note { white-space: normal; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f4f6f8; border-bottom: 2px solid #ccc; }
tbody tr:hover { background: #fafbfc; }
td.metric { font-family: ui-monospace, Menlo, Consolas, monospace; }
td.note { color: #666; text-align: left; font-size: 0.9em; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"#;

/// The SVG element alone (plotters may start with an XML declaration, invalid inside HTML).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

pub fn render(page: &Page, c: &Comparison, plots: &[Plot]) -> String {
    let mut h = String::new();
    let name = escape(page.name);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>offersim report: {name}</title>\n"));
    h.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    h.push_str(&format!("<h1>offersim report: {name}</h1>\n"));
    let reps: Vec<String> = c.replications.iter().map(|n| n.to_string()).collect();
    h.push_str(&format!(
        "<p class=\"meta\">scenario <b>{name}</b> &middot; seed <b>{}</b> &middot; \
         replications <b>{}</b> &middot; offersim <b>{}</b></p>\n",
        escape(page.seed.unwrap_or("-")),
        escape(&reps.join("/")),
        escape(page.version)
    ));

    h.push_str("<h2>Comparison</h2>\n");
    if c.replications.iter().any(|&n| n > 1) {
        h.push_str(
            "<p>Each cell: mean over replications &plusmn; half-width of the 95% confidence \
             interval (Student t).</p>\n",
        );
    }
    h.push_str("<table>\n<thead><tr><th>metric</th>");
    for p in &c.policies {
        h.push_str(&format!("<th>{}</th>", escape(p)));
    }
    h.push_str("<th>meaning</th></tr></thead>\n<tbody>\n");
    for m in &c.metrics {
        h.push_str(&format!("<tr><td class=\"metric\">{}</td>", escape(m)));
        for pi in 0..c.policies.len() {
            let v = c.cell(pi, m).map(human_cell).unwrap_or_else(|| "-".into());
            h.push_str(&format!("<td>{}</td>", escape(&v)));
        }
        h.push_str(&format!(
            "<td class=\"note\">{}</td></tr>\n",
            escape(meaning(m))
        ));
    }
    h.push_str("</tbody>\n</table>\n");

    if !page.frameworks.is_empty() {
        h.push_str("<h2>Frameworks</h2>\n<p>Replication 0 of each policy (frameworks.csv).</p>\n");
        for (p, t) in page.frameworks {
            h.push_str(&format!("<h3>{}</h3>\n<table>\n<thead><tr>", escape(p)));
            for col in &t.header {
                h.push_str(&format!("<th>{}</th>", escape(col)));
            }
            h.push_str("</tr></thead>\n<tbody>\n");
            for r in &t.rows {
                h.push_str("<tr>");
                for (i, v) in r.iter().enumerate() {
                    let shown = match v.parse::<f64>() {
                        Ok(x) if i > 0 => human(x),
                        _ if v.is_empty() => "-".to_string(),
                        _ => v.clone(),
                    };
                    h.push_str(&format!("<td>{}</td>", escape(&shown)));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody>\n</table>\n");
        }
    }

    if !plots.is_empty() {
        h.push_str("<h2>Plots</h2>\n");
        for p in plots {
            h.push_str(&format!(
                "<figure>\n{}\n<figcaption>{} ({})</figcaption>\n</figure>\n",
                inline_svg(&p.svg).trim_end(),
                escape(&p.title),
                escape(&p.file)
            ));
        }
    }

    h.push_str("<h2>Inputs</h2>\n");
    if page.inputs.is_empty() {
        h.push_str("<p>The scenario text was not saved with these results.</p>\n");
    }
    for (file, text) in page.inputs {
        h.push_str(&format!(
            "<h3>{}</h3>\n<pre>{}</pre>\n",
            escape(file),
            escape(text)
        ));
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn page_is_self_contained() {
        let c = Comparison::default();
        let plots = vec![Plot {
            file: "x.svg".into(),
            title: "T".into(),
            svg: "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
        }];
        let inputs = vec![("scenario.toml".to_string(), "name = \"<x>\"".to_string())];
        let page = Page {
            name: "n",
            seed: Some("1"),
            version: "0.1.0",
            inputs: &inputs,
            frameworks: &[],
        };
        let html = render(&page, &c, &plots);
        assert!(html.contains("<svg></svg>"));
        assert!(!html.contains("<?xml"));
        assert!(html.contains("name = &quot;&lt;x&gt;&quot;"));
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="));
    }
}
