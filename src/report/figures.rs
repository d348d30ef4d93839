//! The papers' own figures, for the shipped reproductions: each draws what its paper prints, from
//! the results folder's CSV files alone, with the paper's numbers beside offersim's where the
//! paper gives numbers (docs/reproductions.md cites them). Which figure a folder gets is decided
//! by the scenario's `name` in its inputs snapshot (inputs/scenario.toml); the settings a figure
//! plots against (a delay, a decision time, an offer mode) are read from the policies there, not
//! from their names.
//!
//! | scenario | figure |
//! |---|---|
//! | drf-paper, drf-paper-dynamic | cpu, memory and dominant share over time per framework |
//! | mesos-table2 | Table 2: offersim's ramp-up, completion and utilization beside the model's |
//! | mesos-locality | node-local fraction and mean job time per configuration |
//! | delay-model | node-locality against skipped offers D, with the paper's model |
//! | omega-mesos | scheduler busyness, job wait and abandoned jobs against the service t_job |
//! | omega-fig7, omega-fig7-small | the same on a loaded cell: busyness, batch waits to first and full scheduling, % of batch jobs abandoned and unscheduled |

use crate::error::Result;
use crate::report::chart::{
    look, Axis, Bars, Dash, Figure, Key, Line, Look, Marker, Palette, Panel, REFERENCE,
};
use crate::report::compare::{human, read_table, Comparison, FrameworkComparison, Table};
use crate::report::inputs::Inputs;
use crate::report::plots::{num, read_opt, steps, svg_err, Change, Plot};
use plotters::style::RGBColor;
use std::path::Path;

/// What a reproduction adds to the report: its paper, figures, a table of offersim's numbers
/// beside the paper's, and notes (e.g. what is missing to draw a figure).
#[derive(Clone, Debug, Default)]
pub struct Reproduction {
    pub paper: String,
    pub plots: Vec<Plot>,
    /// Header row first; cells are plain text.
    pub table: Vec<Vec<String>>,
    pub notes: Vec<String>,
    /// The figure already draws the shares over time: the per-policy share plots would repeat it.
    pub replaces_shares: bool,
}

/// Everything a figure may read.
pub struct Data<'a> {
    pub dir: &'a Path,
    pub inputs: &'a Inputs,
    pub summary: &'a Table,
    pub cmp: &'a Comparison,
    pub fws: &'a FrameworkComparison,
    pub pal: &'a Palette,
}

impl Data<'_> {
    /// A summary metric's values per replication of a policy.
    fn summary_values(&self, policy: &str, metric: &str) -> Vec<f64> {
        self.summary
            .rows
            .iter()
            .filter(|r| self.summary.get(r, "policy") == Some(policy))
            .filter_map(|r| num(self.summary, r, metric))
            .collect()
    }

    /// A summary metric's mean and confidence interval (low, high) for a policy.
    fn mean_ci(&self, policy: &str, metric: &str) -> Option<(f64, Option<(f64, f64)>)> {
        let pi = self.cmp.policies.iter().position(|p| p == policy)?;
        let c = self.cmp.cell(pi, metric)?;
        let m = c.mean?;
        Some((m, c.ci95.map(|h| (m - h, m + h))))
    }

    /// A framework metric's mean and interval for a policy.
    fn fw_mean_ci(
        &self,
        policy: &str,
        framework: &str,
        metric: &str,
    ) -> Option<(f64, Option<(f64, f64)>)> {
        let pi = self.fws.policies.iter().position(|p| p == policy)?;
        let fi = self.fws.frameworks.iter().position(|f| f == framework)?;
        let c = self.fws.cell(pi, fi, metric)?;
        let m = c.mean?;
        Some((m, c.ci95.map(|h| (m - h, m + h))))
    }
}

/// The paper figure of the folder's scenario, if it has one; the plots are written into the
/// folder.
pub fn draw(d: &Data) -> Result<Option<Reproduction>> {
    let Some(name) = d.inputs.name() else {
        return Ok(None);
    };
    let r = match name.as_str() {
        "drf-paper" => drf(d, true)?,
        "drf-paper-dynamic" => drf(d, false)?,
        "mesos-table2" => table2(d)?,
        "mesos-locality" => mesos_locality(d)?,
        "delay-model" => delay_model_repro(d)?,
        "omega-mesos" => omega(d)?,
        "omega-fig7" | "omega-fig7-small" => omega_loaded(d)?,
        _ => return Ok(None),
    };
    crate::report::plots::write_plots(d.dir, &r.plots)?;
    Ok(Some(r))
}

fn render(d: &Data, fig: &Figure, file: &str, caption: String) -> Result<Plot> {
    let svg = fig.render().map_err(|m| svg_err(d.dir, file, m))?;
    Ok(Plot {
        file: file.into(),
        title: fig.title.clone(),
        caption,
        svg,
    })
}

/// Three significant digits, without exponents (0.000142, 0.343, 23.3).
fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let d = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.d$}")
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn with_ci(m: f64, ci: Option<(f64, f64)>, f: &dyn Fn(f64) -> String) -> String {
    match ci {
        Some((lo, hi)) => format!("{} ± {}", f(m), f((hi - lo) / 2.0)),
        None => f(m),
    }
}

fn paper_look(marker: Marker) -> Look {
    Look {
        color: REFERENCE,
        dash: Dash::Solid,
        marker,
    }
}

