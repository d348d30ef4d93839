//! Draws results/delay-model/locality-vs-wait.svg: the delay-scheduling paper's locality model
//! against offersim's measured locality, so docs/reproductions.md can show the curve and not
//! only five table rows. Reads the committed summary.csv; run after
//! `offersim run scenarios/delay-model.toml` with
//! `cargo run --release --example delay_model_curve`.

use plotters::prelude::*;
use std::collections::BTreeMap;

/// The scenario's model parameters (scenarios/delay-model.toml): tasks, replicas, nodes.
const N: f64 = 20.0;
const R: f64 = 3.0;
const M: f64 = 100.0;

/// The paper's closed-form lower bound, l(D) >= 1 - e^(-RD/M) / (N (1 - e^(-RD/M))): the
/// geometric series bounding the sum below. Clipped at 0, where it says nothing.
fn bound(d: f64) -> f64 {
    let q = (-R * d / M).exp();
    if q >= 1.0 {
        return 0.0;
    }
    (1.0 - q / (N * (1.0 - q))).max(0.0)
}

/// The model itself: (1/N) sum over K = 1..N tasks left of 1 - (1 - K/M)^(R (D + 1)).
fn model(d: f64) -> f64 {
    (1..=N as u32)
        .map(|k| 1.0 - (1.0 - k as f64 / M).powf(R * (d + 1.0)))
        .sum::<f64>()
        / N
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/delay-model");
    let mut rdr = csv::Reader::from_path(dir.join("summary.csv"))?;
    let h = rdr.headers()?.clone();
    let pi = h
        .iter()
        .position(|c| c == "policy")
        .ok_or("no policy column")?;
    let li = h
        .iter()
        .position(|c| c == "node_local")
        .ok_or("no node_local")?;
    // Policy "wait-D" -> node-locality of each replication.
    let mut by_d: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for r in rdr.records() {
        let r = r?;
        let d: u32 = r[pi].trim_start_matches("wait-").parse()?;
        by_d.entry(d).or_default().push(r[li].parse()?);
    }
    let out = dir.join("locality-vs-wait.svg");
    let root = SVGBackend::new(&out, (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Delay scheduling: node-locality vs skipped offers D (N=20, R=3, M=100)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..50f64, 0f64..1.05f64)?;
    chart
        .configure_mesh()
        .x_desc("D (offers skipped)")
        .y_desc("node-local fraction")
        .draw()?;
    let xs: Vec<f64> = (0..=500).map(|i| i as f64 / 10.0).collect();
    let blue = RGBColor(0, 114, 178);
    let orange = RGBColor(213, 94, 0);
    chart
        .draw_series(LineSeries::new(xs.iter().map(|&d| (d, model(d))), &blue))?
        .label("model: (1/N) sum 1-(1-K/M)^(R(D+1))")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue));
    chart
        .draw_series(LineSeries::new(
            xs.iter().map(|&d| (d, bound(d))),
            ShapeStyle::from(&orange).stroke_width(1),
        ))?
        .label("bound: 1 - e^(-RD/M) / (N(1 - e^(-RD/M)))")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], orange));
    for (&d, v) in &by_d {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(d as f64, lo), (d as f64, hi)],
            BLACK,
        )))?;
    }
    chart
        .draw_series(by_d.iter().map(|(&d, v)| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            Circle::new((d as f64, mean), 4, BLACK.filled())
        }))?
        .label("offersim: mean of replications (bar: min-max)")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("{}", out.display());
    Ok(())
}
