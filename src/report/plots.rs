//! The standard plots of a results folder, drawn as SVG from the CSV files alone (so that
//! `offersim plot DIR` can redraw them): dominant share over time per framework (overlaid for a
//! few frameworks, small multiples for many, one panel per policy for many policies), utilization
//! over time, the JCT CDF per policy, and locality per job-size bin when some task had
//! preferences. Plots without data are not drawn. Long runs are bucketed to a bounded number of
//! points so the SVGs stay small; the output depends only on the CSV contents, so it is
//! byte-identical across runs. The drawing itself is in `chart.rs`.

use crate::error::{Error, Result};
use crate::report::chart::*;
use crate::report::compare::{read_table, Table};
use plotters::style::RGBColor;
use std::path::Path;

/// A drawn plot: its file name in the results folder, a title, a caption for the report (plain
/// text), and the SVG text.
#[derive(Clone, Debug)]
pub struct Plot {
    pub file: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// Points per series at most (time buckets).
const BUCKETS: usize = 600;
/// Frameworks overlaid in one share plot at most; more become small multiples.
const OVERLAY_MAX: usize = 6;
/// Policies that get a share plot each at most; more share one figure.
const SHARES_PER_POLICY_MAX: usize = 4;
/// Panels of a small-multiples share plot at most; the smallest frameworks beyond are summed
/// into an "others" panel.
const PANELS_MAX: usize = 24;

// Reading the CSV files

pub fn num(t: &Table, row: &[String], col: &str) -> Option<f64> {
    t.get(row, col).and_then(|v| v.parse::<f64>().ok())
}

/// A step function given by its changes, as at most ~2 * BUCKETS points up to `end`: within a
/// bucket only the last value is kept.
pub fn steps(changes: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let width = if end > 0.0 { end / BUCKETS as f64 } else { 1.0 };
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for &(t, v) in changes {
        let b = (t / width).floor();
        match kept.last_mut() {
            Some(last) if (last.0 / width).floor() == b && changes.len() > 2 * BUCKETS => {
                last.1 = v
            }
            Some(last) if last.0 == t => last.1 = v,
            _ => kept.push((t, v)),
        }
    }
    let mut out = Vec::with_capacity(kept.len() * 2 + 1);
    let mut prev: Option<f64> = None;
    for (t, v) in kept {
        if let Some(p) = prev {
            out.push((t, p));
        }
        out.push((t, v));
        prev = Some(v);
    }
    if let (Some(p), Some(&(t, _))) = (prev, out.last()) {
        if end > t {
            out.push((end, p));
        }
    }
    out
}

/// The sum of several step functions, each given by its changes (time order within each).
pub fn sum_steps(series: &[&[(f64, f64)]]) -> Vec<(f64, f64)> {
    let mut ev: Vec<(f64, usize, f64)> = series
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().map(move |&(t, v)| (t, i, v)))
        .collect();
    ev.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cur = vec![0.0; series.len()];
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (t, i, v) in ev {
        cur[i] = v;
        let s: f64 = cur.iter().sum();
        match out.last_mut() {
            Some(last) if last.0 == t => last.1 = s,
            _ => out.push((t, s)),
        }
    }
    out
}

/// Bucket means of samples (t, v), at most BUCKETS points.
fn bucket_means(samples: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    if samples.len() <= BUCKETS {
        return samples.to_vec();
    }
    let width = if end > 0.0 { end / BUCKETS as f64 } else { 1.0 };
    let mut out: Vec<(f64, f64, usize)> = Vec::new();
    for &(t, v) in samples {
        let b = (t / width).floor();
        match out.last_mut() {
            Some(last) if (last.0 / width).floor() == b => {
                last.1 += v;
                last.2 += 1;
            }
            _ => out.push((b * width, v, 1)),
        }
    }
    out.into_iter().map(|(t, s, n)| (t, s / n as f64)).collect()
}

pub fn read_opt(path: &Path) -> Result<Option<Table>> {
    if path.is_file() {
        read_table(path).map(Some)
    } else {
        Ok(None)
    }
}

pub fn svg_err(dir: &Path, file: &str, msg: String) -> Error {
    Error::write(&dir.join(file), std::io::Error::other(msg))
}

