//! Redraws results/delay-model/locality-vs-wait.svg, the delay-scheduling paper's locality
//! model against offersim's measured locality. The figure is now part of every report of the
//! delay-model scenario (`offersim plot results/delay-model` draws it, with the rest of the
//! report, from the committed CSV files; see src/report/figures.rs); this example is kept so
//! that `cargo run --release --example delay_model_curve` still works as docs and notes say.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/delay-model");
    offersim::report::finish(&dir)?;
    println!("{}", dir.join("locality-vs-wait.svg").display());
    Ok(())
}
