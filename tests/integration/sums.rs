//! Mesos allocator tests whose assertions are sums per framework, not offers of named agents.
//!
//! CoarseGrained, UpdateWeight and QuotaHeadroomWithNestedRoleAllocation (Mesos 1.11,
//! src/tests/hierarchical_allocator_tests.cpp) give identical agents to frameworks whose order
//! the agent walk or a DRF tie decides, and assert only what each framework gets in total (or
//! how many allocations are made). An expected offers file would have to pick the agents, which
//! the tests leave open, so these restatements assert exactly what the Mesos tests assert: the
//! resources each framework is offered in each allocation run, summed from offers.csv.

use crate::common::{read_csv_maps, run_into, tmp, write};
use std::collections::BTreeMap;

/// A scripted framework that holds its offers until a `decline`.
fn framework(at_s: f64, name: &str, role: &str) -> String {
    format!(
        "[[events]]\nat_s = {at_s}\naction = \"add_framework\"\nname = \"{name}\"\n\
         roles = [\"{role}\"]\nscheduler = \"hold\"\n\n"
    )
}

fn agent(at_s: f64, name: &str, cpus: u32, mem_mb: u32) -> String {
    format!(
        "[[events]]\nat_s = {at_s}\naction = \"add_agent\"\nname = \"{name}\"\ncpus = {cpus}\n\
         mem_mb = {mem_mb}\n\n"
    )
}

/// Returns every outstanding offer of the framework with no filter (Mesos's
/// `recoverResources(..., None())`).
fn decline_all(at_s: f64, fw: &str) -> String {
    format!(
        "[[events]]\nat_s = {at_s}\naction = \"decline\"\nframework = \"{fw}\"\nrefuse_s = 0\n\n"
    )
}

/// One allocation run's offers as the Mesos tests sum them.
#[derive(Debug, Default, PartialEq)]
struct Sum {
    offers: usize,
    cpus: f64,
    mem_mb: f64,
}

/// Offers summed by (time_s, framework).
type Sums = BTreeMap<(String, String), Sum>;

/// Runs the scenario (invariants on) and sums offers.csv by (time_s, framework); also returns
/// (time_s, agent) of every offer, to check that no agent is offered twice in one run.
fn sums(name: &str, body: &str) -> (Sums, Vec<(String, String)>) {
    let d = tmp(name);
    let s = d.join(format!("{name}.toml"));
    write(&s, body);
    let out = d.join("out");
    run_into(&s, &out);
    let mut by = BTreeMap::new();
    let mut agents = Vec::new();
    for row in read_csv_maps(&out.join("offers.csv")) {
        let e: &mut Sum = by
            .entry((row["time_s"].clone(), row["framework"].clone()))
            .or_default();
        e.offers += 1;
        e.cpus += row["cpus"].parse::<f64>().unwrap();
        e.mem_mb += row["mem_mb"].parse::<f64>().unwrap();
        agents.push((row["time_s"].clone(), row["agent"].clone()));
    }
    (by, agents)
}

fn key(t: &str, fw: &str) -> (String, String) {
    (t.to_string(), fw.to_string())
}

fn sum(offers: usize, cpus: f64, mem_mb: f64) -> Sum {
    Sum {
        offers,
        cpus,
        mem_mb,
    }
}

/// No agent is offered twice in one run.
fn distinct_per_run(agents: &[(String, String)]) {
    let mut seen = agents.to_vec();
    seen.sort();
    let n = seen.len();
    seen.dedup();
    assert_eq!(
        seen.len(),
        n,
        "an agent offered twice in one run: {agents:?}"
    );
}

/// CoarseGrained: two agents (2 cpus, 1024 MB) both go to f1 (role1); returned without a filter,
/// and f2 (role2) subscribing, the run it triggers gives each framework one whole agent.
#[test]
fn coarse_grained_gives_each_framework_one_whole_agent() {
    let body = format!(
        "name = \"coarse_grained\"\nseed = 1\nreplications = 1\nend_s = 0.9\n\n\
         [master]\nallocation_interval_s = 1.0\n\n{}{}{}{}{}",
        agent(0.0, "a1", 2, 1024),
        agent(0.0, "a2", 2, 1024),
        framework(0.0, "f1", "role1"),
        decline_all(0.5, "f1"),
        framework(0.5, "f2", "role2"),
    );
    let (by, agents) = sums("coarse-grained", &body);
    let want: BTreeMap<_, _> = [
        (key("0", "f1"), sum(2, 4.0, 2048.0)),
        (key("0.5", "f1"), sum(1, 2.0, 1024.0)),
        (key("0.5", "f2"), sum(1, 2.0, 1024.0)),
    ]
    .into_iter()
    .collect();
    assert_eq!(by, want);
    distinct_per_run(&agents);
}