/// A file name made from a policy name: characters that some file systems or shells refuse
/// become `_`. Sweep names (`drf@node_wait_s=5+refuse_s=1`) are kept as they are.
pub fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@=+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The replication folders of a policy, in replication order.
pub fn replication_dirs(dir: &Path, policy: &str) -> Vec<std::path::PathBuf> {
    let mut reps: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(dir.join(policy))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            e.path().is_dir().then(|| (n, e.path()))
        })
        .collect();
    reps.sort();
    reps.into_iter().map(|x| x.1).collect()
}

/// A change in shares.csv: (time, dominant share, cpus, mem_mb).
pub type Change = (f64, f64, f64, f64);

/// Per (framework, role) of a shares.csv, its changes of dominant share (and of cpus and
/// mem_mb), and the end of the timeline.
pub struct Shares {
    pub keys: Vec<(String, String)>,
    /// Per key: (time, dominant share, cpus, mem_mb).
    pub changes: Vec<Vec<Change>>,
    pub end: f64,
    pub multi_role: bool,
}

impl Shares {
    pub fn read(dir: &Path, policy: &str, t: &Table) -> Result<Option<Shares>> {
        let mut map: std::collections::BTreeMap<(String, String), Vec<Change>> = Default::default();
        let mut end = 0f64;
        for r in &t.rows {
            let (Some(time), Some(share)) = (num(t, r, "time_s"), num(t, r, "dominant_share"))
            else {
                continue;
            };
            let fw = t.get(r, "framework").unwrap_or("").to_string();
            let role = t.get(r, "role").unwrap_or("").to_string();
            let c = num(t, r, "cpus").unwrap_or(0.0);
            let m = num(t, r, "mem_mb").unwrap_or(0.0);
            map.entry((fw, role)).or_default().push((time, share, c, m));
            end = end.max(time);
        }
        if map.is_empty() {
            return Ok(None);
        }
        let util = read_opt(&dir.join(policy).join("0").join("utilization.csv"))?;
        if let Some(u) = &util {
            if let Some(last) = u.rows.last().and_then(|r| num(u, r, "time_s")) {
                end = end.max(last);
            }
        }
        let keys: Vec<(String, String)> = map.keys().cloned().collect();
        let multi_role = {
            let mut fws: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
            let n = fws.len();
            fws.dedup();
            fws.len() < n
        };
        Ok(Some(Shares {
            keys,
            changes: map.into_values().collect(),
            end,
            multi_role,
        }))
    }

    pub fn label(&self, i: usize) -> String {
        let (f, r) = &self.keys[i];
        if self.multi_role {
            format!("{f} ({r})")
        } else {
            f.clone()
        }
    }

    pub fn dominant(&self, i: usize) -> Vec<(f64, f64)> {
        self.changes[i].iter().map(|c| (c.0, c.1)).collect()
    }

    /// Time-integrated dominant share of key i over [0, end].
    fn integral(&self, i: usize) -> f64 {
        let c = &self.changes[i];
        let mut int = 0.0;
        for w in c.windows(2) {
            int += w[0].1 * (w[1].0 - w[0].0);
        }
        if let Some(l) = c.last() {
            int += l.1 * (self.end - l.0);
        }
        int
    }
}

// ---------------------------------------------------------------------------------------------
// The standard plots

