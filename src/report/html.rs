//! `report.html`: one self-contained page per results folder (inline CSS and SVG, nothing loaded
//! from the network) with the paper's figure for a reproduction, the comparison tables, the
//! per-framework tables, the plots, a glossary of every metric, and the inputs that produced
//! them (scenario and policy text, seed, offersim version), so that a results folder can be
//! read, and trusted, without offersim at hand. No wall-clock time goes in it.
//!
//! Laid out for a 1,280 px window: policies are rows (so a sweep of any size grows the page
//! down, not sideways), metrics are grouped a few per table, and per-framework tables take at
//! most [`POLICIES_PER_TABLE`] policies side by side. Every name is escaped.

use crate::report::chart::{css_color, Dash, Palette};
use crate::report::compare::{human, Cell, Comparison, FrameworkComparison};
use crate::report::figures::Reproduction;
use crate::report::meta::{framework_metric, summary_metric, Better, GROUPS, JAIN_CAVEAT};
use crate::report::plots::Plot;

/// Policies side by side in one per-framework table at most; more are split into tables
/// (fewer when their names are long).
pub const POLICIES_PER_TABLE: usize = 8;

/// The page's content width in CSS pixels (body max-width less its padding).
const CONTENT_PX: usize = 1148;

/// How many policy columns fit beside the framework column in the content width: a column is
/// as wide as its name's widest unbreakable piece (bold 14 px, about 8.4 px a character) or a
/// "mean ± half-width" cell, whichever is wider.
fn policies_per_table(f: &FrameworkComparison) -> usize {
    let name_col = f
        .frameworks
        .iter()
        .map(|n| n.chars().count().min(24))
        .max()
        .unwrap_or(9)
        * 8
        + 44;
    let col = f
        .policies
        .iter()
        .map(|p| widest_piece(p) * 84 / 10 + 20)
        .max()
        .unwrap_or(0)
        .max(96);
    (CONTENT_PX.saturating_sub(name_col) / col).clamp(1, POLICIES_PER_TABLE)
}

/// Framework metrics shown open; the others are in a collapsed section.
const MAIN_FRAMEWORK_METRICS: [&str; 4] = ["share_mean", "jct_mean_s", "wait_mean_s", "busyness"];

/// What goes into the page besides the comparison and the plots.
pub struct Page<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub seed: Option<&'a str>,
    pub version: &'a str,
    /// Input files by display name (scenario, policy files), verbatim.
    pub inputs: &'a [(String, String)],
    pub frameworks: &'a FrameworkComparison,
    pub palette: &'a Palette,
    pub reproduction: Option<&'a Reproduction>,
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

/// A name for a table cell: short ones never wrap, long ones wrap at [`breakable`]'s points.
fn name_html(s: &str) -> String {
    if s.chars().count() <= 24 {
        format!("<span class=\"nw\">{}</span>", escape(s))
    } else {
        breakable_name(s)
    }
}

/// A name escaped, with break opportunities after `_`, `@`, `+` and `=` so that long metric
/// and sweep names wrap in a narrow column.
fn breakable(s: &str) -> String {
    break_after(s, "_@+=,")
}

/// A policy or framework name escaped, breakable only between a sweep's parts (after `@`, `+`).
fn breakable_name(s: &str) -> String {
    break_after(s, "@+,")
}

fn break_after(s: &str, points: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        o.push_str(&escape(&c.to_string()));
        if points.contains(c) {
            o.push_str("<wbr>");
        }
    }
    o
}

/// The widest unbreakable piece of a name, in characters.
fn widest_piece(s: &str) -> usize {
    s.split(['@', '+', ','])
        .map(|p| p.chars().count() + 1)
        .max()
        .unwrap_or(0)
}

