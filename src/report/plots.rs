//! The plots of a results folder, drawn as SVG with plotters from the CSV files alone (so that
//! `offersim plot DIR` can redraw them): dominant share over time per framework for each policy,
//! utilization over time, the JCT CDF per policy, and locality per job-size bin when `bins.csv`
//! exists. Long runs are bucketed to a bounded number of points so the SVGs stay small; the
//! output depends only on the CSV contents, so it is byte-identical across runs.

use crate::error::{Error, Result};
use crate::report::compare::{read_table, Table};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

/// A drawn plot: its file name in the results folder, a caption, and the SVG text.
#[derive(Clone, Debug)]
pub struct Plot {
    pub file: String,
    pub title: String,
    pub svg: String,
}

const SIZE: (u32, u32) = (900, 420);
/// Points per series at most (time buckets).
const BUCKETS: usize = 600;
/// Frameworks drawn per share plot at most (the largest by mean share).
const MAX_SERIES: usize = 10;

struct Series {
    label: String,
    points: Vec<(f64, f64)>,
    /// A lighter shade of the previous series' colour (a second measure of one policy).
    secondary: bool,
}

fn color(i: usize) -> RGBColor {
    // Colour-blind friendly (Okabe-Ito), then plotters' palette.
    const C: [RGBColor; 8] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        RGBColor(0, 0, 0),
        RGBColor(240, 228, 66),
    ];
    C.get(i).copied().unwrap_or_else(|| {
        let c = Palette99::pick(i).to_rgba();
        RGBColor(c.0, c.1, c.2)
    })
}

struct Axes<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    x: (f64, f64),
    y: (f64, f64),
    x_fmt: Option<&'a dyn Fn(&f64) -> String>,
}

fn legend<'a, 'b: 'a>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())
}