/// Dominant share over time per framework: overlaid for a few frameworks, small multiples
/// (one panel per framework, the smallest summed into "others") for more.
fn shares_plot(dir: &Path, policy: &str, sh: &Shares, pal: &Palette) -> Result<Plot> {
    let file = format!("shares-{}.svg", file_part(policy));
    let title = format!("Dominant share over time: {policy}");
    let n = sh.keys.len();
    let x = |d: &str| Axis::linear(d, 0.0, sh.end);
    let mut caption = format!(
        "Replication 0. Dominant share (offered + used over the cluster's totals) of each \
         framework at every change (shares.csv); {n} framework{}.",
        if n == 1 { "" } else { "s" }
    );
    let fig = if n <= OVERLAY_MAX {
        let mut ymax = 0f64;
        let lines: Vec<Line> = (0..n)
            .map(|i| {
                let pts = steps(&sh.dominant(i), sh.end);
                ymax = pts.iter().fold(ymax, |m, p| m.max(p.1));
                Line::new(sh.label(i), pts, pal.frameworks.of(&sh.keys[i].0))
            })
            .collect();
        let y = Axis::linear("dominant share", 0.0, (ymax * 1.05).clamp(0.05, 1.0));
        Figure::single(&title, Panel::lines("", x("simulated time (s)"), y, lines))
    } else {
        // Largest time-integrated share first; panels beyond the limit are summed.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| sh.integral(b).total_cmp(&sh.integral(a)).then(a.cmp(&b)));
        let shown = if n > PANELS_MAX { PANELS_MAX - 1 } else { n };
        let mut keep: Vec<usize> = order[..shown].to_vec();
        keep.sort();
        let rest: Vec<usize> = order[shown..].to_vec();
        // (panel title, the framework's look, points)
        type Series = (String, Look, Vec<(f64, f64)>);
        let mut series: Vec<Series> = keep
            .iter()
            .map(|&i| {
                (
                    sh.label(i),
                    pal.frameworks.of(&sh.keys[i].0),
                    steps(&sh.dominant(i), sh.end),
                )
            })
            .collect();
        if !rest.is_empty() {
            let doms: Vec<Vec<(f64, f64)>> = rest.iter().map(|&i| sh.dominant(i)).collect();
            let refs: Vec<&[(f64, f64)]> = doms.iter().map(|v| v.as_slice()).collect();
            series.push((
                format!("{} others (summed)", rest.len()),
                Look {
                    color: RGBColor(90, 90, 90),
                    dash: Dash::Solid,
                    marker: Marker::None,
                },
                steps(&sum_steps(&refs), sh.end),
            ));
            caption.push_str(&format!(
                " The {} frameworks with the largest time-averaged share have a panel each; the \
                 other {} are summed in the last panel.",
                keep.len(),
                rest.len()
            ));
        }
        let ymax = series
            .iter()
            .flat_map(|s| s.2.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let y = Axis::linear("share", 0.0, (ymax * 1.05).clamp(0.05, 1.0)).with_ticks(3);
        let panels = series
            .into_iter()
            .map(|(label, look, pts)| {
                let mut p = Panel::lines(
                    &label,
                    x("time (s)").with_ticks(3),
                    y.clone(),
                    vec![Line::new("", pts, look)],
                );
                p.title_color = look.color;
                p
            })
            .collect();
        Figure {
            title: title.clone(),
            panels,
            cols: 4,
            panel_h: 190,
            legend: Some(Vec::new()),
        }
    };
    let svg = fig.render().map_err(|m| svg_err(dir, &file, m))?;
    Ok(Plot {
        file,
        title,
        caption,
        svg,
    })
}

/// Many policies: one figure, a panel per policy, the frameworks overlaid in their colours (a
/// page of full-size plots per policy helps nobody). A policy with more frameworks than an
/// overlay holds shows its largest ones and the rest summed as "others".
fn shares_grid(dir: &Path, all: &[(String, Shares)], pal: &Palette) -> Result<Plot> {
    let file = "shares.svg".to_string();
    let title = "Dominant share over time, one panel per policy".to_string();
    let end = all.iter().map(|x| x.1.end).fold(0.0, f64::max);
    let long = all.iter().any(|(p, _)| p.chars().count() > 36);
    let others_look = Look {
        color: RGBColor(90, 90, 90),
        dash: Dash::Dotted,
        marker: Marker::None,
    };
    let mut keys: Vec<Key> = Vec::new();
    let mut summed = false;
    let mut ymax = 0f64;
    let mut panels = Vec::new();
    for (p, sh) in all {
        let n = sh.keys.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| sh.integral(b).total_cmp(&sh.integral(a)).then(a.cmp(&b)));
        let shown = if n > OVERLAY_MAX { OVERLAY_MAX - 1 } else { n };
        let mut keep: Vec<usize> = order[..shown].to_vec();
        keep.sort();
        let mut lines: Vec<Line> = keep
            .iter()
            .map(|&i| {
                Line::new(
                    sh.label(i),
                    steps(&sh.dominant(i), sh.end),
                    pal.frameworks.of(&sh.keys[i].0),
                )
            })
            .collect();
        if n > shown {
            let doms: Vec<Vec<(f64, f64)>> =
                order[shown..].iter().map(|&i| sh.dominant(i)).collect();
            let refs: Vec<&[(f64, f64)]> = doms.iter().map(|v| v.as_slice()).collect();
            lines.push(Line::new(
                "others (summed)",
                steps(&sum_steps(&refs), sh.end),
                others_look,
            ));
            summed = true;
        }
        for l in &lines {
            ymax = l.points.iter().fold(ymax, |m, q| m.max(q.1));
            if !keys.iter().any(|k| k.label == l.label) {
                keys.push(Key::of_line(l));
            }
        }
        // The lines carry the frameworks' colours; a coloured title would mix them up.
        panels.push(Panel::lines(
            p,
            Axis::linear("time (s)", 0.0, end).with_ticks(4),
            Axis::linear("share", 0.0, 1.0),
            lines,
        ));
    }
    let y = Axis::linear("share", 0.0, (ymax * 1.05).clamp(0.05, 1.0)).with_ticks(3);
    for p in &mut panels {
        p.y = y.clone();
    }
    keys.sort_by(|a, b| {
        (a.label == "others (summed)", &a.label).cmp(&(b.label == "others (summed)", &b.label))
    });
    let fig = Figure {
        title: title.clone(),
        panels,
        cols: if long { 2 } else { 3 },
        panel_h: 230,
        legend: Some(keys),
    };
    let svg = fig.render().map_err(|m| svg_err(dir, &file, m))?;
    let mut caption = format!(
        "Replication 0 of each of the {} policies: dominant share (offered + used over the \
         cluster's totals) of each framework at every change (shares.csv), on a common scale.",
        all.len()
    );
    if summed {
        caption.push_str(&format!(
            " Where a policy has more than {OVERLAY_MAX} frameworks, its {} with the largest \
             time-averaged share are drawn and the others summed (dotted grey).",
            OVERLAY_MAX - 1
        ));
    }
    Ok(Plot {
        file,
        title,
        caption,
        svg,
    })
}