fn paper_marks(label: &str, pts: Vec<(f64, f64)>, marker: Marker) -> Line {
    let mut l = Line::marks(label, pts, paper_look(marker));
    l.hollow = true;
    l
}

// ---------------------------------------------------------------------------------------------
// DRF (Ghodsi et al., NSDI'11): shares over time

/// The paper's example: both users end at a dominant share of 2/3 (section 4).
const DRF_EXAMPLE_SHARE: f64 = 2.0 / 3.0;

fn drf(d: &Data, example: bool) -> Result<Reproduction> {
    let mut r = Reproduction {
        paper: if example {
            "DRF (Ghodsi et al., NSDI'11), section 4: the canonical example".into()
        } else {
            "DRF (Ghodsi et al., NSDI'11), section 6.1: shares of two jobs over time".into()
        },
        ..Default::default()
    };
    let Some((policy, t)) = d
        .cmp
        .policies
        .iter()
        .find_map(|p| {
            read_opt(&d.dir.join(p).join("0").join("shares.csv"))
                .transpose()
                .map(|t| t.map(|t| (p.clone(), t)))
        })
        .transpose()?
    else {
        r.notes.push(
            "No shares.csv in replication 0 (a run with --outputs summary leaves it out): the \
             shares over time cannot be drawn."
                .into(),
        );
        return Ok(r);
    };
    let cpus = d.inputs.cluster_total("cpus").map(|x| x.1);
    let mem = d.inputs.cluster_total("mem_mb").map(|x| x.1);
    // Per framework (roles summed): changes of (dominant, cpus, mem).
    let mut fws: Vec<String> = Vec::new();
    let mut per: Vec<Vec<Change>> = Vec::new();
    let mut end = 0f64;
    for row in &t.rows {
        let (Some(time), Some(dom)) = (num(&t, row, "time_s"), num(&t, row, "dominant_share"))
        else {
            continue;
        };
        let f = t.get(row, "framework").unwrap_or("").to_string();
        let i = match fws.iter().position(|x| *x == f) {
            Some(i) => i,
            None => {
                fws.push(f);
                per.push(Vec::new());
                fws.len() - 1
            }
        };
        per[i].push((
            time,
            dom,
            num(&t, row, "cpus").unwrap_or(0.0),
            num(&t, row, "mem_mb").unwrap_or(0.0),
        ));
        end = end.max(time);
    }
    let mut order: Vec<usize> = (0..fws.len()).collect();
    order.sort_by(|&a, &b| fws[a].cmp(&fws[b]));
    let mut panels = Vec::new();
    for &i in &order {
        let color = d.pal.frameworks.of(&fws[i]).color;
        let lk = |dash| Look {
            color,
            dash,
            marker: Marker::None,
        };
        let series = |f: &dyn Fn(&Change) -> f64| -> Vec<(f64, f64)> {
            steps(&per[i].iter().map(|c| (c.0, f(c))).collect::<Vec<_>>(), end)
        };
        // The dominant share wide and pale underneath: the dominant resource's own line
        // coincides with it and must stay visible on top.
        let mut lines = vec![{
            let mut l = Line::new("dominant share", series(&|c| c.1), lk(Dash::Solid));
            l.width = 7;
            l.alpha = 0.35;
            l
        }];
        if let Some(tc) = cpus.filter(|&x| x > 0.0) {
            lines.push(Line::new(
                "cpu share",
                series(&|c| c.2 / tc),
                lk(Dash::Dashed),
            ));
        }
        if let Some(tm) = mem.filter(|&x| x > 0.0) {
            lines.push(Line::new(
                "memory share",
                series(&|c| c.3 / tm),
                lk(Dash::Dotted),
            ));
        }
        if example {
            let mut l = Line::new(
                "paper: 2/3",
                vec![(0.0, DRF_EXAMPLE_SHARE), (end, DRF_EXAMPLE_SHARE)],
                Look {
                    color: REFERENCE,
                    dash: Dash::Dashed,
                    marker: Marker::None,
                },
            );
            l.width = 2;
            lines.push(l);
        }
        let mut p = Panel::lines(
            &fws[i],
            Axis::linear("simulated time (s)", 0.0, end),
            Axis::linear("share", 0.0, 1.0).with_ticks(5),
            lines,
        );
        p.title_color = color;
        panels.push(p);
    }
    let grey = RGBColor(80, 80, 80);
    let mut keys = vec![Key::line(
        "wide, pale: dominant share",
        RGBColor(170, 170, 170),
        Dash::Solid,
    )];
    if cpus.is_some() {
        keys.push(Key::line("dashed: cpu share", grey, Dash::Dashed));
    }
    keys[0].width = 7;
    if mem.is_some() {
        keys.push(Key::line("dotted: memory share", grey, Dash::Dotted));
    }
    if example {
        keys.push(Key::line(
            "paper (progressive filling): both at 2/3",
            REFERENCE,
            Dash::Dashed,
        ));
    }
    let title = format!("DRF: shares over time per framework ({policy}, replication 0)");
    let fig = Figure {
        title: title.clone(),
        panels,
        cols: 1,
        panel_h: 250,
        legend: Some(keys),
    };
    let caption = if example {
        "Shares over the one 9-cpu, 18 GB agent (shares.csv); the paper's progressive filling \
         gives A 3 tasks (<3 cpus, 12 GB>) and B 2 (<6 cpus, 2 GB>), both at a dominant share \
         of 2/3 (dashed line). With whole-agent offers the shares settle there between task \
         ends; docs/reproductions.md explains the gaps."
    } else {
        "Cpu, memory and dominant shares of each job over the cluster's totals (shares.csv), as \
         the paper's figure plots them: while both jobs want more, DRF holds their dominant \
         shares equal; the paper gives no number, docs/reproductions.md gives offersim's \
         interval averages and why the level is 0.5."
    };
    r.plots
        .push(render(d, &fig, "drf-shares.svg", caption.into())?);
    r.replaces_shares = true;
    // The example's numbers: mean dominant share per framework (frameworks.csv) against 2/3.
    if example {
        r.table.push(vec![
            "framework".into(),
            "paper: dominant share".into(),
            "offersim: share_mean over the run (frameworks.csv)".into(),
        ]);
        for &i in &order {
            let m = d.fw_mean_ci(&policy, &fws[i], "share_mean");
            r.table.push(vec![
                fws[i].clone(),
                "2/3 = 0.667".into(),
                m.map(|(m, ci)| with_ci(m, ci, &|x| format!("{x:.3}")))
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Mesos (Hindman et al., NSDI'11), Table 2

fn table2(d: &Data) -> Result<Reproduction> {
    let mut r = Reproduction {
        paper: "Mesos (Hindman et al., NSDI'11), Table 2: ramp-up, completion and utilization"
            .into(),
        ..Default::default()
    };
    let path = d.dir.join("table2.csv");
    if !path.is_file() {
        r.notes.push(
            "table2.csv is missing: scripts/table2.py computes it from the run's tasks.csv.".into(),
        );
        return Ok(r);
    }
    let t = read_table(&path)?;
    let pairs = [
        ("ramp-up (s)", "paper_ramp_up_s", "ramp_up_s"),
        (
            "elastic completion (s)",
            "paper_elastic_completion_s",
            "elastic_completion_s",
        ),
        (
            "rigid completion (s)",
            "paper_rigid_completion_s",
            "rigid_completion_s",
        ),
        ("elastic utilization", "paper_elastic_util", "elastic_util"),
        ("rigid utilization", "paper_rigid_util", "rigid_util"),
    ];
    let mut head: Vec<String> = vec!["k".into(), "durations".into(), "beta".into()];
    for (label, _, _) in pairs {
        head.push(format!("{label}: paper"));
        head.push("offersim".into());
    }
    r.table.push(head);
    for row in &t.rows {
        let mut line: Vec<String> = ["k", "durations", "beta"]
            .iter()
            .map(|c| t.get(row, c).unwrap_or("").to_string())
            .collect();
        for (_, p, o) in pairs {
            line.push(t.get(row, p).unwrap_or("").to_string());
            line.push(t.get(row, o).unwrap_or("").to_string());
        }
        r.table.push(line);
    }
    r.notes.push(
        "The paper's columns are its model's formulas (T = 100 s); offersim's come from the \
         run's tasks.csv (scripts/table2.py, which writes table2.csv). The differences are the \
         paper's approximations: T k/(k+1) for T, and H_k for ln k (docs/reproductions.md)."
            .into(),
    );
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Mesos (Hindman et al., NSDI'11), section 6.3: data locality

/// A configuration of the Mesos locality experiment, from a policy's settings.
fn mesos_config(d: &Data, policy: &str) -> (String, Option<(f64, bool)>) {
    let alloc = d.inputs.policy_str(policy, "allocator").unwrap_or_default();
    let sched = d.inputs.policy_str(policy, "scheduler").unwrap_or_default();
    let wait = d.inputs.policy_number(policy, "node_wait_s").unwrap_or(0.0);
    // The paper's node-locality (section 6.3): static 18 %, 1 s delay "> 90 %", 5 s delay 95 %;
    // (value, is a lower bound).
    if alloc == "static" {
        ("static".into(), Some((0.18, false)))
    } else if sched == "delay" && wait > 0.0 {
        let paper = if wait == 1.0 {
            Some((0.90, true))
        } else if wait == 5.0 {
            Some((0.95, false))
        } else {
            None
        };
        (format!("{} s delay", human(wait)), paper)
    } else {
        ("no delay".into(), None)
    }
}

/// The paper's speed-up of Mesos with a 5 s delay over static partitioning (section 6.3).
const MESOS_SPEEDUP: f64 = 1.7;

fn mesos_locality(d: &Data) -> Result<Reproduction> {
    let mut r = Reproduction {
        paper: "Mesos (Hindman et al., NSDI'11), section 6.3: data locality with delay scheduling"
            .into(),
        ..Default::default()
    };
    let policies = &d.cmp.policies;
    let configs: Vec<(String, Option<(f64, bool)>)> =
        policies.iter().map(|p| mesos_config(d, p)).collect();
    let groups: Vec<String> = configs.iter().map(|c| c.0.clone()).collect();
    // One bar per configuration, in its policy's colour (the axis names the configuration).
    let per_policy = |metric: &str, scale: f64| -> Vec<Bars> {
        let mc: Vec<_> = policies.iter().map(|p| d.mean_ci(p, metric)).collect();
        vec![Bars {
            label: String::new(),
            look: look(0),
            values: mc.iter().map(|x| x.map(|x| x.0 * scale)).collect(),
            stacked: Vec::new(),
            errors: mc
                .iter()
                .map(|x| x.and_then(|x| x.1).map(|(a, b)| (a * scale, b * scale)))
                .collect(),
            colors: policies
                .iter()
                .map(|p| d.pal.policies.of(p).color)
                .collect(),
        }]
    };
    let exact: Vec<(f64, f64)> = configs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.1.filter(|p| !p.1).map(|p| (i as f64, p.0 * 100.0)))
        .collect();
    let bound: Vec<(f64, f64)> = configs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.1.filter(|p| p.1).map(|p| (i as f64, p.0 * 100.0)))
        .collect();
    let mut marks = vec![paper_marks("paper", exact, Marker::Diamond)];
    if !bound.is_empty() {
        marks.push(paper_marks(
            "paper: lower bound (\"> 90 %\")",
            bound,
            Marker::Triangle,
        ));
    }
    let loc = Panel::bars(
        "node-local tasks",
        "configuration",
        groups.clone(),
        Axis::linear("node-local (% of tasks)", 0.0, 100.0),
        per_policy("node_local", 100.0),
        marks,
    );
    // Job time: the paper gives the 5 s delay's speed-up over static, drawn at static / 1.7.
    let static_i = configs.iter().position(|c| c.0 == "static");
    let five_i = configs.iter().position(|c| c.0 == "5 s delay");
    let static_jct = static_i.and_then(|i| d.mean_ci(&policies[i], "jct_mean_s"));
    let mut jct_marks = Vec::new();
    if let (Some((sj, _)), Some(fi)) = (static_jct, five_i) {
        jct_marks.push(paper_marks(
            "paper",
            vec![(fi as f64, sj / MESOS_SPEEDUP)],
            Marker::Diamond,
        ));
    }
    let jmax = policies
        .iter()
        .filter_map(|p| d.mean_ci(p, "jct_mean_s"))
        .map(|(m, ci)| ci.map(|c| c.1).unwrap_or(m))
        .fold(0.0, f64::max);
    let jct = Panel::bars(
        "mean job completion time",
        "configuration",
        groups,
        Axis::linear("job completion time (s)", 0.0, jmax * 1.1),
        per_policy("jct_mean_s", 1.0),
        jct_marks,
    );
    let fig = Figure {
        title: "Mesos data locality: 16 Hadoop jobs on 93 nodes, per configuration".into(),
        panels: vec![loc, jct],
        cols: 2,
        panel_h: 400,
        legend: None,
    };
    r.plots.push(render(
        d,
        &fig,
        "mesos-locality.svg",
        "Node-local fraction and mean job completion time per configuration (summary.csv; bars \
         show the 95 % interval when there are several replications), with the paper's values: \
         18 % (static), > 90 % (1 s delay), 95 % (5 s delay), and a 1.7x shorter job time with \
         the 5 s delay than with static partitioning. The paper gives no locality for Mesos \
         without delay. docs/reproductions.md explains why offersim's Mesos rows are higher."
            .into(),
    )?);
    r.table.push(
        [
            "configuration (policy)",
            "paper: node-local",
            "offersim: node-local",
            "offersim: mean JCT (s)",
            "speed-up over static: paper",
            "offersim",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for (i, p) in policies.iter().enumerate() {
        let nl = d.mean_ci(p, "node_local");
        let j = d.mean_ci(p, "jct_mean_s");
        let paper = match configs[i].1 {
            Some((v, true)) => format!("> {}", pct(v)),
            Some((v, false)) => pct(v),
            None => "-".into(),
        };
        let speed = match (static_jct, j) {
            (Some((s, _)), Some((m, _))) if m > 0.0 => format!("{:.2}x", s / m),
            _ => "-".into(),
        };
        r.table.push(vec![
            format!("{} ({p})", configs[i].0),
            paper,
            nl.map(|(m, ci)| with_ci(m, ci, &pct))
                .unwrap_or_else(|| "-".into()),
            j.map(|(m, ci)| with_ci(m, ci, &|x| format!("{x:.1}")))
                .unwrap_or_else(|| "-".into()),
            if Some(i) == five_i {
                format!("{MESOS_SPEEDUP}x")
            } else {
                "-".into()
            },
            speed,
        ]);
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Delay scheduling (Zaharia et al., EuroSys'10), section 4

/// The model's expected locality: (1/N) sum over K = 1..N tasks left of 1 - (1 - K/M)^(R(D+1)).
pub fn delay_model(n: f64, r: f64, m: f64, d: f64) -> f64 {
    (1..=n as u32)
        .map(|k| 1.0 - (1.0 - k as f64 / m).powf(r * (d + 1.0)))
        .sum::<f64>()
        / n
}

/// The paper's closed-form bound, l(D) >= 1 - e^(-RD/M) / (N (1 - e^(-RD/M))), clipped at 0.
pub fn delay_bound(n: f64, r: f64, m: f64, d: f64) -> f64 {
    let q = (-r * d / m).exp();
    if q >= 1.0 {
        return 0.0;
    }
    (1.0 - q / (n * (1.0 - q))).max(0.0)
}

fn delay_model_repro(d: &Data) -> Result<Reproduction> {
    let mut r = Reproduction {
        paper: "Delay scheduling (Zaharia et al., EuroSys'10), section 4: locality against wait"
            .into(),
        ..Default::default()
    };
    // D per policy, from its node_wait_s (one offer per second in this scenario).
    let mut pts: Vec<(f64, Vec<f64>)> = Vec::new();
    for p in &d.cmp.policies {
        let Some(w) = d.inputs.policy_number(p, "node_wait_s") else {
            continue;
        };
        let v = d.summary_values(p, "node_local");
        if !v.is_empty() {
            pts.push((w, v));
        }
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    if pts.is_empty() {
        r.notes
            .push("No policy with node_wait_s and a node_local value: nothing to draw.".into());
        return Ok(r);
    }
    let m_nodes = d.inputs.cluster_total("cpus").map(|x| x.0 as f64);
    let rep = d
        .inputs
        .scenario_value(&["workload", "block_replication"])
        .and_then(crate::report::inputs::number)
        .unwrap_or(3.0);
    // N: the tasks of the delay-scheduled job (framework `job`).
    let n_tasks = d
        .fws
        .policies
        .iter()
        .find_map(|p| d.fw_mean_ci(p, "job", "tasks"))
        .map(|x| x.0.round());
    let dmax = pts.last().map(|p| p.0).unwrap_or(1.0).max(1.0) * 1.08;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mut lines = Vec::new();
    let model = match (n_tasks, m_nodes) {
        (Some(n), Some(m)) if n >= 1.0 && m > n => Some((n, m)),
        _ => None,
    };
    if let Some((n, m)) = model {
        let xs: Vec<f64> = (0..=400).map(|i| dmax * i as f64 / 400.0).collect();
        let mut ml = Line::new(
            format!("paper's model: (1/N) sum 1-(1-K/M)^(R(D+1)), N={n}, R={rep}, M={m}"),
            xs.iter().map(|&x| (x, delay_model(n, rep, m, x))).collect(),
            paper_look(Marker::None),
        );
        ml.width = 2;
        lines.push(ml);
        let mut bl = Line::new(
            "paper's bound: 1 - e^(-RD/M) / (N(1 - e^(-RD/M)))",
            xs.iter().map(|&x| (x, delay_bound(n, rep, m, x))).collect(),
            Look {
                color: REFERENCE,
                dash: Dash::Dashed,
                marker: Marker::None,
            },
        );
        bl.width = 1;
        lines.push(bl);
    } else {
        r.notes.push(
            "The model needs N (the tasks of framework `job`) and M (the agents): not found in \
             this folder's files, so only offersim's points are drawn."
                .into(),
        );
    }
    let reps = pts.iter().map(|p| p.1.len()).max().unwrap_or(0);
    let mut ours = Line::marks(
        format!("offersim: mean of {reps} replications (bar: min-max)"),
        pts.iter().map(|(x, v)| (*x, mean(v))).collect(),
        Look {
            color: look(0).color,
            dash: Dash::Solid,
            marker: Marker::Circle,
        },
    );
    ours.errors = pts
        .iter()
        .map(|(x, v)| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (*x, lo, hi)
        })
        .collect();
    lines.push(ours);
    // The paper's two numbers: about 0.26 at D = 0, at least 0.95 at D = 0.23 M.
    let mut paper = vec![(0.0, 0.26)];
    let mut paper_bound = Vec::new();
    if let Some(m) = m_nodes {
        paper_bound.push((0.23 * m, 0.95));
    }
    paper.retain(|p| p.0 <= dmax);
    lines.push(paper_marks(
        "paper: about 0.26 at D = 0",
        paper,
        Marker::Diamond,
    ));
    if !paper_bound.is_empty() {
        lines.push(paper_marks(
            "paper: at least 0.95 at D = 0.23 M",
            paper_bound,
            Marker::Triangle,
        ));
    }
    let fig = Figure {
        title: "Delay scheduling: node-locality against skipped offers D".into(),
        panels: vec![Panel::lines(
            "",
            Axis::linear("D (offers skipped = node_wait_s here)", 0.0, dmax),
            Axis::linear("node-local fraction of the job's tasks", 0.0, 1.0),
            lines,
        )],
        cols: 1,
        panel_h: 430,
        legend: None,
    };
    r.plots.push(render(
        d,
        &fig,
        "locality-vs-wait.svg",
        "offersim's node-locality of the 20-task job per wait D (summary.csv, every \
         replication) against the paper's model and closed-form bound, and the paper's two \
         numbers. docs/reproductions.md explains the gaps."
            .into(),
    )?);
    r.table.push(
        ["D", "paper's model", "paper", "offersim: mean", "min-max"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    for (x, v) in &pts {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let paper = if *x == 0.0 {
            "about 0.26".to_string()
        } else if m_nodes.is_some_and(|m| (*x - 0.23 * m).abs() < 0.5) {
            "at least 0.95".into()
        } else {
            "-".into()
        };
        r.table.push(vec![
            human(*x),
            model
                .map(|(n, m)| format!("{:.3}", delay_model(n, rep, m, *x)))
                .unwrap_or_else(|| "-".into()),
            paper,
            format!("{:.3}", mean(v)),
            format!("{lo:.2}-{hi:.2}"),
        ]);
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Omega (Schwarzkopf et al., EuroSys'13), Fig. 7: Mesos

/// The Omega simulator's own output on this workload (../shared/omega/README.md section 7,
/// seed 42), per service t_job: (t_job, batch wait mean, service busyness); batch busyness
/// 0.018322 throughout. The paper's Fig. 7 prints curves, not numbers.
const OMEGA_SIM: [(f64, f64, f64); 3] = [
    (0.1, 0.7223, 0.000142),
    (1.0, 0.7241, 0.001278),
    (10.0, 0.8037, 0.012632),
];
const OMEGA_SIM_BATCH_BUSY: f64 = 0.018322;

/// The policies of an Omega sweep: (offer mode, service t_job, policy) for every policy with a
/// decision time, the offer modes in first-seen order, and the t_job range.
struct Sweep {
    runs: Vec<(String, f64, String)>,
    modes: Vec<String>,
    tmin: f64,
    tmax: f64,
}

/// A metric's mean and 95 % interval for one policy (None: no value).
type Value = Option<(f64, Option<(f64, f64)>)>;

impl Sweep {
    fn of(d: &Data) -> Option<Sweep> {
        let mut runs: Vec<(String, f64, String)> = Vec::new();
        for p in &d.cmp.policies {
            if let Some(t) = d.inputs.policy_number(p, "decision_s") {
                let mode = d
                    .inputs
                    .policy_str(p, "offer_mode")
                    .unwrap_or_else(|| "per_agent".into());
                runs.push((mode, t, p.clone()));
            }
        }
        if runs.is_empty() {
            return None;
        }
        let mut modes: Vec<String> = Vec::new();
        for (m, _, _) in &runs {
            if !modes.contains(m) {
                modes.push(m.clone());
            }
        }
        let tmin = runs.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
        let tmax = runs.iter().map(|x| x.1).fold(0.0, f64::max);
        Some(Sweep {
            runs,
            modes,
            tmin,
            tmax,
        })
    }

    fn x(&self) -> Axis {
        Axis::log("service t_job (s)", self.tmin, self.tmax).with_ticks(3)
    }

    /// The line of offer mode `mi` through `value` of each of its policies, drawn in `color`
    /// with the mode's dash and marker (None when no policy has a value).
    fn line(
        &self,
        mi: usize,
        label: String,
        color: RGBColor,
        value: &dyn Fn(&str) -> Value,
    ) -> Option<Line> {
        let m = &self.modes[mi];
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let mut errs = Vec::new();
        for (_, t, p) in self.runs.iter().filter(|x| &x.0 == m) {
            if let Some((v, ci)) = value(p) {
                pts.push((*t, v));
                if let Some((lo, hi)) = ci {
                    errs.push((*t, lo, hi));
                }
            }
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if pts.is_empty() {
            return None;
        }
        let (dash, marker) = mode_style(mi);
        let mut l = Line::new(
            label,
            pts,
            Look {
                color,
                dash,
                marker,
            },
        );
        l.errors = errs;
        Some(l)
    }
}

/// The reproduction of `paper` and its sweep; without a policy that has a decision time there
/// is no sweep, and the reproduction says so.
fn start_sweep(d: &Data, paper: &str) -> (Reproduction, Option<Sweep>) {
    let mut r = Reproduction {
        paper: paper.into(),
        ..Default::default()
    };
    let sw = Sweep::of(d);
    if sw.is_none() {
        r.notes
            .push("No policy with a decision_s: nothing to plot against t_job.".into());
    }
    (r, sw)
}

/// A table row of plain text.
fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

fn mode_style(mi: usize) -> (Dash, Marker) {
    match mi {
        0 => (Dash::Solid, Marker::Circle),
        1 => (Dash::Dashed, Marker::Square),
        _ => (Dash::Dotted, Marker::Triangle),
    }
}

fn mode_label(m: &str) -> String {
    match m {
        "per_agent" => "per-agent".to_string(),
        "cell" => "whole-cell".to_string(),
        o => o.to_string(),
    }
}

/// The smallest positive and the largest value of the lines (a log axis's range).
fn positive_range(ls: &[Line]) -> (f64, f64) {
    let v: Vec<f64> = ls
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .filter(|v| *v > 0.0)
        .collect();
    (
        v.iter().copied().fold(f64::INFINITY, f64::min),
        v.iter().copied().fold(0.0, f64::max),
    )
}

fn omega(d: &Data) -> Result<Reproduction> {
    let (mut r, sw) = start_sweep(
        d,
        "Omega (Schwarzkopf et al., EuroSys'13), Fig. 7: Mesos with a slow service \
         scheduler",
    );
    let Some(sw) = sw else {
        return Ok(r);
    };
    let (runs, modes, tmin, tmax) = (&sw.runs, &sw.modes, sw.tmin, sw.tmax);
    let x = || sw.x();
    let frameworks = ["batch", "service"];
    // A line per (framework, mode) of a framework metric against t_job.
    let fw_lines = |metric: &str| -> Vec<Line> {
        let mut out = Vec::new();
        for f in frameworks {
            for (mi, m) in modes.iter().enumerate() {
                out.extend(sw.line(
                    mi,
                    format!("{f}, {} offers", mode_label(m)),
                    d.pal.frameworks.of(f).color,
                    &|p| d.fw_mean_ci(p, f, metric),
                ));
            }
        }
        out
    };
    let sim_marks = |f: &str, pts: Vec<(f64, f64)>| -> Line {
        let mut l = Line::marks(
            format!("Omega simulator: {f}"),
            pts,
            Look {
                color: d.pal.frameworks.of(f).color,
                dash: Dash::Solid,
                marker: Marker::Diamond,
            },
        );
        l.hollow = true;
        l
    };
    let in_range = |t: f64| t >= tmin * 0.999 && t <= tmax * 1.001;
    let range = positive_range;
    let mut busy = fw_lines("busyness");
    busy.push(sim_marks(
        "batch",
        OMEGA_SIM
            .iter()
            .filter(|s| in_range(s.0))
            .map(|s| (s.0, OMEGA_SIM_BATCH_BUSY))
            .collect(),
    ));
    busy.push(sim_marks(
        "service",
        OMEGA_SIM
            .iter()
            .filter(|s| in_range(s.0))
            .map(|s| (s.0, s.2))
            .collect(),
    ));
    let (blo, bhi) = range(&busy);
    let mut wait = fw_lines("wait_mean_s");
    wait.push(sim_marks(
        "batch",
        OMEGA_SIM
            .iter()
            .filter(|s| in_range(s.0))
            .map(|s| (s.0, s.1))
            .collect(),
    ));
    let (wlo, whi) = range(&wait);
    // Abandoned jobs per mode (both frameworks), from summary.csv.
    let mut abandoned = Vec::new();
    for (mi, m) in modes.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> = runs
            .iter()
            .filter(|x| &x.0 == m)
            .filter_map(|(_, t, p)| {
                let a = d.mean_ci(p, "jobs_abandoned")?.0;
                let j = d.mean_ci(p, "jobs")?.0;
                (j > 0.0).then(|| (*t, 100.0 * a / j))
            })
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (dash, marker) = mode_style(mi);
        abandoned.push(Line::new(
            format!("all jobs, {} offers", mode_label(m)),
            pts,
            Look {
                color: RGBColor(60, 60, 60),
                dash,
                marker,
            },
        ));
    }
    let amax = abandoned
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let panels = vec![
        Panel::lines(
            "scheduler busyness",
            x(),
            Axis::log("busy fraction of the day (log)", blo, bhi).with_ticks(4),
            busy,
        ),
        Panel::lines(
            "job wait to first start",
            x(),
            Axis::log("mean wait (s, log)", wlo, whi).with_ticks(4),
            wait,
        ),
        Panel::lines(
            "jobs abandoned",
            x(),
            Axis::linear("% of jobs", 0.0, (amax * 1.2).max(0.01)).with_ticks(4),
            abandoned,
        ),
    ];
    let fig = Figure {
        title: "Omega Fig. 7 (Mesos): batch and service schedulers against the service t_job"
            .into(),
        panels,
        cols: 3,
        panel_h: 380,
        legend: None,
    };
    r.plots.push(render(
        d,
        &fig,
        "omega-fig7.svg",
        "Per policy, the service scheduler's decision time t_job and the offer mode are read \
         from the policy (inputs/scenario.toml); busyness and waits from frameworks.csv, \
         abandoned jobs from summary.csv. The paper's Fig. 7 prints curves, not numbers; the \
         hollow diamonds are the Omega simulator's own output on this workload for t_job up to \
         10 s (../shared/omega/README.md section 7). docs/reproductions.md explains why the \
         starvation shows only at t_job = 100 s on this near-empty workload."
            .into(),
    )?);
    r.table.push(strings(&[
        "policy",
        "t_job (s)",
        "offers",
        "batch wait (s)",
        "Omega simulator",
        "service busyness",
        "Omega simulator",
        "batch busyness",
        "Omega simulator",
        "jobs abandoned",
    ]));
    for (m, t, p) in runs {
        let sim = OMEGA_SIM.iter().find(|s| s.0 == *t);
        let f3 = |x: Option<(f64, Option<(f64, f64)>)>| {
            x.map(|(m, ci)| with_ci(m, ci, &sig3))
                .unwrap_or_else(|| "-".into())
        };
        r.table.push(vec![
            p.clone(),
            human(*t),
            mode_label(m),
            f3(d.fw_mean_ci(p, "batch", "wait_mean_s")),
            sim.map(|s| sig3(s.1)).unwrap_or_else(|| "-".into()),
            f3(d.fw_mean_ci(p, "service", "busyness")),
            sim.map(|s| sig3(s.2)).unwrap_or_else(|| "-".into()),
            f3(d.fw_mean_ci(p, "batch", "busyness")),
            sim.map(|_| sig3(OMEGA_SIM_BATCH_BUSY))
                .unwrap_or_else(|| "-".into()),
            d.mean_ci(p, "jobs_abandoned")
                .map(|x| human(x.0))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    Ok(r)
}

/// Fig. 7 where the paper saw it (omega-fig7: a cell prefilled to 60 %, Google 2011 job
/// streams): the batch scheduler's busyness, its jobs' wait to the first and to the last task
/// start, and the share of its jobs abandoned (after max_attempts) and unscheduled at the end,
/// against the service t_job, per offer mode; all from frameworks.csv. The paper prints curves
/// only, so there are no paper marks (docs/reproductions.md compares them in words).
fn omega_loaded(d: &Data) -> Result<Reproduction> {
    let (mut r, sw) = start_sweep(
        d,
        "Omega (Schwarzkopf et al., EuroSys'13), Fig. 7: Mesos with a slow service \
         scheduler, on a cell prefilled to 60 %",
    );
    let Some(sw) = sw else {
        return Ok(r);
    };
    let color = |f: &str| d.pal.frameworks.of(f).color;
    let offers = |m: &str| format!("{} offers", mode_label(m));
    // A framework's metric as a percentage of its submitted jobs.
    let share = |p: &str, metric: &str| -> Value {
        let n = d.fw_mean_ci(p, "batch", "jobs_submitted")?.0;
        let (v, ci) = d.fw_mean_ci(p, "batch", metric)?;
        (n > 0.0).then(|| {
            let k = 100.0 / n;
            (v * k, ci.map(|(lo, hi)| (lo * k, hi * k)))
        })
    };
    let hollow = |l: Option<Line>| {
        l.map(|mut l| {
            l.hollow = true;
            l
        })
    };
    let (mut busy, mut wait, mut unsched) = (Vec::new(), Vec::new(), Vec::new());
    for f in ["batch", "service"] {
        for (mi, m) in sw.modes.iter().enumerate() {
            let label = format!("{f}, {}", offers(m));
            busy.extend(sw.line(mi, label.clone(), color(f), &|p| {
                d.fw_mean_ci(p, f, "busyness")
            }));
            wait.extend(sw.line(mi, label, color(f), &|p| d.fw_mean_ci(p, f, "wait_mean_s")));
        }
    }
    for (mi, m) in sw.modes.iter().enumerate() {
        wait.extend(hollow(sw.line(
            mi,
            format!("batch fully scheduled, {}", offers(m)),
            color("batch"),
            &|p| d.fw_mean_ci(p, "batch", "wait_full_mean_s"),
        )));
        unsched.extend(sw.line(
            mi,
            format!("batch abandoned, {}", offers(m)),
            color("batch"),
            &|p| share(p, "jobs_abandoned"),
        ));
        unsched.extend(hollow(sw.line(
            mi,
            format!("batch unscheduled at the end, {}", offers(m)),
            color("batch"),
            &|p| share(p, "jobs_unscheduled"),
        )));
    }
    let (blo, bhi) = positive_range(&busy);
    let (wlo, whi) = positive_range(&wait);
    let umax = unsched
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    // One key per (framework, mode), then what filled and hollow marks mean in the middle and
    // right panels (the per-line labels would repeat the batch looks four times).
    let mut keys: Vec<Key> = busy.iter().map(Key::of_line).collect();
    for (hollow, label) in [
        (false, "filled: wait to the first start; jobs abandoned"),
        (
            true,
            "hollow: wait to full scheduling; jobs unscheduled at the end",
        ),
    ] {
        keys.push(Key {
            label: label.into(),
            look: Look {
                color: color("batch"),
                dash: Dash::Solid,
                marker: Marker::Circle,
            },
            line: false,
            marker: true,
            hollow,
            bar: false,
            error: false,
            width: 2,
        });
    }
    let fig = Figure {
        title: "Omega Fig. 7 (Mesos) on a loaded cell: batch against the service t_job".into(),
        panels: vec![
            Panel::lines(
                "scheduler busyness",
                sw.x(),
                Axis::log("busy fraction of the day (log)", blo, bhi).with_ticks(4),
                busy,
            ),
            Panel::lines(
                "job wait (first / full scheduling)",
                sw.x(),
                Axis::log("mean wait (s, log)", wlo, whi).with_ticks(4),
                wait,
            ),
            Panel::lines(
                "batch jobs unscheduled",
                sw.x(),
                Axis::linear("% of batch jobs", 0.0, (umax * 1.2).max(0.01)).with_ticks(4),
                unsched,
            ),
        ],
        cols: 3,
        panel_h: 380,
        legend: Some(keys),
    };
    r.plots.push(render(
        d,
        &fig,
        "omega-fig7.svg",
        "Per policy, the service scheduler's decision time t_job and the offer mode are read \
         from the policy (inputs/scenario.toml); everything else from frameworks.csv. Wait: \
         submit to the first task start (filled) and to the last task start of finished jobs \
         (hollow, \"fully scheduled\"). Unscheduled: abandoned after max_attempts (filled), and \
         with tasks never launched when the run ended (hollow). Bars: 95 % intervals over the \
         replications. The paper's Fig. 7 prints curves, not numbers: docs/reproductions.md \
         sets them beside these."
            .into(),
    )?);
    r.table.push(strings(&[
        "policy",
        "t_job (s)",
        "offers",
        "batch busyness",
        "batch wait first (s)",
        "batch wait full (s)",
        "batch abandoned",
        "batch unscheduled",
        "service busyness",
        "service wait first (s)",
    ]));
    let f3 = |x: Value| {
        x.map(|(m, ci)| with_ci(m, ci, &sig3))
            .unwrap_or_else(|| "-".into())
    };
    let p2 = |x: Value| {
        x.map(|(m, _)| format!("{m:.2} %"))
            .unwrap_or_else(|| "-".into())
    };
    for (m, t, p) in &sw.runs {
        r.table.push(vec![
            p.clone(),
            human(*t),
            mode_label(m),
            f3(d.fw_mean_ci(p, "batch", "busyness")),
            f3(d.fw_mean_ci(p, "batch", "wait_mean_s")),
            f3(d.fw_mean_ci(p, "batch", "wait_full_mean_s")),
            p2(share(p, "jobs_abandoned")),
            p2(share(p, "jobs_unscheduled")),
            f3(d.fw_mean_ci(p, "service", "busyness")),
            f3(d.fw_mean_ci(p, "service", "wait_mean_s")),
        ]);
    }
    Ok(r)
}
