//! An allocator defined outside the crate: "emptiest agent first". It offers each framework, in
//! round-robin order, the agent with the most free cpus, whole. It shows the plug-in API: the
//! allocator sees a read-only view, returns grants as data, and the master validates them.
//!
//! Run it with: cargo run --release --example emptiest_agent [-- SCENARIO]

use offersim::policy::{
    load_scenario, simulate_with, AgentId, Allocator, Change, FrameworkId, Grant, Plugins, Run,
    RunOptions, View, SUMMARY_COLS,
};
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

    fn allocate(&mut self, view: &View, run: &mut Run) {
        // Candidates by free cpus, most first; ties by agent id so the order is total.
        let mut order: Vec<AgentId> = run.candidates().collect();
        order.sort_by_key(|&a| (std::cmp::Reverse(view.agent(a).free().total().0[0]), a));
        let fws: Vec<FrameworkId> = (0..view.frameworks().len() as u32)
            .map(FrameworkId::new)
            .filter(|&f| view.framework(f).wants_offers(0))
            .collect();
        if fws.is_empty() {
            return;
        }
        for a in order {
            let f = fws[self.next_fw % fws.len()];
            let role = view.framework(f).roles()[0].role();
            // What the framework may be offered: without revocable resources unless it has the
            // capability (the master refuses such a grant otherwise).
            let offer = view.offer_for(f, view.agent(a).free(), role);
            if !view.allocatable(f, 0, &offer.total())
                || !view.capable(f, a)
                || view.filtered(f, role, a, &offer)
            {
                continue;
            }
            self.next_fw += 1;
            run.grant(Grant {
                fw: f,
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
    let scenario = Arc::new(load_scenario(std::path::Path::new(&path))?);
    let plugins = Plugins {
        allocator: Some(Box::new(EmptiestAgentFirst::default())),
        scheduler: None,
    };
    let out = std::env::temp_dir().join("offersim-emptiest-agent");
    let o = simulate_with(
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
    let cols = SUMMARY_COLS;
    println!("allocator: emptiest-agent-first on {}", scenario.name);
    for (name, value) in cols[3..].iter().zip(&o.fields) {
        println!("  {name:<18} {value}");
    }
    println!("per-run files in {}", out.display());
    Ok(())
}