fn utilization_plot(dir: &Path, policies: &[String], pal: &Palette) -> Result<Option<Plot>> {
    let mut end = 0f64;
    let mut data = Vec::new();
    for p in policies {
        let Some(t) = read_opt(&dir.join(p).join("0").join("utilization.csv"))? else {
            continue;
        };
        let mut cpu = Vec::new();
        let mut mem = Vec::new();
        for r in &t.rows {
            if let Some(time) = num(&t, r, "time_s") {
                end = end.max(time);
                cpu.push((time, num(&t, r, "util_cpus").unwrap_or(0.0)));
                mem.push((time, num(&t, r, "util_mem").unwrap_or(0.0)));
            }
        }
        if !cpu.is_empty() {
            data.push((p, cpu, mem));
        }
    }
    if data.is_empty() {
        return Ok(None);
    }
    let title = "Utilization over time (used / total)".to_string();
    let file = "utilization.svg".to_string();
    let dashed = |l: Look| Look {
        dash: Dash::Dashed,
        ..l
    };
    let solid = |l: Look| Look {
        dash: Dash::Solid,
        ..l
    };
    let grey = RGBColor(80, 80, 80);
    let style_keys = vec![
        Key::line("solid: cpus", grey, Dash::Solid),
        Key::line("dashed: memory", grey, Dash::Dashed),
    ];
    let fig = if data.len() <= 4 {
        let mut lines = Vec::new();
        let mut keys = Vec::new();
        for (p, cpu, mem) in &data {
            let l = pal.policies.of(p);
            lines.push(Line::new(
                format!("{p}: cpus"),
                bucket_means(cpu, end),
                solid(l),
            ));
            lines.push(Line::new(
                format!("{p}: memory"),
                bucket_means(mem, end),
                dashed(l),
            ));
            keys.push(Key::line(p, l.color, Dash::Solid));
        }
        keys.extend(style_keys);
        let mut f = Figure::single(
            &title,
            Panel::lines(
                "",
                Axis::linear("simulated time (s)", 0.0, end),
                Axis::linear("utilization", 0.0, 1.0),
                lines,
            ),
        );
        f.legend = Some(keys);
        f
    } else {
        let panels = data
            .iter()
            .map(|(p, cpu, mem)| {
                let l = pal.policies.of(p);
                let mut panel = Panel::lines(
                    p,
                    Axis::linear("time (s)", 0.0, end).with_ticks(3),
                    Axis::linear("", 0.0, 1.0).with_ticks(2),
                    vec![
                        Line::new("cpus", bucket_means(cpu, end), solid(l)),
                        Line::new("memory", bucket_means(mem, end), dashed(l)),
                    ],
                );
                panel.title_color = l.color;
                panel
            })
            .collect();
        Figure {
            title: title.clone(),
            panels,
            cols: 3,
            panel_h: 180,
            legend: Some(style_keys),
        }
    };
    let svg = fig.render().map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot {
        file,
        title,
        caption: "Replication 0 of each policy (utilization.csv): resources used by tasks and \
                  executors over the cluster's totals."
            .into(),
        svg,
    }))
}