/// UpdateWeight: six agents (2 cpus, 1024 MB) are shared by weight. Equal weights: 3 and 3
/// agents; role2's weight 2: 2 and 4; role3 (weight 3) with f3 subscribing: 1, 2 and 3. Each
/// run offers the whole cluster (12 cpus), as the test's total check says.
#[test]
fn update_weight_shares_six_agents_by_the_roles_weights() {
    let agents: String = (1..=6)
        .map(|i| agent(0.0, &format!("a{i}"), 2, 1024))
        .collect();
    let body = format!(
        "name = \"update_weight\"\nseed = 1\nreplications = 1\nend_s = 2.9\n\n\
         [master]\nallocation_interval_s = 1.0\n\n{agents}{}{}{}{}{}\
         [[events]]\nat_s = 1.5\naction = \"set_weight\"\nrole = \"role2\"\nweight = 2.0\n\n\
         {}{}\
         [[events]]\nat_s = 2.5\naction = \"set_weight\"\nrole = \"role3\"\nweight = 3.0\n\n{}",
        framework(0.0, "f1", "role1"),
        framework(0.25, "f2", "role2"),
        decline_all(0.5, "f1"),
        decline_all(1.5, "f1"),
        decline_all(1.5, "f2"),
        decline_all(2.5, "f1"),
        decline_all(2.5, "f2"),
        framework(2.5, "f3", "role3"),
    );
    let (by, agents) = sums("update-weight", &body);
    let want: BTreeMap<_, _> = [
        // f1 alone gets everything; f2's subscription finds nothing free.
        (key("0", "f1"), sum(6, 12.0, 6144.0)),
        (key("1", "f1"), sum(3, 6.0, 3072.0)),
        (key("1", "f2"), sum(3, 6.0, 3072.0)),
        (key("2", "f1"), sum(2, 4.0, 2048.0)),
        (key("2", "f2"), sum(4, 8.0, 4096.0)),
        (key("2.5", "f1"), sum(1, 2.0, 1024.0)),
        (key("2.5", "f2"), sum(2, 4.0, 2048.0)),
        (key("2.5", "f3"), sum(3, 6.0, 3072.0)),
    ]
    .into_iter()
    .collect();
    assert_eq!(by, want);
    distinct_per_run(&agents);
}

/// QuotaHeadroomWithNestedRoleAllocation: `a/b` (f1) and `a` (f2) each hold an agent (1 cpu,
/// 100 MB); quota-role (no framework) gets a guarantee of one agent. A third agent is set aside
/// for its headroom (no offer); with a fourth, exactly one of the two is offered, to f1 or f2.
#[test]
fn quota_headroom_with_nested_role_allocation_offers_one_of_two_agents() {
    let body = format!(
        "name = \"quota_headroom_nested\"\nseed = 1\nreplications = 1\nend_s = 0.9\n\n\
         [master]\nallocation_interval_s = 1.0\n\n{}{}{}{}\
         [[events]]\nat_s = 0.2\naction = \"set_quota\"\nrole = \"quota-role\"\n\
         guarantees = {{ cpus = 1, mem_mb = 100 }}\nlimits = {{ cpus = 1, mem_mb = 100 }}\n\n{}{}",
        framework(0.0, "f1", "a/b"),
        agent(0.0, "a1", 1, 100),
        framework(0.1, "f2", "a"),
        agent(0.1, "a2", 1, 100),
        agent(0.2, "a3", 1, 100),
        agent(0.3, "a4", 1, 100),
    );
    let (by, agents) = sums("quota-headroom-nested", &body);
    assert_eq!(by.get(&key("0", "f1")), Some(&sum(1, 1.0, 100.0)));
    assert_eq!(by.get(&key("0.1", "f2")), Some(&sum(1, 1.0, 100.0)));
    assert!(
        !by.keys().any(|(t, _)| t == "0.2"),
        "the third agent is held back for quota-role's headroom: {by:?}"
    );
    let at_4: Vec<_> = by.iter().filter(|((t, _), _)| t == "0.3").collect();
    assert_eq!(
        at_4.len(),
        1,
        "one allocation when the fourth agent joins: {by:?}"
    );
    let ((_, fw), s) = at_4[0];
    assert!(fw == "f1" || fw == "f2", "to a framework in a or a/b: {fw}");
    assert_eq!(*s, sum(1, 1.0, 100.0));
    assert_eq!(by.len(), 3, "no other offers: {by:?}");
    distinct_per_run(&agents);
}
