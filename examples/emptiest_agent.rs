//! An allocator defined outside the crate: "emptiest agent first". It offers each framework, in
//! round-robin order, the agent with the most free cpus, whole. It shows the plug-in API: the
//! allocator sees a read-only view, returns grants as data, and the master validates them.
//!
//! Run it with: cargo run --release --example emptiest_agent [-- SCENARIO]

use offersim::allocator::{Allocator, Change, Grant, View};
use offersim::cluster::agent::AgentId;
use offersim::sim::engine::{Plugins, RunOptions};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

#[derive(Default)]
struct EmptiestAgentFirst {
    next_fw: usize,
}

impl Allocator for EmptiestAgentFirst {
    fn name(&self) -> &str {
        "emptiest-agent-first"
    }

    /// This policy keeps no bookkeeping of its own: it reads everything from the view.
    fn notify(&mut self, _view: &View, _change: Change) {}

    fn allocate(
        &mut self,
        view: &View,
        agents: &[AgentId],
        _rng: &mut ChaCha8Rng,
        out: &mut Vec<Grant>,
    ) {
        // Candidates by free cpus, most first; ties by agent id so the order is total.
        let mut order: Vec<AgentId> = agents
            .iter()
            .copied()
            .filter(|&a| view.agents[a as usize].active)
            .collect();
        order.sort_by_key(|&a| {
            (
                std::cmp::Reverse(view.agents[a as usize].free.total().0[0]),
                a,
            )
        });
        let fws: Vec<usize> = (0..view.frameworks.len())
            .filter(|&f| view.frameworks[f].wants_offers(0))
            .collect();
        if fws.is_empty() {
            return;
        }
        for a in order {
            let f = fws[self.next_fw % fws.len()];
            let fw = &view.frameworks[f];
            let role = fw.roles[0].role;
            let offer = view.usable_by(&view.agents[a as usize].free, role);
            if !view.allocatable(f as u32, 0, &offer.total())
                || !view.capable(f as u32, a)
                || view.filtered(f as u32, role, a, &offer)
            {
                continue;
            }
            self.next_fw += 1;
            out.push(Grant {
                fw: f as u32,
                role,
                agent: a,
                pools: offer,
            });
        }
    }
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml").to_string()
    });
    let scenario = Arc::new(offersim::scenario::load(std::path::Path::new(&path))?);
    let plugins = Plugins {
        allocator: Some(Box::new(EmptiestAgentFirst::default())),
        scheduler: None,
    };
    let out = std::env::temp_dir().join("offersim-emptiest-agent");
    let o = offersim::run::simulate_with(
        &scenario,
        0,
        0,
        Some(&out),
        &RunOptions {
            check_invariants: true,
            ..Default::default()
        },
        plugins,
    )?;
    let cols = offersim::report::csv_out::SUMMARY_COLS;
    println!("allocator: emptiest-agent-first on {}", scenario.name);
    for (name, value) in cols[3..].iter().zip(&o.fields) {
        println!("  {name:<18} {value}");
    }
    println!("per-run files in {}", out.display());
    Ok(())
}