/// The JCT CDF of finished jobs, all replications of a policy pooled; log-scaled time axis.
fn jct_plot(dir: &Path, policies: &[String], pal: &Palette) -> Result<Option<Plot>> {
    let mut per: Vec<(String, Vec<f64>)> = Vec::new();
    for p in policies {
        let mut jcts = Vec::new();
        for rd in replication_dirs(dir, p) {
            let Some(t) = read_opt(&rd.join("jobs.csv"))? else {
                continue;
            };
            for r in &t.rows {
                if let (Some(s), Some(e)) = (num(&t, r, "submit_s"), num(&t, r, "end_s")) {
                    jcts.push(e - s);
                }
            }
        }
        if !jcts.is_empty() {
            jcts.sort_by(f64::total_cmp);
            per.push((p.clone(), jcts));
        }
    }
    if per.is_empty() {
        return Ok(None);
    }
    // Zero-length jobs stay on the chart at 1 ms.
    let floor = |x: f64| x.max(1e-3);
    let lo = per
        .iter()
        .map(|p| floor(p.1[0]))
        .fold(f64::INFINITY, f64::min);
    let hi = per
        .iter()
        .map(|p| floor(*p.1.last().expect("non-empty")))
        .fold(f64::NEG_INFINITY, f64::max);
    let lines: Vec<Line> = per
        .iter()
        .map(|(p, v)| {
            let n = v.len();
            let step = n.div_ceil(BUCKETS).max(1);
            let mut pts = vec![(floor(v[0]), 0.0)];
            for i in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
                pts.push((floor(v[i]), (i + 1) as f64 / n as f64));
            }
            pts.dedup();
            Line::new(format!("{p} ({n} jobs)"), pts, pal.policies.of(p))
        })
        .collect();
    let title = "Job completion time CDF".to_string();
    let file = "jct-cdf.svg".to_string();
    let fig = Figure::single(
        &title,
        Panel::lines(
            "",
            Axis::log("job completion time (s, log scale)", lo, hi),
            Axis::linear("fraction of finished jobs", 0.0, 1.0),
            lines,
        ),
    );
    let svg = fig.render().map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot {
        file,
        title,
        caption: "Finished jobs of all replications of each policy pooled (jobs.csv).".into(),
        svg,
    }))
}