fn line_chart(a: &Axes, series: &[Series]) -> std::result::Result<String, String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let x1 = if a.x.1 > a.x.0 { a.x.1 } else { a.x.0 + 1.0 };
        let y1 = if a.y.1 > a.y.0 { a.y.1 } else { a.y.0 + 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(a.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(a.x.0..x1, a.y.0..y1)
            .map_err(|e| e.to_string())?;
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(a.x_desc)
            .y_desc(a.y_desc)
            .light_line_style(RGBColor(235, 235, 235));
        if let Some(f) = a.x_fmt {
            mesh.x_label_formatter(f);
        }
        mesh.draw().map_err(|e| e.to_string())?;
        let mut ci = 0usize;
        for (i, s) in series.iter().enumerate() {
            if i > 0 && !s.secondary {
                ci += 1;
            }
            let c = color(ci);
            let style = if s.secondary {
                c.mix(0.45).stroke_width(2)
            } else {
                c.stroke_width(2)
            };
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), style))
                .map_err(|e| e.to_string())?
                .label(s.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        if !series.is_empty() {
            legend(&mut chart)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

fn num(t: &Table, row: &[String], col: &str) -> Option<f64> {
    t.get(row, col).and_then(|v| v.parse::<f64>().ok())
}

/// A step function given by its changes, as at most ~2 * BUCKETS points up to `end`: within a
/// bucket only the last value is kept.
fn steps(changes: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
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

fn read_opt(path: &Path) -> Result<Option<Table>> {
    if path.is_file() {
        read_table(path).map(Some)
    } else {
        Ok(None)
    }
}

fn svg_err(dir: &Path, file: &str, msg: String) -> Error {
    Error::write(&dir.join(file), std::io::Error::other(msg))
}

/// Dominant share over time per framework (and role, when a framework has several).
fn shares_plot(dir: &Path, policy: &str, t: &Table) -> Result<Option<Plot>> {
    type Key = (String, String);
    let mut changes: std::collections::BTreeMap<Key, Vec<(f64, f64)>> = Default::default();
    let mut end = 0f64;
    for r in &t.rows {
        let (Some(time), Some(share)) = (num(t, r, "time_s"), num(t, r, "dominant_share")) else {
            continue;
        };
        let fw = t.get(r, "framework").unwrap_or("").to_string();
        let role = t.get(r, "role").unwrap_or("").to_string();
        changes.entry((fw, role)).or_default().push((time, share));
        end = end.max(time);
    }
    if changes.is_empty() {
        return Ok(None);
    }
    let util = read_opt(&dir.join(policy).join("0").join("utilization.csv"))?;
    if let Some(u) = &util {
        if let Some(last) = u.rows.last().and_then(|r| num(u, r, "time_s")) {
            end = end.max(last);
        }
    }
    let multi_role = {
        let mut fws: Vec<&str> = changes.keys().map(|k| k.0.as_str()).collect();
        let n = fws.len();
        fws.dedup();
        fws.len() < n
    };
    // Keep the frameworks with the largest time-weighted share.
    let mut ranked: Vec<(f64, &Key)> = changes
        .iter()
        .map(|(k, c)| {
            let mut int = 0.0;
            for w in c.windows(2) {
                int += w[0].1 * (w[1].0 - w[0].0);
            }
            if let Some(l) = c.last() {
                int += l.1 * (end - l.0);
            }
            (int, k)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let mut keep: Vec<&Key> = ranked.iter().take(MAX_SERIES).map(|x| x.1).collect();
    keep.sort();
    let omitted = changes.len() - keep.len();
    let mut ymax = 0f64;
    let series: Vec<Series> = keep
        .iter()
        .map(|k| {
            let pts = steps(&changes[*k], end);
            ymax = pts.iter().fold(ymax, |m, p| m.max(p.1));
            Series {
                label: if multi_role {
                    format!("{} ({})", k.0, k.1)
                } else {
                    k.0.clone()
                },
                points: pts,
                secondary: false,
            }
        })
        .collect();
    let mut title = format!("Dominant share over time: {policy}");
    if omitted > 0 {
        title.push_str(&format!(
            " ({} largest; {omitted} more not drawn)",
            keep.len()
        ));
    }
    let file = format!("shares-{policy}.svg");
    let svg = line_chart(
        &Axes {
            title: &title,
            x_desc: "simulated time (s)",
            y_desc: "dominant share",
            x: (0.0, end),
            y: (0.0, (ymax * 1.1).clamp(0.05, 1.0)),
            x_fmt: None,
        },
        &series,
    )
    .map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot { file, title, svg }))
}

fn utilization_plot(dir: &Path, policies: &[String]) -> Result<Option<Plot>> {
    let mut series = Vec::new();
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
        data.push((p, cpu, mem));
    }
    for (p, cpu, mem) in data {
        series.push(Series {
            label: format!("{p}: cpus"),
            points: bucket_means(&cpu, end),
            secondary: false,
        });
        series.push(Series {
            label: format!("{p}: mem"),
            points: bucket_means(&mem, end),
            secondary: true,
        });
    }
    if series.iter().all(|s| s.points.is_empty()) {
        return Ok(None);
    }
    let title = "Utilization over time (used / total)".to_string();
    let file = "utilization.svg".to_string();
    let svg = line_chart(
        &Axes {
            title: &title,
            x_desc: "simulated time (s)",
            y_desc: "utilization",
            x: (0.0, end),
            y: (0.0, 1.05),
            x_fmt: None,
        },
        &series,
    )
    .map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot { file, title, svg }))
}

fn replication_dirs(dir: &Path, policy: &str) -> Vec<std::path::PathBuf> {
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

/// The JCT CDF of finished jobs, all replications of a policy pooled; log-scaled time axis.
fn jct_plot(dir: &Path, policies: &[String]) -> Result<Option<Plot>> {
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
    // log10 of the JCT, floored at 1 ms so that zero-length jobs stay on the chart.
    let lg = |x: f64| x.max(1e-3).log10();
    let lo = per.iter().map(|p| lg(p.1[0])).fold(f64::INFINITY, f64::min);
    let hi = per
        .iter()
        .map(|p| lg(*p.1.last().expect("non-empty")))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = (lo.floor(), hi.ceil().max(lo.floor() + 1.0));
    let series: Vec<Series> = per
        .iter()
        .map(|(p, v)| {
            let n = v.len();
            let step = n.div_ceil(BUCKETS).max(1);
            let mut pts = vec![(lg(v[0]), 0.0)];
            for i in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
                pts.push((lg(v[i]), (i + 1) as f64 / n as f64));
            }
            pts.dedup();
            Series {
                label: format!("{p} ({n} jobs)"),
                points: pts,
                secondary: false,
            }
        })
        .collect();
    let fmt = |v: &f64| {
        let x = 10f64.powf(*v);
        if x >= 1.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    };
    let title = "Job completion time CDF".to_string();
    let file = "jct-cdf.svg".to_string();
    let svg = line_chart(
        &Axes {
            title: &title,
            x_desc: "job completion time (s, log scale)",
            y_desc: "fraction of finished jobs",
            x: (lo, hi),
            y: (0.0, 1.02),
            x_fmt: Some(&fmt),
        },
        &series,
    )
    .map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot { file, title, svg }))
}

