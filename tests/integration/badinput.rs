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
    offersim::experiment::simulate(&sc, 0, 0, None, &checked()).map_err(|e| {
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
    let e = offersim::experiment::simulate(&s, 0, 0, None, &checked()).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    e.to_string()
}

/// Each message points at the key's own line (not its table's header) and names the key by
/// its full path, in one style (`cluster.agent.cpus`).
#[test]
fn bad_values_name_the_field_and_what_was_expected() {
    let cases: &[(&str, &[&str])] = &[
        ("", &["s.toml", "`name`", "missing"]),
        ("name = \"x\"\nend_s = nan\n", &["s.toml:2: field `end_s`", "finite"]),
        ("name = \"x\"\nend_s = -1\n", &["s.toml:2: field `end_s`", ">= 0"]),
        ("name = \"x\"\nend_s = 1e300\n", &["s.toml:2: field `end_s`", "<= 1e9, got 1e300"]),
        ("name = \"x\"\nseed = -1\n", &["s.toml:2: field `seed`"]),
        ("name = \"x\"\nseed = \"one\"\n", &["s.toml:2: field `seed`"]),
        (
            "name = \"x\"\n[faults]\nagent_mtbf_s = 0\nagent_mttr_s = 1\n",
            &["s.toml:3: field `faults.agent_mtbf_s`", "> 0"],
        ),
        (
            "name = \"x\"\n[faults]\nagent_mtbf_s = 10\n",
            &["s.toml:2: field `faults.agent_mttr_s`"],
        ),
        (
            "name = \"x\"\n[master]\nrefuse_s = 1\nmax_agent_ping_timeouts = 0\n",
            &["s.toml:4: field `master.max_agent_ping_timeouts`", ">= 1"],
        ),
        (
            "name = \"x\"\n[master]\nagent_ping_timeout_s = inf\n",
            &["s.toml:3: field `master.agent_ping_timeout_s`", "finite"],
        ),
        (
            "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 1e13, mem_mb = 1 }\n",
            &["s.toml:5: field `cluster.agent.cpus`", "between 0 and 1e12"],
        ),
        (
            "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 1, mem = 1 }\n",
            &["s.toml:5: field `cluster.agent.mem`", "did you mean `mem_mb`?"],
        ),
        (
            "name = \"x\"\n[locality]\noff_rack_slowdown = 2\nrack_slowdown = 1e6\n",
            &["s.toml:4: field `locality.rack_slowdown`", "<= 1e3"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"fail_framework\"\nframework = \"f\"\nfailover_timeout_s = -5\n",
            &["s.toml:6: field `events.failover_timeout_s`"],
        ),
        (
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"disconnect_agent\"\n",
            &["s.toml:2: field `events.agent`", "missing"],
        ),
        (
            "name = \"x\"\n[[cluster.agents]]\nname = \"a\"\ncpus = 1\nmem_mb = 1\n[[cluster.agents]]\nname = \"a\"\ncpus = 1\nmem_mb = 1\n",
            &["s.toml:7: field `cluster.agents.name`", "\"a\"", "twice"],
        ),
        (
            "name = \"x\"\n[roles.eng]\npriority = 1\nweight = 0\n",
            &["s.toml:4: field `roles.eng.weight`"],
        ),
        (
            "name = \"x\"\n[roles.eng]\nquota = { cpus = -1 }\n",
            &["s.toml:3: field `roles.eng.quota.cpus`"],
        ),
        (
            "name = \"x\"\n[[frameworks]]\nname = \"f\"\ndecision_s = -1\n",
            &["s.toml:4: field `frameworks.decision_s`"],
        ),
        (
            "name = \"x\"\n[[frameworks]]\nname = \"f\"\njob_order = \"fiffo\"\n",
            &["s.toml:4: field `frameworks.job_order`", "did you mean \"fifo\"?"],
        ),
        (
            "name = \"x\"\n[[policy]]\nname = \"p\"\n[policy.master]\nlatency_s = 0\nrefuse_s = -1\n",
            &["s.toml:6: field `policy.master.refuse_s`"],
        ),
        (
            "name = \"x\"\n[cluster]\nracks = 0\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 1 }\n",
            &["s.toml:3: field `cluster.racks`"],
        ),
        ("name = \"x\"\n[master\n", &["s.toml:2"]),
    ];
    for (body, needles) in cases {
        assert_all(&scenario_err(body), needles);
    }
}

/// A key written in the wrong table says where it belongs.
#[test]
fn a_key_in_the_wrong_table_says_where_it_belongs() {
    let cases: &[(&str, &[&str])] = &[
        (
            "name = \"x\"\nrefuse_s = 3\n",
            &[
                "s.toml:2: field `refuse_s`",
                "it belongs in the [master] table",
            ],
        ),
        (
            "name = \"x\"\nracks = 3\n",
            &["s.toml:2", "it belongs in the [cluster] table"],
        ),
        (
            "name = \"x\"\nnode_wait_s = 3\n",
            &[
                "s.toml:2",
                "a [[frameworks]] table (or a policy's [framework_defaults])",
            ],
        ),
        (
            "name = \"x\"\n[[policy]]\nname = \"p\"\noffer_mode = \"cell\"\n",
            &[
                "s.toml:4: field `policy.offer_mode`",
                "it belongs in the [policy.master] table",
            ],
        ),
    ];
    for (body, needles) in cases {
        assert_all(&scenario_err(body), needles);
    }
    // A policy file.
    let d = tmp("policy-belongs");
    write(
        &d.join("p.toml"),
        "name = \"p\"\nallocator = \"drf\"\nallocation_interval_s = 2\ndecision_s = 1\n",
    );
    write(&d.join("s.toml"), "name = \"x\"\npolicies = [\"p.toml\"]\n");
    let m = scenario::load(&d.join("s.toml")).unwrap_err().to_string();
    assert_all(
        &m,
        &[
            "p.toml:3: field `allocation_interval_s`",
            "it belongs in the [master] table",
        ],
    );
}

#[test]
fn scripted_fault_events_on_unknown_names_are_line_errors() {
    let m = scenario_err_at_run(
        "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 1 }\n\
         [[events]]\nat_s = 1\naction = \"disconnect_agent\"\nagent = \"ghost\"\n\
         [[events]]\nat_s = 2\naction = \"disconnect_agent\"\nagent = \"a\"\n",
    );
    assert_all(&m, &["s.toml:9: field `events.agent`", "\"ghost\""]);
    let m = scenario_err_at_run(
        "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 1 }\n\
         [[events]]\nat_s = 2\naction = \"disconnect_agent\"\nagent = \"a\"\n",
    );
    assert_all(
        &m,
        &["s.toml:9: field `events.agent`", "did you mean \"a1\"?"],
    );
    let m = scenario_err_at_run(
        "name = \"x\"\n[[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"batch\"\n\
         [[events]]\nat_s = 1\naction = \"fail_framework\"\nframework = \"bacth\"\n",
    );
    assert_all(
        &m,
        &[
            "s.toml:9: field `events.framework`",
            "did you mean \"batch\"?",
        ],
    );
}

#[test]
fn a_scenario_with_a_bom_and_crlf_loads() {
    let s = scenario::load_str(
        Path::new("s.toml"),
        "\u{feff}name = \"x\"\r\n[master]\r\nrefuse_s = 2\r\n",
    );
    // A BOM and CRLF line ends are well-formed text: the scenario loads, and the key after
    // them is read (not swallowed into the BOM's line).
    let s = s.unwrap_or_else(|e| panic!("a BOM and CRLF must load: {e}"));
    assert_eq!(s.name, "x");
    assert_eq!(s.master.refuse, offersim::sim::SimDuration::from_secs(2));
}

/// A name chosen from a list gets the nearest one suggested, wherever it is chosen.
#[test]
fn names_chosen_from_a_list_get_a_suggestion() {
    let d = tmp("did-you-mean");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["gen", "poison", "--out", "x.csv"],
            &["did you mean \"poisson\"?"],
        ),
        (
            &[
                "run",
                "scenarios/quickstart.toml",
                "--policy",
                "stattic",
                "--out",
                "x",
            ],
            &["no policy \"stattic\"", "did you mean \"static\"?"],
        ),
    ];
    for (args, needles) in cases {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "x.csv" || *a == "x" {
                    d.join(a).display().to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let o = offersim_cmd(&args).current_dir(repo()).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_all(&err, needles);
    }
    assert_all(
        &scenario_err("name = \"x\"\n[check]\ntolerance = { jct_men_s = 0.1 }\n"),
        &[
            "s.toml:3",
            "check.tolerance.jct_men_s",
            "did you mean \"jct_mean_s\"?",
        ],
    );
    let m = run_machines("m-col", "name,rack,cpus,mem,disk_mb\nm1,r1,2,1024,1\n").unwrap_err();
    assert_all(&m, &["m.csv:1", "did you mean `mem_mb`?"]);
}

/// `reserve` / `unreserve`: the role, the amount and the names it refers to are checked, each
/// error naming the key's line.
#[test]
fn reserve_events_reject_bad_roles_amounts_and_names() {
    let head = "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 1\n\
                agent = { cpus = 2, mem_mb = 1024 }\n[[events]]\nat_s = 0\n";
    let load_cases: &[(&str, &[&str])] = &[
        (
            "action = \"reserve\"\nagent = \"a1\"\nrole = \"*\"\nresources = { cpus = 1 }\n",
            &["s.toml:10: field `events.role`", "named role"],
        ),
        (
            "action = \"reserve\"\nagent = \"a1\"\nrole = \"r\"\nresources = { mem_mb = 0 }\n",
            &["s.toml:11: field `events.resources`", "positive amount"],
        ),
        (
            "action = \"unreserve\"\nagent = \"a1\"\nrole = \"r\"\nresources = { cpus = -1 }\n",
            &["s.toml:11: field `events.resources.cpus`"],
        ),
        (
            "action = \"reserve\"\nagent = \"a1\"\nrole = \"r\"\n",
            &["s.toml", "resources"],
        ),
    ];
    for (body, needles) in load_cases {
        assert_all(&scenario_err(&format!("{head}{body}")), needles);
    }
    let run_cases: &[(&str, &[&str])] = &[
        (
            "action = \"reserve\"\nagent = \"a2\"\nrole = \"r\"\nresources = { cpus = 1 }\n",
            &["s.toml:9: field `events.agent`", "did you mean \"a1\"?"],
        ),
        (
            "action = \"reserve\"\nagent = \"a1\"\nrole = \"r\"\nresources = { cpus = 3 }\n",
            &["s.toml:11: field `events.resources`", "has not"],
        ),
        (
            "action = \"unreserve\"\nagent = \"a1\"\nrole = \"nobody\"\nresources = { cpus = 1 }\n",
            &["s.toml:10: field `events.role`", "no role named \"nobody\""],
        ),
        (
            "action = \"add_framework\"\nname = \"f\"\nscheduler = \"hold\"\n\
             [[events]]\nat_s = 0.5\naction = \"reserve\"\nframework = \"f\"\nagent = \"a1\"\n\
             role = \"*\"\nresources = { cpus = 1 }\n",
            &["s.toml:16: field `events.role`", "named role"],
        ),
        (
            "action = \"add_framework\"\nname = \"f\"\nroles = [\"r\"]\nscheduler = \"hold\"\n\
             [[events]]\nat_s = 0.5\naction = \"unreserve\"\nframework = \"f\"\nagent = \"a1\"\n\
             role = \"r\"\nresources = { cpus = 1 }\n",
            &[
                "s.toml:18: field `events.resources`",
                "no outstanding offer of \"f\"",
            ],
        ),
    ];
    for (body, needles) in run_cases {
        assert_all(&scenario_err_at_run(&format!("{head}{body}")), needles);
    }
}

/// `fair_sharing_excluded_resource_names` takes resource names of offersim's own (a typo would
/// silently exclude nothing, as Mesos's flag does): an unknown name or a value of the wrong type
/// is exit 2 at its line.
#[test]
fn fair_sharing_excluded_resource_names_are_checked() {
    assert_all(
        &scenario_err("name = \"x\"\n[master]\nfair_sharing_excluded_resource_names = [\"gpu\"]\n"),
        &[
            "s.toml:3",
            "fair_sharing_excluded_resource_names",
            "did you mean \"gpus\"",
            "cpus, mem_mb, disk_mb, gpus",
        ],
    );
    assert_all(
        &scenario_err(
            "name = \"x\"\n[[policy]]\nname = \"p\"\n[policy.master]\n\
             fair_sharing_excluded_resource_names = \"gpus\"\n",
        ),
        &["s.toml:5", "fair_sharing_excluded_resource_names"],
    );
}

/// A whitelist is a list of agent names, in `[master]` and in `update_whitelist` alike.
#[test]
fn whitelists_are_lists_of_agent_names() {
    assert_all(
        &scenario_err("name = \"x\"\n[master]\nwhitelist = \"a1\"\n"),
        &["s.toml:3", "whitelist"],
    );
    assert_all(
        &scenario_err("name = \"x\"\n[master]\nwhitelist = [\"a1\", \" \"]\n"),
        &["s.toml:3", "master.whitelist", "empty name"],
    );
    assert_all(
        &scenario_err(
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"update_whitelist\"\nagents = [\"\"]\n",
        ),
        &["s.toml:", "agents", "empty name"],
    );
    assert_all(
        &scenario_err(
            "name = \"x\"\n[[events]]\nat_s = 1\naction = \"update_whitelist\"\nagent = [\"a1\"]\n",
        ),
        &["s.toml:", "agent", "agents"],
    );
}

/// `update_agent` totals and capabilities, `add_agent` and framework capabilities: amounts are
/// checked as any amounts, capability names against their lists, and a new total that cannot
/// hold the agent's reservations is refused when the event runs, each at the key's line.
#[test]
fn agent_updates_and_capabilities_are_checked() {
    let head = "name = \"x\"\n[[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\n\
                cpus = 2\nmem_mb = 1024\nreserved = { role = \"r\", cpus = 1 }\n\
                [[events]]\nat_s = 1\n";
    let load_cases: &[(&str, &[&str])] = &[
        (
            "action = \"update_agent\"\nagent = \"a1\"\ncpus = -1\n",
            &["s.toml:13: field `events.cpus`"],
        ),
        (
            "action = \"update_agent\"\nagent = \"a1\"\nmem_mb = nan\n",
            &["s.toml:13: field `events.mem_mb`"],
        ),
        (
            "action = \"update_agent\"\nagent = \"a1\"\ncapabilities = [\"multirole\"]\n",
            &[
                "s.toml:13: field `events.capabilities`",
                "unknown agent capability \"multirole\"",
                "did you mean \"multi_role\"?",
            ],
        ),
        (
            "action = \"add_agent\"\nname = \"a2\"\ncpus = 1\nmem_mb = 1\n\
             capabilities = [\"gpu\"]\n",
            &["s.toml:15: field `events.capabilities`", "agent capability"],
        ),
        (
            "action = \"add_framework\"\nname = \"f\"\ncapabilities = [\"multi_rol\"]\n",
            &[
                "s.toml:13: field `events.capabilities`",
                "did you mean \"multi_role\"?",
            ],
        ),
    ];
    for (body, needles) in load_cases {
        assert_all(&scenario_err(&format!("{head}{body}")), needles);
    }
    // The framework table takes the same names.
    assert_all(
        &scenario_err(
            "name = \"x\"\n[[frameworks]]\nname = \"f\"\ncapabilities = [\"revocable\"]\n",
        ),
        &[
            "s.toml:4",
            "capabilities",
            "unknown capability \"revocable\"",
        ],
    );
    // 1 cpu of a1 is reserved for r: a total of 0.5 cpus cannot hold it.
    assert_all(
        &scenario_err_at_run(&format!(
            "{head}action = \"update_agent\"\nagent = \"a1\"\ncpus = 0.5\n"
        )),
        &[
            "s.toml:13: field `events.cpus`",
            "does not hold the agent's reservations",
        ],
    );
    assert_all(
        &scenario_err_at_run(&format!(
            "{head}action = \"update_agent\"\nagent = \"a9\"\ncpus = 4\n"
        )),
        &["s.toml:12: field `events.agent`", "did you mean \"a1\"?"],
    );
}

/// `schedule_maintenance`: one of `agent` / `rack`, a window that starts at or after the event
/// and lasts some time; an agent or rack that does not exist when the event runs is named.
#[test]
fn maintenance_windows_are_checked() {
    let ev = |keys: &str| {
        format!("name = \"x\"\n[[events]]\nat_s = 10\naction = \"schedule_maintenance\"\n{keys}")
    };
    let cases: &[(&str, &[&str])] = &[
        (
            "start_s = 20\nduration_s = 5\n",
            &["s.toml:", "agent", "expected `agent"],
        ),
        (
            "agent = \"a1\"\nrack = \"r1\"\nstart_s = 20\nduration_s = 5\n",
            &["s.toml:6", "events.rack", "not both"],
        ),
        (
            "agent = \" \"\nstart_s = 20\nduration_s = 5\n",
            &["s.toml:5", "events.agent", "agent name"],
        ),
        (
            "rack = \"\"\nstart_s = 20\nduration_s = 5\n",
            &["s.toml:5", "events.rack", "rack name"],
        ),
        (
            "agent = \"a1\"\nstart_s = 5\nduration_s = 5\n",
            &[
                "s.toml:6",
                "events.start_s",
                "at or after the event (10 s), got 5 s",
            ],
        ),
        (
            "agent = \"a1\"\nstart_s = -1\nduration_s = 5\n",
            &["s.toml:6", "events.start_s", ">= 0"],
        ),
        (
            "agent = \"a1\"\nstart_s = 20\nduration_s = 0\n",
            &["s.toml:7", "events.duration_s", "> 0"],
        ),
        (
            "agent = \"a1\"\nstart_s = 20\nduration_s = nan\n",
            &["s.toml:7", "events.duration_s", "finite"],
        ),
        ("agent = \"a1\"\nduration_s = 5\n", &["s.toml:", "start_s"]),
        ("agent = \"a1\"\nstart_s = 20\n", &["s.toml:", "duration_s"]),
        (
            "agent = \"a1\"\nstart_s = 20\nduration_s = 5\nend_s = 30\n",
            &["s.toml:", "end_s"],
        ),
    ];
    for (keys, needles) in cases {
        assert_all(&scenario_err(&ev(keys)), needles);
    }
    let cluster = "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 1 }\n\
                   [[events]]\nat_s = 1\naction = \"schedule_maintenance\"\n";
    let m = scenario_err_at_run(&format!(
        "{cluster}agent = \"ghost\"\nstart_s = 2\nduration_s = 1\n"
    ));
    assert_all(&m, &["s.toml:9: field `events.agent`", "\"ghost\""]);
    let m = scenario_err_at_run(&format!(
        "{cluster}rack = \"r9\"\nstart_s = 2\nduration_s = 1\n"
    ));
    assert_all(&m, &["s.toml:9: field `events.rack`", "\"r9\""]);
}

/// `revocable_cpus` / `revocable_mem_mb` on `add_agent` and `update_agent`: negative, NaN or
/// out-of-range amounts and values that are not numbers are exit 2 naming the key at its line;
/// an update of an unknown agent names the agent; a declined part is revocable or reserved,
/// never both.
#[test]
fn revocable_keys_are_checked() {
    let head = "name = \"x\"\n[[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\n\
                cpus = 2\nmem_mb = 1024\n[[events]]\nat_s = 1\n";
    let load_cases: &[(&str, &[&str])] = &[
        (
            "action = \"update_agent\"\nagent = \"a1\"\nrevocable_cpus = -1\n",
            &["s.toml:12: field `events.revocable_cpus`", "between 0 and"],
        ),
        (
            "action = \"update_agent\"\nagent = \"a1\"\nrevocable_mem_mb = nan\n",
            &["s.toml:12: field `events.revocable_mem_mb`", "got NaN"],
        ),
        (
            "action = \"update_agent\"\nagent = \"a1\"\nrevocable_cpus = 1e300\n",
            &["s.toml:12: field `events.revocable_cpus`"],
        ),
        (
            "action = \"update_agent\"\nagent = \"a1\"\nrevocable_cpus = \"ten\"\n",
            &[
                "s.toml:12: field `events.revocable_cpus`",
                "expected a number, got a string",
            ],
        ),
        (
            "action = \"add_agent\"\nname = \"a2\"\ncpus = 1\nmem_mb = 1\nrevocable_mem_mb = true\n",
            &[
                "s.toml:14: field `events.revocable_mem_mb`",
                "expected a number, got a boolean",
            ],
        ),
        (
            "action = \"decline\"\nframework = \"f\"\n\
             resources = { cpus = 1, revocable = true, reserved_for = \"r\" }\n",
            &["s.toml:12", "resources.revocable", "not both"],
        ),
        (
            "action = \"decline\"\nframework = \"f\"\nresources = { cpus = 1, revocable = 1 }\n",
            &["s.toml:12", "field `events.resources.revocable`", "expected true or false"],
        ),
    ];
    for (body, needles) in load_cases {
        assert_all(&scenario_err(&format!("{head}{body}")), needles);
    }
    // A well-formed update of an agent that does not exist when it runs.
    assert_all(
        &scenario_err_at_run(&format!(
            "{head}action = \"update_agent\"\nagent = \"a9\"\nrevocable_cpus = 4\n"
        )),
        &["s.toml:11: field `events.agent`", "did you mean \"a1\"?"],
    );
    // Well-formed keys load.
    scenario::load_str(
        Path::new("s.toml"),
        &format!("{head}action = \"update_agent\"\nagent = \"a1\"\nrevocable_cpus = 4\nrevocable_mem_mb = 2.5\n"),
    )
    .expect("valid revocable keys load");
}