const STYLE: &str = r#"
body { font: 15px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1180px; margin: 1.5em auto; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.08em; margin: 1.4em 0 0.3em; }
h3 .what { font-weight: normal; color: #555; font-size: 0.9em; }
.lead { font-size: 1.05em; margin: 0.3em 0; }
.meta, .toc { color: #555; }
.toc a { color: #0b5cad; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 14px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e5e5e5; text-align: right;
         vertical-align: top; }
thead th { background: #f4f6f8; border-bottom: 2px solid #ccc; vertical-align: bottom;
           font-weight: 600; }
th.name, td.name { text-align: left; max-width: 26em; }
.nw { white-space: nowrap; }
th.pol { white-space: normal; }
td.ref, th.ref { background: #f6f6f6; color: #333; }
td.text, th.text { text-align: left; }
td .ci { display: block; color: #666; font-size: 12.5px; white-space: nowrap; }
td.best { background: #e3f4e8; font-weight: 700; }
td.best .ci { font-weight: normal; }
th .dir { color: #444; font-weight: normal; }
.mark { background: #e3f4e8; font-weight: 700; padding: 0 4px; }
.caveat { border-left: 4px solid #e69f00; background: #fff8e6; padding: 0.5em 0.8em;
          max-width: 1100px; }
.note { color: #444; max-width: 1100px; }
figure { margin: 1.4em 0; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { color: #444; font-size: 14px; max-width: 1100px; margin-top: 0.3em; }
figcaption b { color: #222; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; padding: 0.8em;
      font-size: 13px; }
.sw { display: inline-block; margin-right: 6px; vertical-align: 0; }
table.gloss td { text-align: left; }
table.gloss td.dir { white-space: nowrap; }
table.gloss td.metric { font-family: ui-monospace, Menlo, Consolas, monospace;
                        white-space: nowrap; }
details summary { cursor: pointer; color: #0b5cad; margin: 0.8em 0; }
.fwm { display: inline-block; vertical-align: top; margin-right: 2.2em; max-width: 100%; }
.fwm h3 { margin-bottom: 0; }
.fwm p.what { margin: 0; color: #555; font-size: 13px; max-width: 24em; }
"#;

/// The SVG element alone (plotters may start with an XML declaration, invalid inside HTML).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// "N per policy", or the range when policies differ.
fn replications_text(reps: &[usize]) -> String {
    let lo = reps.iter().copied().min().unwrap_or(0);
    let hi = reps.iter().copied().max().unwrap_or(0);
    if lo == hi {
        format!("{lo} per policy")
    } else {
        format!("{lo} to {hi} per policy")
    }
}

/// The cells that hold the best mean among `cells` in direction `b` (ties all marked); none
/// when there is no direction, fewer than two values, or all are equal.
fn best(cells: &[Option<&Cell>], b: Better) -> Vec<bool> {
    let vals: Vec<Option<f64>> = cells.iter().map(|c| c.and_then(|c| c.mean)).collect();
    let present: Vec<f64> = vals.iter().flatten().copied().collect();
    if b == Better::Neither || present.len() < 2 {
        return vec![false; cells.len()];
    }
    let top = present
        .iter()
        .copied()
        .fold(present[0], |a, x| if b.beats(x, a) { x } else { a });
    let tied = |x: f64| (x - top).abs() <= 1e-12 * top.abs().max(1.0);
    if present.iter().all(|&x| tied(x)) {
        return vec![false; cells.len()];
    }
    vals.iter().map(|v| v.is_some_and(tied)).collect()
}

/// A table cell: mean, and the interval's half-width below it.
fn cell_html(c: Option<&Cell>, is_best: bool, b: Better) -> String {
    let class = if is_best { " class=\"best\"" } else { "" };
    let title = if is_best {
        format!(" title=\"best ({})\"", b.words())
    } else {
        String::new()
    };
    match c.and_then(|c| c.mean.map(|m| (m, c.ci95))) {
        None => format!("<td{class}>-</td>"),
        // A zero half-width (every replication equal) says nothing a reader needs.
        Some((m, None)) | Some((m, Some(0.0))) => {
            format!("<td{class}{title}>{}</td>", escape(&human(m)))
        }
        Some((m, Some(h))) => format!(
            "<td{class}{title}>{}<span class=\"ci\">&plusmn; {}</span></td>",
            escape(&human(m)),
            escape(&human(h))
        ),
    }
}

fn metric_head(m: &str, b: Better, meaning: &str) -> String {
    let arrow = if b == Better::Neither {
        String::new()
    } else {
        format!(" <span class=\"dir\">{}</span>", b.arrow())
    };
    format!(
        "<th title=\"{}\">{}{arrow}</th>",
        escape(&format!("{meaning} ({})", b.words())),
        breakable(m)
    )
}

/// A framework's line as the plots draw it (colour and dash), beside its name.
fn swatch(p: &Palette, framework: &str) -> String {
    let l = p.frameworks.of(framework);
    let dash = match l.dash {
        Dash::Solid => "",
        Dash::Dashed => " stroke-dasharray=\"7 4\"",
        Dash::Dotted => " stroke-dasharray=\"2 3\"",
    };
    format!(
        "<svg class=\"sw\" width=\"24\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" \
         y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"{}\" stroke-width=\"3\"{dash}/></svg>",
        css_color(l.color)
    )
}

fn figure_html(h: &mut String, p: &Plot) {
    h.push_str(&format!(
        "<figure>\n{}\n<figcaption><b>{}</b> ({}). {}</figcaption>\n</figure>\n",
        inline_svg(&p.svg).trim_end(),
        escape(&p.title),
        escape(&p.file),
        escape(&p.caption)
    ));
}

fn text_table(h: &mut String, rows: &[Vec<String>]) {
    let Some((head, body)) = rows.split_first() else {
        return;
    };
    // The reference columns (a paper's, another simulator's) are shaded.
    let is_ref: Vec<bool> = head
        .iter()
        .map(|c| c.contains("paper") || c.contains("Omega simulator"))
        .collect();
    let class = |i: usize| {
        if i == 0 {
            " class=\"name\""
        } else if is_ref[i] {
            " class=\"ref\""
        } else {
            ""
        }
    };
    h.push_str("<table>\n<thead><tr>");
    for (i, c) in head.iter().enumerate() {
        h.push_str(&format!("<th{}>{}</th>", class(i), breakable(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in body {
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let text = if i == 0 { name_html(c) } else { escape(c) };
            h.push_str(&format!(
                "<td{}>{text}</td>",
                class(i.min(is_ref.len() - 1))
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

fn comparison(h: &mut String, c: &Comparison) {
    h.push_str("<h2 id=\"comparison\">Comparison of policies</h2>\n");
    let many = c.replications.iter().any(|&n| n > 1);
    h.push_str("<p>");
    if many {
        h.push_str(
            "Each cell is the mean over the policy's replications, with the half-width of the \
             95% confidence interval (Student t) below it. ",
        );
    } else {
        h.push_str("One replication per policy: no confidence interval. ");
    }
    h.push_str(
        "&uarr; higher is better, &darr; lower is better (hover a column for its meaning; all \
         are defined under <a href=\"#metrics\">Metrics</a>); the best mean of a column is \
         <span class=\"mark\">bold on green</span> (a mark compares means only: read it with \
         the other columns, e.g. a run that leaves tasks unscheduled can end sooner). Every \
         value is in compare.csv.</p>\n",
    );
    let differ = c.replications.iter().any(|&n| n != c.replications[0]);
    let mut placed: Vec<&str> = Vec::new();
    let mut groups: Vec<(&str, Vec<&str>)> = GROUPS
        .iter()
        .map(|(g, ms)| {
            let ms: Vec<&str> = ms
                .iter()
                .copied()
                .filter(|m| c.metrics.iter().any(|x| x == m))
                .collect();
            placed.extend(&ms);
            (*g, ms)
        })
        .collect();
    let other: Vec<&str> = c
        .metrics
        .iter()
        .map(String::as_str)
        .filter(|m| !placed.contains(m))
        .collect();
    groups.push(("Other", other));
    for (g, ms) in groups {
        let has = |m: &str| (0..c.policies.len()).any(|p| c.cell(p, m).is_some_and(|x| x.n > 0));
        let shown: Vec<&str> = ms.iter().copied().filter(|m| has(m)).collect();
        let empty: Vec<&str> = ms.iter().copied().filter(|m| !has(m)).collect();
        if ms.is_empty() {
            continue;
        }
        h.push_str(&format!("<h3>{}</h3>\n", escape(g)));
        if shown.is_empty() {
            let why = if g == "Locality" {
                "no task had preferences (no input blocks or preferred nodes)"
            } else {
                "no run has a value"
            };
            h.push_str(&format!(
                "<p class=\"note\">{}: empty, {why}.</p>\n",
                escape(&empty.join(", "))
            ));
            continue;
        }
        h.push_str("<table class=\"cmp\">\n<thead><tr><th class=\"name\">policy</th>");
        if differ {
            h.push_str("<th>runs</th>");
        }
        for m in &shown {
            let (meaning, b) = summary_metric(m);
            h.push_str(&metric_head(m, b, meaning));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        let marks: Vec<Vec<bool>> = shown
            .iter()
            .map(|m| {
                let cells: Vec<Option<&Cell>> =
                    (0..c.policies.len()).map(|p| c.cell(p, m)).collect();
                best(&cells, summary_metric(m).1)
            })
            .collect();
        for (pi, p) in c.policies.iter().enumerate() {
            h.push_str(&format!("<tr><td class=\"name\">{}</td>", name_html(p)));
            if differ {
                h.push_str(&format!("<td>{}</td>", c.replications[pi]));
            }
            for (k, m) in shown.iter().enumerate() {
                h.push_str(&cell_html(c.cell(pi, m), marks[k][pi], summary_metric(m).1));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        if !empty.is_empty() {
            h.push_str(&format!(
                "<p class=\"note\">Empty in every run, not shown: {}.</p>\n",
                escape(&empty.join(", "))
            ));
        }
        if shown.contains(&"jain") {
            h.push_str(&format!(
                "<p class=\"caveat\"><b>Reading Jain's index.</b> {}</p>\n",
                escape(JAIN_CAVEAT)
            ));
        }
    }
}

fn framework_table(h: &mut String, f: &FrameworkComparison, pal: &Palette, m: &str) {
    h.push_str("<div class=\"fwm\">\n");
    framework_table_inner(h, f, pal, m);
    h.push_str("</div>\n");
}

fn framework_table_inner(h: &mut String, f: &FrameworkComparison, pal: &Palette, m: &str) {
    let (meaning, b) = framework_metric(m);
    let arrow = if b == Better::Neither {
        String::new()
    } else {
        format!(" {}", b.arrow())
    };
    h.push_str(&format!(
        "<h3>{}{arrow}</h3>\n<p class=\"what\">{} ({})</p>\n",
        breakable(m),
        escape(meaning),
        b.words()
    ));
    let np = f.policies.len();
    let per = policies_per_table(f);
    let chunks: Vec<std::ops::Range<usize>> =
        (0..np).step_by(per).map(|s| s..(s + per).min(np)).collect();
    for r in &chunks {
        if chunks.len() > 1 {
            h.push_str(&format!(
                "<p class=\"note\">Policies {} to {} of {np}:</p>\n",
                r.start + 1,
                r.end
            ));
        }
        h.push_str("<table class=\"fw\">\n<thead><tr><th class=\"name\">framework</th>");
        for p in &f.policies[r.clone()] {
            h.push_str(&format!("<th class=\"pol\">{}</th>", breakable_name(p)));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (fi, fw) in f.frameworks.iter().enumerate() {
            let cells: Vec<Option<&Cell>> = (0..np).map(|p| f.cell(p, fi, m)).collect();
            let marks = best(&cells, b);
            h.push_str(&format!(
                "<tr><td class=\"name\">{}{}</td>",
                swatch(pal, fw),
                name_html(fw)
            ));
            for pi in r.clone() {
                h.push_str(&cell_html(cells[pi], marks[pi], b));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

fn frameworks(h: &mut String, f: &FrameworkComparison, pal: &Palette) {
    if f.is_empty() {
        return;
    }
    h.push_str("<h2 id=\"frameworks\">Frameworks</h2>\n");
    let many = f.replications.iter().any(|&n| n > 1);
    h.push_str(&format!(
        "<p>One table per frameworks.csv metric: per framework and policy, {} (all in \
         compare_frameworks.csv). The best policy for a framework is <span class=\"mark\">bold \
         on green</span> where the metric has a better direction. A framework's colour swatch is \
         its colour in every plot.</p>\n",
        if many {
            "the mean over the replications with the 95% confidence half-width below it"
        } else {
            "the value of the one replication"
        }
    ));
    let has = |m: &str| {
        (0..f.policies.len())
            .any(|p| (0..f.frameworks.len()).any(|fi| f.cell(p, fi, m).is_some_and(|c| c.n > 0)))
    };
    let (main, more): (Vec<&String>, Vec<&String>) = f
        .metrics
        .iter()
        .filter(|m| has(m))
        .partition(|m| MAIN_FRAMEWORK_METRICS.contains(&m.as_str()));
    for m in main {
        framework_table(h, f, pal, m);
    }
    if !more.is_empty() {
        let names: Vec<&str> = more.iter().map(|m| m.as_str()).collect();
        h.push_str(&format!(
            "<details>\n<summary>More framework metrics: {}</summary>\n",
            escape(&names.join(", "))
        ));
        for m in more {
            framework_table(h, f, pal, m);
        }
        h.push_str("</details>\n");
    }
    let empty: Vec<&str> = f
        .metrics
        .iter()
        .map(String::as_str)
        .filter(|m| !has(m))
        .collect();
    if !empty.is_empty() {
        h.push_str(&format!(
            "<p class=\"note\">Empty for every framework, not shown: {}.</p>\n",
            escape(&empty.join(", "))
        ));
    }
}

fn glossary(h: &mut String, c: &Comparison, f: &FrameworkComparison) {
    h.push_str("<h2 id=\"metrics\">Metrics</h2>\n");
    let table = |h: &mut String, ms: &[String], what: &dyn Fn(&str) -> (&'static str, Better)| {
        h.push_str(
            "<table class=\"gloss\">\n<thead><tr><th class=\"text\">metric</th>\
             <th class=\"text\">better</th><th class=\"text\">meaning</th></tr></thead>\n<tbody>\n",
        );
        for m in ms {
            let (meaning, b) = what(m);
            let mut text = if meaning.is_empty() {
                "(a column this offersim does not know)".to_string()
            } else {
                meaning.to_string()
            };
            if m == "jain" {
                text.push_str(". ");
                text.push_str(JAIN_CAVEAT);
            }
            h.push_str(&format!(
                "<tr><td class=\"metric\">{}</td><td class=\"dir\">{} {}</td><td>{}</td></tr>\n",
                breakable(m),
                b.arrow(),
                b.words(),
                escape(&text)
            ));
        }
        h.push_str("</tbody>\n</table>\n");
    };
    h.push_str("<h3>Per run (summary.csv, compare.csv)</h3>\n");
    table(h, &c.metrics, &summary_metric);
    if !f.is_empty() {
        h.push_str("<h3>Per framework (frameworks.csv, compare_frameworks.csv)</h3>\n");
        table(h, &f.metrics, &framework_metric);
    }
}

pub fn render(page: &Page, c: &Comparison, plots: &[Plot]) -> String {
    let mut h = String::new();
    let name = escape(page.name);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!("<title>offersim report: {name}</title>\n"));
    h.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    h.push_str(&format!("<h1>offersim report: {name}</h1>\n"));
    if let Some(d) = page.description {
        h.push_str(&format!("<p class=\"lead\">{}</p>\n", escape(d)));
    }
    let np = c.policies.len();
    h.push_str(&format!(
        "<p class=\"meta\">scenario <b>{name}</b> &middot; {np} polic{} &middot; replications \
         <b>{}</b> &middot; seed <b>{}</b> (replication r runs with seed + r) &middot; offersim \
         <b>{}</b></p>\n",
        if np == 1 { "y" } else { "ies" },
        escape(&replications_text(&c.replications)),
        escape(page.seed.unwrap_or("-")),
        escape(page.version)
    ));
    let mut toc = Vec::new();
    if page.reproduction.is_some() {
        toc.push(("paper", "Paper figure"));
    }
    toc.push(("comparison", "Comparison"));
    if !page.frameworks.is_empty() {
        toc.push(("frameworks", "Frameworks"));
    }
    if !plots.is_empty() {
        toc.push(("plots", "Plots"));
    }
    toc.push(("metrics", "Metrics"));
    toc.push(("inputs", "Inputs"));
    let links: Vec<String> = toc
        .iter()
        .map(|(id, t)| format!("<a href=\"#{id}\">{t}</a>"))
        .collect();
    h.push_str(&format!(
        "<p class=\"toc\">Contents: {}</p>\n",
        links.join(" &middot; ")
    ));

    if let Some(r) = page.reproduction {
        h.push_str(&format!(
            "<h2 id=\"paper\">Paper figure: {}</h2>\n",
            escape(&r.paper)
        ));
        for p in &r.plots {
            figure_html(&mut h, p);
        }
        text_table(&mut h, &r.table);
        for n in &r.notes {
            h.push_str(&format!("<p class=\"note\">{}</p>\n", escape(n)));
        }
    }

    comparison(&mut h, c);
    frameworks(&mut h, page.frameworks, page.palette);

    if !plots.is_empty() {
        h.push_str("<h2 id=\"plots\">Plots</h2>\n");
        for p in plots {
            figure_html(&mut h, p);
        }
    }

    glossary(&mut h, c, page.frameworks);

    h.push_str("<h2 id=\"inputs\">Inputs</h2>\n");
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
        assert_eq!(breakable("a_b<"), "a_<wbr>b&lt;");
    }

    fn page<'a>(
        inputs: &'a [(String, String)],
        f: &'a FrameworkComparison,
        pal: &'a Palette,
    ) -> Page<'a> {
        Page {
            name: "n",
            description: None,
            seed: Some("1"),
            version: "0.1.0",
            inputs,
            frameworks: f,
            palette: pal,
            reproduction: None,
        }
    }

    #[test]
    fn page_is_self_contained() {
        let c = Comparison::default();
        let plots = vec![Plot {
            file: "x.svg".into(),
            title: "T".into(),
            caption: String::new(),
            svg: "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
        }];
        let inputs = vec![("scenario.toml".to_string(), "name = \"<x>\"".to_string())];
        let (f, pal) = (FrameworkComparison::default(), Palette::default());
        let html = render(&page(&inputs, &f, &pal), &c, &plots);
        assert!(html.contains("<svg></svg>"));
        assert!(!html.contains("<?xml"));
        assert!(html.contains("name = &quot;&lt;x&gt;&quot;"));
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="));
    }

    fn cell(m: f64) -> Cell {
        Cell {
            n: 2,
            mean: Some(m),
            ci95: Some(0.1),
        }
    }

    #[test]
    fn best_follows_the_direction_and_ties() {
        let (a, b, c) = (cell(1.0), cell(2.0), cell(1.0));
        let cells = [Some(&a), Some(&b), Some(&c), None];
        assert_eq!(best(&cells, Better::Lower), [true, false, true, false]);
        assert_eq!(best(&cells, Better::Higher), [false, true, false, false]);
        assert_eq!(best(&cells, Better::Neither), [false; 4]);
        assert_eq!(best(&[Some(&a), Some(&c)], Better::Lower), [false, false]);
    }

    #[test]
    fn comparison_puts_policies_in_rows_and_states_the_caveat() {
        let t = crate::report::compare::Table {
            header: [
                "policy",
                "replication",
                "seed",
                "jain",
                "jct_mean_s",
                "node_local",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: [
                ["static", "0", "1", "0.999", "10", ""],
                ["static", "1", "2", "0.999", "12", ""],
                ["drf", "0", "1", "0.93", "8", ""],
                ["drf", "1", "2", "0.94", "9", ""],
            ]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect(),
        };
        let c = crate::report::compare::compare(&t);
        let (f, pal) = (FrameworkComparison::default(), Palette::default());
        let html = render(&page(&[], &f, &pal), &c, &[]);
        assert!(html.contains("replications <b>2 per policy</b>"), "{html}");
        assert!(html.contains("static scores about 1") || html.contains("scores about 1"));
        assert!(html.contains("no task had preferences"));
        // DRF has the lower JCT: its cell is marked; static's jain is marked (higher).
        let row = |p: &str| {
            let key = format!("<td class=\"name\"><span class=\"nw\">{p}</span></td>");
            html.match_indices(&key)
                .map(|(i, _)| &html[i..i + html[i..].find("</tr>").unwrap()])
                .collect::<String>()
        };
        assert!(row("drf").contains("class=\"best\" title=\"best (lower is better)\">8.500"));
        assert!(row("static").contains("class=\"best\" title=\"best (higher is better)\">0.999"));
    }
}