/// Node-local (dark) and rack-local (light, stacked) fractions per job-size bin and policy.
fn locality_plot(dir: &Path, policies: &[String]) -> Result<Option<Plot>> {
    let mut bins: Vec<String> = Vec::new();
    let mut per: Vec<(String, Table)> = Vec::new();
    for p in policies {
        if let Some(t) = read_opt(&dir.join(p).join("0").join("bins.csv"))? {
            for r in &t.rows {
                let b = t.get(r, "bin").unwrap_or("").to_string();
                if !bins.contains(&b) {
                    bins.push(b);
                }
            }
            per.push((p.clone(), t));
        }
    }
    if per.is_empty() || bins.is_empty() {
        return Ok(None);
    }
    let title = "Locality per job-size bin (dark: node-local, light: rack-local)".to_string();
    let file = "locality.svg".to_string();
    let nb = bins.len() as f64;
    let np = per.len() as f64;
    let label = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < bins.len() {
            bins[i as usize].clone()
        } else {
            String::new()
        }
    };
    let mut buf = String::new();
    let draw = |buf: &mut String| -> std::result::Result<(), String> {
        let root = SVGBackend::with_string(buf, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5..nb - 0.5, 0.0..1.05)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bins.len() + 1)
            .x_label_formatter(&label)
            .x_desc("job size bin")
            .y_desc("fraction of tasks with preferences")
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;
        let width = 0.8 / np;
        for (pi, (p, t)) in per.iter().enumerate() {
            let c = color(pi);
            let mut rects = Vec::new();
            for r in &t.rows {
                let b = t.get(r, "bin").unwrap_or("");
                let Some(bi) = bins.iter().position(|x| x == b) else {
                    continue;
                };
                let x0 = bi as f64 - 0.4 + pi as f64 * width;
                let node = num(t, r, "node_local").unwrap_or(0.0);
                let rack = num(t, r, "rack_local").unwrap_or(0.0);
                rects.push(Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.9, node)],
                    c.filled(),
                ));
                rects.push(Rectangle::new(
                    [(x0, node), (x0 + width * 0.9, node + rack)],
                    c.mix(0.35).filled(),
                ));
            }
            chart
                .draw_series(rects)
                .map_err(|e| e.to_string())?
                .label(p.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled()));
        }
        legend(&mut chart)?;
        root.present().map_err(|e| e.to_string())
    };
    draw(&mut buf).map_err(|m| svg_err(dir, &file, m))?;
    Ok(Some(Plot {
        file,
        title,
        svg: buf,
    }))
}

/// Draws every plot the files in `dir` allow, writes each as `dir/<file>`, and returns them in
/// report order. Plots whose data are missing (e.g. `--outputs summary`) are skipped.
pub fn draw_all(dir: &Path, policies: &[String]) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    for p in policies {
        if let Some(t) = read_opt(&dir.join(p).join("0").join("shares.csv"))? {
            plots.extend(shares_plot(dir, p, &t)?);
        }
    }
    plots.extend(utilization_plot(dir, policies)?);
    plots.extend(jct_plot(dir, policies)?);
    plots.extend(locality_plot(dir, policies)?);
    for p in &plots {
        let path = dir.join(&p.file);
        std::fs::write(&path, &p.svg).map_err(|e| Error::write(&path, e))?;
    }
    Ok(plots)
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
}
