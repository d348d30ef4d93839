//! Bad input (DESIGN §5): every malformed trace, machines file or scenario is an input error
//! (exit code 2) naming the file, the line and the field, and saying what was expected. Nothing
//! panics. Well-formed oddities (BOMs, CRLF line ends) are accepted; a trace with a header and
//! no rows is an error.

use crate::common::*;
use offersim::scenario;
use std::path::Path;
use std::sync::Arc;

const HDR: &str = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s";

/// Runs a one-agent scenario over a trace with these bytes; Err(message) on an input error.
fn run_trace(
    name: &str,
    file: &str,
    bytes: &[u8],
) -> Result<offersim::experiment::RunOutcome, String> {
    let d = tmp(name);
    std::fs::write(d.join(file), bytes).unwrap();
    let s = d.join("s.toml");
    write(
        &s,
        &format!(
            "name = \"b\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [workload]\ntrace = \"{file}\"\n"
        ),
    );
    let sc = Arc::new(scenario::load(&s).map_err(|e| e.to_string())?);
    offersim::experiment::simulate(&sc, 0, 0, None, &Default::default()).map_err(|e| {
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    })
}

fn expect_err(name: &str, bytes: &[u8], needles: &[&str]) {
    let m = run_trace(name, "t.csv", bytes).expect_err("malformed input must be rejected");
    for n in needles {
        assert!(m.contains(n), "`{n}` not in: {m}");
    }
}

#[test]
fn trace_numbers_that_are_not_finite_nonnegative_and_bounded_are_rejected() {
    for (i, bad) in [
        "NaN", "inf", "-inf", "-1", "1e400", "1e300", "0x10", "", "1,5",
    ]
    .iter()
    .enumerate()
    {
        let body = format!("{HDR}\nj1,f,0,1,\"{bad}\",512,10\n");
        expect_err(
            &format!("num{i}"),
            body.as_bytes(),
            &["t.csv:2", "`cpus`", "expected"],
        );
    }
    expect_err(
        "dur",
        format!("{HDR}\nj1,f,0,1,1,512,1e12\n").as_bytes(),
        &["t.csv:2", "`duration_s`", "at most"],
    );
    expect_err(
        "tasks",
        format!("{HDR}\nj1,f,0,99999999999,1,512,1\n").as_bytes(),
        &["t.csv:2", "`tasks`", "integer"],
    );
    expect_err(
        "tasks0",
        format!("{HDR}\nj1,f,0,-3,1,512,1\n").as_bytes(),
        &["t.csv:2", "`tasks`"],
    );
}

#[test]
fn empty_truncated_and_junk_traces_are_input_errors() {
    expect_err("empty", b"", &["t.csv:1", "job_id", "missing"]);
    expect_err(
        "junk",
        b"\x00\x01\x02\xff\xfe binary\n\x89PNG\r\n",
        &["t.csv:1"],
    );
    expect_err(
        "short-row",
        format!("{HDR}\nj1,f,0,1\n").as_bytes(),
        &["t.csv:2", "expected 7 fields"],
    );
    expect_err(
        "dup-col",
        format!("{HDR},cpus\nj1,f,0,1,1,512,10,1\n").as_bytes(),
        &["t.csv:1", "`cpus`", "twice"],
    );
    let mut bytes = format!("{HDR}\nj1,f,0,1,1,512,10\nj").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe,f,0,1,1,1,1\n");
    expect_err("utf8", &bytes, &["t.csv:3", "UTF-8"]);
    // A gzip stream cut in the middle.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(
        &mut gz,
        format!("{HDR}\n{}", "j1,f,0,1,1,512,10\n".repeat(2000)).as_bytes(),
    )
    .unwrap();
    let full = gz.finish().unwrap();
    let m = run_trace("gz-cut", "t.csv.gz", &full[..full.len() / 2])
        .expect_err("truncated gzip must be rejected");
    assert!(m.contains("t.csv.gz") && m.contains("truncated"), "{m}");
    let m = run_trace("gz-junk", "t.csv.gz", b"not gzip at all").unwrap_err();
    assert!(m.contains("t.csv.gz:1"), "{m}");
}

