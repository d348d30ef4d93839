//! Issue 5: the metric definitions on hand-computed cases, and `offersim check` and `plot` as a
//! user runs them (the built binary, real exit codes).

use crate::common::*;
use std::path::Path;

fn offersim(args: &[&str]) -> std::process::Output {
    offersim_cmd(args)
        .current_dir(repo())
        .output()
        .expect("run offersim")
}

fn field(path: &Path, row: usize, name: &str) -> String {
    let (h, rows) = read_csv(path);
    rows[row][col(&h, name)].clone()
}

/// seed_example on one 4-cpu, 4 GB agent: 3 cpus / 3 GB used over [0, 1), everything over
/// [1, 10), 1 cpu / 1 GB over [10, 11); makespan 11, so utilization = (0.75 + 9 + 0.25) / 11.
#[test]
fn utilization_and_framework_shares_match_hand_computation() {
    let dir = tmp("util");
    run_into(&repo().join("tests/conformance/seed_example.toml"), &dir);
    let util: f64 = {
        let s = offersim::report::compare::read_table(&dir.join("utilization.csv")).unwrap();
        assert_eq!(s.header, ["time_s", "util_cpus", "util_mem"]);
        let at = |t: &str| {
            let r = s.rows.iter().find(|r| r[0] == t).unwrap();
            r[1].parse::<f64>().unwrap()
        };
        assert_eq!(
            (at("0"), at("1"), at("9"), at("10"), at("11")),
            (0.75, 1.0, 1.0, 0.25, 0.0)
        );
        10.0 / 11.0
    };
    let out = dir.join("out");
    let o = offersim(&[
        "run",
        "tests/conformance/seed_example.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = out.join("summary.csv");
    for c in ["util_cpus", "util_mem"] {
        let v: f64 = field(&summary, 0, c).parse().unwrap();
        assert!((v - util).abs() < 1e-8, "{c} = {v}");
    }
    // Dominant shares averaged over the 30 s run: fw1 holds 0.75 over [0, 10); fw2 0.25 over
    // [1, 11). Only one framework ever has pending tasks at a time, so Jain's index is empty.
    let fws = dir.join("frameworks.csv");
    assert_eq!(field(&fws, 0, "framework"), "fw1");
    assert_eq!(field(&fws, 0, "share_mean"), "0.25");
    assert_eq!(field(&fws, 1, "share_mean"), "0.083333333");
    assert_eq!(field(&fws, 1, "wait_mean_s"), "1");
    assert_eq!(field(&summary, 0, "jain"), "");
    for f in [
        "report.html",
        "compare.csv",
        "compare_frameworks.csv",
        "jct-cdf.svg",
        "utilization.svg",
        "shares-drf.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn jain_index_of_weighted_shares() {
    use offersim::metrics::stats::jain;
    // (1 + 2 + 3)^2 / (3 * (1 + 4 + 9)) = 36 / 42.
    assert!((jain(&[1.0, 2.0, 3.0]) - 36.0 / 42.0).abs() < 1e-12);
    // Shares 0.2 and 0.4 of roles weighted 1 and 2 are equal per unit of weight.
    assert_eq!(jain(&[0.2 / 1.0, 0.4 / 2.0]), 1.0);
    // One framework holding everything among n: 1/n.
    assert!((jain(&[0.9, 0.0, 0.0]) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn confidence_interval_is_student_t() {
    use offersim::metrics::stats::mean_ci;
    // 2, 4, 6: mean 4, sample sd 2, half-width t(0.975, 2) * 2 / sqrt(3).
    let (m, h) = mean_ci(&[2.0, 4.0, 6.0]).unwrap();
    assert_eq!(m, 4.0);
    assert!((h.unwrap() - 4.303 * 2.0 / 3f64.sqrt()).abs() < 1e-12);
    assert_eq!(mean_ci(&[5.0]), Some((5.0, None)));
}

#[test]
fn check_passes_on_the_committed_baseline_and_fails_on_a_perturbed_one() {
    let o = offersim(&["check", "scenarios/ci-fairness.toml", "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    let dir = tmp("check");
    let base = repo().join("results/ci-fairness/summary.csv");
    let (h, mut rows) = read_csv(&base);
    let j = col(&h, "jain");
    let v: f64 = rows[0][j].parse().unwrap();
    rows[0][j] = format!("{}", v + 0.01);
    let perturbed = dir.join("summary.csv");
    let mut w = csv::Writer::from_path(&perturbed).unwrap();
    w.write_record(&h).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let o = offersim(&[
        "check",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--baseline",
        perturbed.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("jain"), "{out}");

    let missing = dir.join("nope/summary.csv");
    let o = offersim(&[
        "check",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--baseline",
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--update"), "{err}");
}

#[test]
fn plot_redraws_identical_files_from_the_csvs() {
    let dir = tmp("plot");
    let out = dir.join("r");
    let o = offersim(&[
        "run",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--policy",
        "drf",
        "--replications",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = [
        "report.html",
        "compare.csv",
        "compare_frameworks.csv",
        "shares-drf.svg",
        "jct-cdf.svg",
    ];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    for f in files {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    let o = offersim(&["plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (f, b) in files.iter().zip(before) {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), b, "{f} differs");
    }
    // What was redrawn shows the run: a legend entry and a series for every framework.
    let (h, rows) = read_csv(&out.join("drf/0/frameworks.csv"));
    let names: Vec<&String> = rows.iter().map(|r| &r[col(&h, "framework")]).collect();
    let shares = read_plot(&out.join("shares-drf.svg"));
    for n in &names {
        assert!(shares.has_text(n), "no legend entry for {n}");
    }
    let colours: std::collections::BTreeSet<&String> = shares
        .lines
        .iter()
        .filter(|l| l.1.len() > 2)
        .map(|l| &l.0)
        .collect();
    assert_eq!(colours.len(), names.len(), "one series per framework");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("ci-fairness") && html.contains("seed"));
    assert!(!html.contains("<script") && !html.contains("<link"));
}

/// Issue 16: compare_frameworks.csv holds, per policy, framework and frameworks.csv metric, the
/// mean of the replications' values and the Student-t half-width, as compare.csv does for
/// summary.csv; `offersim plot` writes the same file again from the CSVs.
#[test]
fn compare_frameworks_is_the_interval_of_every_framework_metric() {
    use offersim::metrics::stats::mean_ci;
    let dir = tmp("cmpfw");
    let out = dir.join("r");
    let o = offersim(&[
        "run",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("compare_frameworks.csv"));
    assert_eq!(
        h,
        [
            "policy",
            "framework",
            "metric",
            "replications",
            "mean",
            "ci95",
            "ci95_low",
            "ci95_high"
        ]
    );
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    let mut policies: Vec<String> = srows
        .iter()
        .map(|r| r[col(&sh, "policy")].clone())
        .collect();
    policies.dedup();
    let mut checked = 0;
    for p in &policies {
        let runs: Vec<(Vec<String>, Vec<Vec<String>>)> = (0..3)
            .map(|r| read_csv(&out.join(p).join(r.to_string()).join("frameworks.csv")))
            .collect();
        let metrics: Vec<&String> = runs[0].0.iter().skip(1).collect();
        for fw_row in &runs[0].1 {
            let fw = &fw_row[0];
            for m in &metrics {
                let vals: Vec<f64> = runs
                    .iter()
                    .filter_map(|(fh, fr)| {
                        let r = fr.iter().find(|r| &r[0] == fw)?;
                        r[col(fh, m)].parse().ok()
                    })
                    .collect();
                let row = rows
                    .iter()
                    .find(|r| &r[0] == p && &r[1] == fw && &r[2] == *m)
                    .unwrap_or_else(|| panic!("no row for {p} {fw} {m}"));
                assert_eq!(row[3], vals.len().to_string(), "{p} {fw} {m}");
                match mean_ci(&vals) {
                    None => assert_eq!(row[4..], ["", "", "", ""], "{p} {fw} {m}"),
                    Some((mean, half)) => {
                        let got: f64 = row[4].parse().unwrap();
                        assert!((got - mean).abs() < 1e-8, "{p} {fw} {m}: {got} vs {mean}");
                        let h: f64 = row[5].parse().unwrap();
                        let half = half.unwrap();
                        assert!((h - half).abs() < 1e-8, "{p} {fw} {m}: {h} vs {half}");
                        let lo: f64 = row[6].parse().unwrap();
                        assert!((lo - (mean - half)).abs() < 1e-8);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} cells checked");
    // Some framework metric varies across these replications, so an interval is not always 0.
    assert!(rows
        .iter()
        .any(|r| r[5].parse::<f64>().is_ok_and(|h| h > 0.0)));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("compare_frameworks.csv") && html.contains("&plusmn;"));
    assert!(html.contains("replications <b>3 per policy</b>"));
    assert!(!html.contains("3/3"));

    let before = std::fs::read(out.join("compare_frameworks.csv")).unwrap();
    std::fs::remove_file(out.join("compare_frameworks.csv")).unwrap();
    let o = offersim(&["plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(out.join("compare_frameworks.csv")).unwrap(),
        before
    );
}

/// The font sizes an SVG asks for, in pixels.
fn font_sizes(svg: &str) -> Vec<f64> {
    svg.split("font-size=\"")
        .skip(1)
        .map(|p| p[..p.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// Issue 16: plots only where there are data (the quickstart's tasks have no preferences, so
/// no locality plot), and every plot's text is at least 12 px at its size.
#[test]
fn plots_have_data_and_readable_text() {
    let dir = tmp("plots16");
    let out = dir.join("q");
    let o = offersim(&[
        "run",
        "scenarios/quickstart.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !out.join("locality.svg").exists(),
        "a locality plot without data"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("no task had preferences"));
    // With preferences (ci-fairness reads inputs) the locality plot is there.
    let loc = dir.join("c");
    let o = offersim(&[
        "run",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--out",
        loc.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(loc.join("locality.svg").is_file());
    let mut n = 0;
    for d in [&out, &loc] {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "svg") {
                let svg = std::fs::read_to_string(&p).unwrap();
                let sizes = font_sizes(&svg);
                assert!(!sizes.is_empty(), "{}", p.display());
                assert!(
                    sizes.iter().all(|&s| s >= 12.0),
                    "{}: {sizes:?}",
                    p.display()
                );
                // The legend is outside the data: no legend box drawn over the plot area.
                assert!(!svg.contains("opacity=\"0.85\""), "{}", p.display());
                n += 1;
            }
        }
    }
    assert!(n >= 6, "{n} plots");
}

/// Issue 16: each shipped reproduction's paper figure is drawn from its committed CSV files
/// alone (a copy of the folder without the regenerated per-task files), is the committed one,
/// and sets the paper's numbers beside offersim's where the paper gives numbers.
#[test]
fn paper_figures_come_from_the_committed_csvs() {
    let figures = [
        ("drf-paper", "drf-shares.svg", "paper (progressive filling)"),
        ("drf-paper-dynamic", "drf-shares.svg", "memory share"),
        ("mesos-locality", "mesos-locality.svg", "paper: lower bound"),
        ("delay-model", "locality-vs-wait.svg", "paper&apos;s model"),
        ("omega-mesos", "omega-fig7.svg", "Omega simulator: batch"),
        (
            "omega-fig7",
            "omega-fig7.svg",
            "hollow: wait to full scheduling",
        ),
        (
            "omega-fig7-small",
            "omega-fig7.svg",
            "hollow: wait to full scheduling",
        ),
    ];
    let work = tmp("figures");
    for (name, file, legend) in figures {
        let src = repo().join("results").join(name);
        let copy = work.join(name);
        copy_committed(&src, &copy);
        let o = offersim(&["plot", copy.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let drawn = std::fs::read_to_string(copy.join(file))
            .unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
        let legend_text = legend.replace("&apos;", "'");
        assert!(
            drawn.contains(legend) || drawn.contains(&legend_text),
            "{name}: {file} has no `{legend}`"
        );
        let committed = std::fs::read_to_string(src.join(file)).unwrap();
        assert!(
            drawn == committed,
            "{name}: committed {file} is not what `offersim plot` draws"
        );
        let html = std::fs::read_to_string(copy.join("report.html")).unwrap();
        assert!(
            html.contains("id=\"paper\""),
            "{name}: no paper figure section"
        );
    }
    // The paper's numbers beside offersim's.
    let html = |n: &str| std::fs::read_to_string(work.join(n).join("report.html")).unwrap();
    let ml = html("mesos-locality");
    assert!(ml.contains("18.0 %") && ml.contains("&gt; 90.0 %") && ml.contains("95.0 %"));
    assert!(ml.contains("1.7x"));
    let dm = html("delay-model");
    assert!(dm.contains("about 0.26") && dm.contains("at least 0.95"));
    let om = html("omega-mesos");
    assert!(om.contains("0.722") && om.contains("0.018"));
    // The loaded cell's table: batch waits to first and full scheduling, abandoned share.
    let of = html("omega-fig7");
    assert!(of.contains("batch wait full (s)") && of.contains("batch abandoned"));
    // Table 2 is the paper's table: its own CSV, paper columns beside offersim's.
    let t2 = work.join("mesos-table2");
    copy_committed(&repo().join("results/mesos-table2"), &t2);
    let o = offersim(&["plot", t2.to_str().unwrap()]);
    assert!(o.status.success());
    let t2h = std::fs::read_to_string(t2.join("report.html")).unwrap();
    assert!(t2h.contains("ramp-up (s): paper") && t2h.contains("230.3") && t2h.contains("292.9"));
}

/// Copies a results folder without the files its .gitignore leaves out of git (the per-task,
/// per-offer files), so the copy holds what a clean clone holds.
fn copy_committed(from: &Path, to: &Path) {
    let ignored: Vec<String> = std::fs::read_to_string(from.join(".gitignore"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.rsplit('/').next().unwrap().to_string())
        .collect();
    let mut stack = vec![from.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(from).unwrap();
            if p.is_dir() {
                std::fs::create_dir_all(to.join(rel)).unwrap();
                stack.push(p);
            } else {
                let fname = p.file_name().unwrap().to_string_lossy().to_string();
                // Top-level derived files are redrawn; ignored per-run files are left out.
                let nested = rel.components().count() > 1;
                if nested && ignored.contains(&fname) {
                    continue;
                }
                if let Some(parent) = to.join(rel).parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::fs::copy(&p, to.join(rel)).unwrap();
            }
        }
    }
}

/// An axis's tick labels as (pixel, value).
type Ticks = Vec<(f64, f64)>;

/// What a plot shows, read back from its SVG: its texts with their positions, the axes' ticks
/// as (pixel, value) pairs, and its coloured polylines (the data series and legend samples).
struct Plot {
    texts: Vec<(f64, f64, String, String)>,
    lines: Vec<(String, Vec<(f64, f64)>)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..].split('"').next()?.to_string())
}

fn read_plot(path: &Path) -> Plot {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut texts = Vec::new();
    for part in svg.split("<text").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        let body = rest.split("</text>").next().unwrap().trim().to_string();
        let num = |n: &str| {
            attr(tag, n)
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let anchor = attr(tag, "text-anchor").unwrap_or_default();
        texts.push((num("x"), num("y"), anchor, body));
    }
    let mut lines = Vec::new();
    for part in svg.split("<polyline").skip(1) {
        let tag = part.split('>').next().unwrap();
        let stroke = attr(tag, "stroke").unwrap_or_default();
        // Grid, axes and ticks are grey; data and legend samples have a palette colour.
        if ["#787878", "#E4E4E4", "#505050", "none"].contains(&stroke.as_str()) {
            continue;
        }
        let pts = attr(tag, "points")
            .unwrap_or_default()
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        lines.push((stroke, pts));
    }
    Plot { texts, lines }
}

impl Plot {
    fn has_text(&self, t: &str) -> bool {
        self.texts.iter().any(|x| x.3 == t)
    }

    /// Numeric tick labels of the y axis (right-aligned left of the plot) as (pixel y, value),
    /// and of the x axis (centred below it) as (pixel x, value).
    fn ticks(&self) -> (Ticks, Ticks) {
        let num = |t: &(f64, f64, String, String)| t.3.parse::<f64>().ok();
        let y = self
            .texts
            .iter()
            .filter(|t| t.2 == "end")
            .filter_map(|t| num(t).map(|v| (t.1, v)))
            .collect();
        let bottom = self
            .texts
            .iter()
            .filter(|t| t.2 == "end" && num(t).is_some())
            .map(|t| t.1)
            .fold(f64::MIN, f64::max);
        let x = self
            .texts
            .iter()
            .filter(|t| t.2 == "middle" && t.1 > bottom)
            .filter_map(|t| num(t).map(|v| (t.0, v)))
            .collect();
        (y, x)
    }

    /// Pixel to data along an axis, from its first two ticks (linear axes).
    fn scale(ticks: &[(f64, f64)]) -> impl Fn(f64) -> f64 {
        let (p0, v0) = ticks[0];
        let (p1, v1) = ticks[1];
        move |p| v0 + (p - p0) * (v1 - v0) / (p1 - p0)
    }

    /// The series of one colour inside the plot area (legend samples sit right of it), as data.
    fn series(&self, stroke: &str) -> Vec<(f64, f64)> {
        let (yt, xt) = self.ticks();
        let right = xt.iter().map(|t| t.0).fold(f64::MIN, f64::max) + 200.0;
        let (fx, fy) = (Self::scale(&xt), Self::scale(&yt));
        self.lines
            .iter()
            .filter(|(s, pts)| s == stroke && pts.iter().all(|p| p.0 < right) && pts.len() > 2)
            .flat_map(|(_, pts)| pts.iter().map(|&(x, y)| (fx(x), fy(y))))
            .collect()
    }
}

/// The seed example's plots show its data (hand-computed in the scenario: fw1 holds 0.75 of
/// the agent over [0, 10), fw2 0.25 over [1, 11); the cluster is full over [1, 10); job1 ends
/// at 10 s, job2 at 11 s): every framework's series with its legend entry, axes that span the
/// data, and the values where they should be (to the pixel's precision).
#[test]
fn plots_show_the_runs_data_series_axes_and_legend() {
    let out = tmp("plot-content");
    offersim_ok(&[
        "run",
        "tests/conformance/seed_example.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let px = 0.01; // one pixel is about 0.002 of a share; a wrong value is off by far more

    let shares = read_plot(&out.join("shares-drf.svg"));
    assert!(shares.has_text("Dominant share over time: drf"));
    assert!(shares.has_text("fw1") && shares.has_text("fw2"), "legend");
    let (yt, xt) = shares.ticks();
    assert_eq!(yt.first().map(|t| t.1), Some(0.0), "{yt:?}");
    let ytop = yt.last().unwrap().1;
    assert!(
        (0.7..1.0).contains(&ytop),
        "y axis fits the 0.75 peak: {yt:?}"
    );
    assert_eq!(xt.first().map(|t| t.1), Some(0.0), "{xt:?}");
    assert!(xt.last().unwrap().1 >= 10.0, "x axis spans the run: {xt:?}");
    let colours: std::collections::BTreeSet<&String> = shares.lines.iter().map(|l| &l.0).collect();
    assert_eq!(colours.len(), 2, "one colour per framework: {colours:?}");
    let mut peaks: Vec<(f64, f64)> = colours
        .iter()
        .map(|c| {
            let s = shares.series(c);
            let peak = s.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            let last_up = s
                .iter()
                .filter(|p| p.1 > 0.01)
                .map(|p| p.0)
                .fold(0.0, f64::max);
            (peak, last_up)
        })
        .collect();
    peaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    // fw2 peaks at 0.25 until 11 s, fw1 at 0.75 until 10 s.
    assert!(
        (peaks[0].0 - 0.25).abs() < px && (peaks[0].1 - 11.0).abs() < 0.2,
        "{peaks:?}"
    );
    assert!(
        (peaks[1].0 - 0.75).abs() < px && (peaks[1].1 - 10.0).abs() < 0.2,
        "{peaks:?}"
    );

    let util = read_plot(&out.join("utilization.svg"));
    for t in ["drf", "solid: cpus", "dashed: memory"] {
        assert!(util.has_text(t), "utilization legend lacks {t}");
    }
    let (yt, _) = util.ticks();
    assert_eq!((yt[0].1, yt.last().unwrap().1), (0.0, 1.0), "{yt:?}");
    let u = util.series(&util.lines[0].0);
    let top = u.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    assert!(
        (top - 1.0).abs() < px,
        "the full cluster over [1, 10): {top}"
    );

    let jct = read_plot(&out.join("jct-cdf.svg"));
    assert!(
        jct.has_text("drf (2 jobs)"),
        "JCT legend names the policy and its jobs"
    );
    let (yt, xt) = jct.ticks();
    assert_eq!((yt[0].1, yt.last().unwrap().1), (0.0, 1.0), "{yt:?}");
    assert!(
        xt.iter().any(|t| t.1 == 10.0),
        "log x axis through 10 s: {xt:?}"
    );
    let c = jct.series(&jct.lines[0].0);
    let end = c.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    assert!((end - 1.0).abs() < px, "the CDF reaches 1: {end}");
}