/// Node-local (dark) and rack-local (light, stacked) fractions per job-size bin and policy, the
/// mean over replications; only bins where some task had preferences.
fn locality_plot(dir: &Path, policies: &[String], pal: &Palette) -> Result<Option<Plot>> {
    // Per policy and bin: the node-local and the rack-local values of the replications.
    type BinValues = (Vec<f64>, Vec<f64>);
    let mut bins: Vec<String> = Vec::new();
    let mut per: Vec<(String, Vec<BinValues>)> = Vec::new();
    for p in policies {
        let mut vals: Vec<BinValues> = Vec::new();
        for rd in replication_dirs(dir, p) {
            let Some(t) = read_opt(&rd.join("bins.csv"))? else {
                continue;
            };
            for r in &t.rows {
                let (Some(node), rack) = (num(&t, r, "node_local"), num(&t, r, "rack_local"))
                else {
                    continue;
                };
                let b = t.get(r, "bin").unwrap_or("").to_string();
                let bi = match bins.iter().position(|x| *x == b) {
                    Some(i) => i,
                    None => {
                        bins.push(b);
                        bins.len() - 1
                    }
                };
                if vals.len() <= bi {
                    vals.resize(bi + 1, (Vec::new(), Vec::new()));
                }
                vals[bi].0.push(node);
                vals[bi].1.push(rack.unwrap_or(0.0));
            }
        }
        if !vals.is_empty() {
            per.push((p.clone(), vals));
        }
    }
    if bins.is_empty() {
        return Ok(None);
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let bars: Vec<Bars> = per
        .iter()
        .map(|(p, vals)| {
            let at = |bi: usize, f: &dyn Fn(&BinValues) -> &Vec<f64>| {
                vals.get(bi).and_then(|v| mean(f(v)))
            };
            Bars {
                label: p.clone(),
                look: pal.policies.of(p),
                values: (0..bins.len()).map(|b| at(b, &|v| &v.0)).collect(),
                stacked: (0..bins.len()).map(|b| at(b, &|v| &v.1)).collect(),
                errors: Vec::new(),
                colors: Vec::new(),
            }
        })
        .collect();
    let title = "Locality per job-size bin (dark: node-local, light: rack-local)".to_string();
    let file = "locality.svg".to_string();
    let fig = Figure::single(
        &title,
        Panel::bars(
            "",
            "job size (tasks)",
            bins,
            Axis::linear("fraction of tasks with preferences", 0.0, 1.0),
            bars,
            Vec::new(),
        ),
    );
    let svg = fig.render().map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot {
        file,
        title,
        caption: "Per job-size bin of the delay-scheduling paper (bins.csv), the mean over \
                  replications; bins without a task with preferences are left out."
            .into(),
        svg,
    }))
}

/// Draws every plot the files in `dir` allow, writes each as `dir/<file>`, and returns them in
/// report order. Plots whose data are missing (e.g. `--outputs summary`, no task with
/// preferences) are skipped.
pub fn draw_all(
    dir: &Path,
    policies: &[String],
    pal: &Palette,
    with_shares: bool,
) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    let mut shares = Vec::new();
    for p in policies.iter().filter(|_| with_shares) {
        if let Some(t) = read_opt(&dir.join(p).join("0").join("shares.csv"))? {
            if let Some(sh) = Shares::read(dir, p, &t)? {
                shares.push((p.clone(), sh));
            }
        }
    }
    if shares.len() > SHARES_PER_POLICY_MAX {
        plots.push(shares_grid(dir, &shares, pal)?);
    } else {
        for (p, sh) in &shares {
            plots.push(shares_plot(dir, p, sh, pal)?);
        }
    }
    plots.extend(utilization_plot(dir, policies, pal)?);
    plots.extend(jct_plot(dir, policies, pal)?);
    plots.extend(locality_plot(dir, policies, pal)?);
    write_plots(dir, &plots)?;
    Ok(plots)
}

pub fn write_plots(dir: &Path, plots: &[Plot]) -> Result<()> {
    for p in plots {
        let path = dir.join(&p.file);
        std::fs::write(&path, &p.svg).map_err(|e| Error::write(&path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next_change() {
        let s = steps(&[(0.0, 0.5), (2.0, 1.0)], 4.0);
        assert_eq!(s, vec![(0.0, 0.5), (2.0, 0.5), (2.0, 1.0), (4.0, 1.0)]);
    }

    #[test]
    fn same_instant_changes_keep_the_last() {
        let s = steps(&[(0.0, 1.0), (0.0, 0.75), (1.0, 0.25)], 1.0);
        assert_eq!(s, vec![(0.0, 0.75), (1.0, 0.75), (1.0, 0.25)]);
    }

    #[test]
    fn bucket_means_bound_the_points() {
        let samples: Vec<(f64, f64)> = (0..6000).map(|i| (i as f64, (i % 2) as f64)).collect();
        let b = bucket_means(&samples, 6000.0);
        assert!(b.len() <= BUCKETS + 1);
        assert!(b.iter().all(|p| (p.1 - 0.5).abs() < 1e-9));
    }

    #[test]
    fn summed_steps_follow_every_change() {
        let a = [(0.0, 0.25), (2.0, 0.5)];
        let b = [(1.0, 0.125), (2.0, 0.0)];
        assert_eq!(
            sum_steps(&[&a, &b]),
            vec![(0.0, 0.25), (1.0, 0.375), (2.0, 0.5)]
        );
    }
}