#[test]
fn boms_and_crlf_are_fine_and_a_header_only_trace_is_an_error() {
    let o = run_trace(
        "bom-crlf",
        "t.csv",
        format!("\u{feff}{HDR}\r\nj1,f,0,2,1,512,10\r\nj2,f,1,1,1,512,10\r\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(o.tasks_finished, 3);
    // A workload with no job is a mistake (the wrong file, an empty export), not a scenario.
    let m = run_trace("header-only", "t.csv", format!("{HDR}\n").as_bytes()).unwrap_err();
    assert!(m.contains("t.csv:1") && m.contains("no rows"), "{m}");
}

fn run_machines(name: &str, body: &str) -> Result<offersim::scenario::Scenario, String> {
    let d = tmp(name);
    write(&d.join("m.csv"), body);
    let s = d.join("s.toml");
    write(&s, "name = \"m\"\n[cluster]\nmachines = \"m.csv\"\n");
    scenario::load(&s).map_err(|e| {
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    })
}

#[test]
fn machines_files_reject_duplicates_and_bad_numbers_with_lines() {
    let m = run_machines(
        "m-dup",
        "name,rack,cpus,mem_mb\nm1,r1,2,1024\nm2,r1,2,1024\nm1,r2,4,1024\n",
    )
    .unwrap_err();
    assert!(
        m.contains("m.csv:4") && m.contains("`name`") && m.contains("line 2"),
        "{m}"
    );
    for (i, bad) in ["-2", "NaN", "inf", "1e20", "x"].iter().enumerate() {
        let m = run_machines(
            &format!("m-num{i}"),
            &format!("name,rack,cpus,mem_mb\nm1,r1,{bad},1024\n"),
        )
        .unwrap_err();
        assert!(m.contains("m.csv:2") && m.contains("`cpus`"), "{m}");
    }
    let m = run_machines(
        "m-rm",
        "name,rack,cpus,mem_mb,add_s,remove_s\nm1,r1,2,1024,5,4\n",
    )
    .unwrap_err();
    assert!(m.contains("m.csv:2") && m.contains("`remove_s`"), "{m}");
    let m = run_machines("m-empty", "").unwrap_err();
    assert!(m.contains("m.csv:1") && m.contains("`name`"), "{m}");
    let s = run_machines(
        "m-bom",
        "\u{feff}name,rack,cpus,mem_mb\r\nm1,r1,2,1024\r\nm2,,2,1024\r\n",
    )
    .unwrap();
    assert_eq!(s.agents.len(), 2);
    assert_eq!(s.agents[1].rack, None);
}

fn scenario_err(body: &str) -> String {
    let e = scenario::load_str(Path::new("s.toml"), body).expect_err("must be rejected");
    assert_eq!(e.exit_code(), 2, "{e}");
    e.to_string()
}

fn assert_all(m: &str, needles: &[&str]) {
    for n in needles {
        assert!(m.contains(n), "`{n}` not in: {m}");
    }
}

#[test]
fn unknown_keys_in_nested_tables_are_rejected_with_suggestions() {
    let cases: &[(&str, &[&str])] = &[
        (
            "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rak = 2\n",
            &["s.toml:4", "agents_per_rak", "did you mean `agents_per_rack`"],
        ),
        (
            "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 1, mem = 2 }\n",
            &["s.toml:5", "`mem`", "mem_mb"],
        ),
        (
            "name = \"x\"\n[[cluster.agents]]\nname = \"a\"\ncpus = 1\nmem_mb = 1\nrak = \"r\"\n",
            &["s.toml:", "`rak`", "did you mean `rack`"],
        ),
        (
            "name = \"x\"\n[[frameworks]]\nname = \"f\"\nschedular = \"greedy\"\n",
            &["s.toml:4", "did you mean `scheduler`"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"fail_framework\"\nframework = \"f\"\nfailover_timeout = 3\n",
            &["s.toml:", "did you mean `failover_timeout_s`"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"disconect_agent\"\nagent = \"a\"\n",
            &["s.toml:", "unknown action", "did you mean `disconnect_agent`"],
        ),
        (
            "name = \"x\"\n[[policy]]\nname = \"p\"\nalocator = \"drf\"\n",
            &["s.toml:", "did you mean `allocator`"],
        ),
        (
            "name = \"x\"\n[[policy]]\nname = \"p\"\n[policy.framework_defaults]\nnode_wait = 3\n",
            &["s.toml:", "did you mean `node_wait_s`"],
        ),
        (
            "name = \"x\"\n[faults]\nagent_mtbf = 3\n",
            &["s.toml:3", "did you mean `agent_mtbf_s`"],
        ),
        (
            "name = \"x\"\n[master]\nagent_ping_timeout = 3\n",
            &["s.toml:3", "did you mean `agent_ping_timeout_s`"],
        ),
        (
            "name = \"x\"\n[roles.eng]\nweigth = 2\n",
            &["s.toml:3", "did you mean `weight`"],
        ),
        (
            "name = \"x\"\n[roles.eng]\nquota = { cpu = 2 }\n",
            &["s.toml:3", "did you mean `cpus`"],
        ),
    ];
    for (body, needles) in cases {
        assert_all(&scenario_err(body), needles);
    }
}

#[test]
fn offer_mode_and_max_attempts_are_checked() {
    assert_all(
        &scenario_err("name = \"x\"\n[master]\noffer_mode = \"cel\"\n"),
        &[
            "s.toml:",
            "offer_mode",
            "did you mean \"cell\"",
            "per_agent",
        ],
    );
    assert_all(
        &scenario_err(
            "name = \"x\"\n[[policy]]\nname = \"p\"\n[policy.master]\noffer_mode = \"per-agent\"\n",
        ),
        &["s.toml:", "did you mean \"per_agent\""],
    );
    assert_all(
        &scenario_err("name = \"x\"\n[[frameworks]]\nname = \"f\"\nmax_attempts = 0\n"),
        &["s.toml:", "max_attempts", ">= 1"],
    );
}

#[test]
fn generator_tables_reject_unknown_keys() {
    let m = scenario_err_at_run(
        "name = \"x\"\n[workload]\ngenerator = { kind = \"poisson\", rate_per_s = 1, jobbs = 3 }\n",
    );
    assert!(m.contains("jobbs") && m.contains("s.toml"), "{m}");
}

/// Generator tables are checked when the generator is built (at run time), still as input errors.
fn scenario_err_at_run(body: &str) -> String {
    let d = tmp("gen-bad");
    let p = d.join("s.toml");
    write(&p, body);
    let s = match scenario::load(&p) {
        Err(e) => {
            assert_eq!(e.exit_code(), 2);
            return e.to_string();
        }
        Ok(s) => Arc::new(s),
    };
    let e = offersim::experiment::simulate(&s, 0, 0, None, &Default::default()).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    e.to_string()
}

#[test]
fn bad_values_name_the_field_and_what_was_expected() {
    let cases: &[(&str, &[&str])] = &[
        ("", &["s.toml", "`name`", "missing"]),
        ("name = \"x\"\nend_s = nan\n", &["s.toml:2", "`end_s`", "finite"]),
        ("name = \"x\"\nend_s = -1\n", &["s.toml:2", "`end_s`", ">= 0"]),
        ("name = \"x\"\nend_s = 1e300\n", &["s.toml:2", "`end_s`", "<= 1e9"]),
        ("name = \"x\"\nseed = -1\n", &["s.toml:2", "seed"]),
        ("name = \"x\"\nseed = \"one\"\n", &["s.toml:2"]),
        (
            "name = \"x\"\n[faults]\nagent_mtbf_s = 0\nagent_mttr_s = 1\n",
            &["s.toml:3", "`agent_mtbf_s`", "> 0"],
        ),
        (
            "name = \"x\"\n[faults]\nagent_mtbf_s = 10\n",
            &["s.toml:2", "`agent_mttr_s`"],
        ),
        (
            "name = \"x\"\n[master]\nmax_agent_ping_timeouts = 0\n",
            &["s.toml:2", "`max_agent_ping_timeouts`", ">= 1"],
        ),
        (
            "name = \"x\"\n[master]\nagent_ping_timeout_s = inf\n",
            &["s.toml:2", "`agent_ping_timeout_s`", "finite"],
        ),
        (
            "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 1e13, mem_mb = 1 }\n",
            &["s.toml:2", "`agent`", "cpus"],
        ),
        (
            "name = \"x\"\n[locality]\nrack_slowdown = 1e6\n",
            &["s.toml:2", "`rack_slowdown`", "<= 1e3"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"fail_framework\"\nframework = \"f\"\nfailover_timeout_s = -5\n",
            &["s.toml:2", "`failover_timeout_s`"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"disconnect_agent\"\n",
            &["s.toml:", "`agent`", "missing"],
        ),
        (
            "name = \"x\"\n[[cluster.agents]]\nname = \"a\"\ncpus = 1\nmem_mb = 1\n[[cluster.agents]]\nname = \"a\"\ncpus = 1\nmem_mb = 1\n",
            &["s.toml:", "\"a\"", "twice"],
        ),
        ("name = \"x\"\n[master\n", &["s.toml:2"]),
    ];
    for (body, needles) in cases {
        assert_all(&scenario_err(body), needles);
    }
}

#[test]
fn scripted_fault_events_on_unknown_names_are_line_errors() {
    let d = tmp("bad-fault-names");
    let p = d.join("s.toml");
    write(
        &p,
        "name = \"x\"\n[[events]]\nat_s = 1\naction = \"disconnect_agent\"\nagent = \"ghost\"\n",
    );
    let m = scenario_err_at_run(&std::fs::read_to_string(&p).unwrap());
    assert!(
        m.contains("s.toml:2") && m.contains("`agent`") && m.contains("ghost"),
        "{m}"
    );
}

#[test]
fn a_scenario_with_a_bom_and_crlf_loads() {
    let s = scenario::load_str(
        Path::new("s.toml"),
        "\u{feff}name = \"x\"\r\n[master]\r\nrefuse_s = 2\r\n",
    );
    match s {
        Ok(s) => assert_eq!(s.master.refuse, offersim::sim::SimDuration::from_secs(2)),
        Err(e) => assert_eq!(e.exit_code(), 2, "{e}"),
    }
}
