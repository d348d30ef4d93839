//! The DRF paper's example end to end: one agent of 9 cpus and 18 GB; A's tasks need <1 cpu,
//! 4 GB> and B's <3 cpus, 1 GB>. Once tasks churn, DRF holds A at about 3 tasks and B at about 2
//! (both at a dominant share of 2/3).

use crate::common::*;

#[test]
fn drf_paper_example_converges_to_three_and_two_tasks() {
    let d = tmp("drf-example");
    let mut trace = String::from("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n");
    // Staggered durations so tasks end at different times and resources churn.
    for i in 0..150 {
        trace.push_str(&format!("a{i},A,0,1,1,4096,{}\n", 7 + (i * 3) % 9));
    }
    for i in 0..100 {
        trace.push_str(&format!("b{i},B,0,1,3,1024,{}\n", 6 + (i * 5) % 8));
    }
    write(&d.join("trace.csv"), &trace);
    write(
        &d.join("s.toml"),
        "name = \"drf-example\"\nseed = 3\n[cluster]\n[[cluster.agents]]\nname = \"a1\"\ncpus = 9\nmem_mb = 18432\n\
         [workload]\ntrace = \"trace.csv\"\n",
    );
    run_into(&d.join("s.toml"), &d.join("out"));
    let a = mean_running(&d.join("out/tasks.csv"), "A", 60.0, 360.0);
    let b = mean_running(&d.join("out/tasks.csv"), "B", 60.0, 360.0);
    eprintln!("DRF example: A runs {a:.3}, B runs {b:.3} tasks on average");
    assert!(
        (a - 3.0).abs() < 0.4,
        "A runs {a:.2} tasks on average, expected about 3"
    );
    assert!(
        (b - 2.0).abs() < 0.4,
        "B runs {b:.2} tasks on average, expected about 2"
    );
}
