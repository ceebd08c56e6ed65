//! The safe wrapper against the example data (examples/data, or
//! $CU_EXAMPLE_DATA), in UTC and offline.
//!
//! Optional cross-checks, each run when its variable is set (meson sets them):
//! CU_LAYOUT (tests/abi's layout program: cu_entry's offsets), CLAUDE_USAGE
//! (the CLI: its JSON), CU_DAILY_COST (examples/daily-cost.c: the output of
//! examples/daily.rs).

use std::collections::BTreeMap;
use std::env;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::Command;

use claudeusage::{ffi, Context, CostMode, Error, ErrorKind, Group, Report, ReportFlags};

fn data_dir() -> PathBuf {
    env::var_os("CU_EXAMPLE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data"))
}

fn configured() -> Context {
    let mut ctx = Context::new().expect("Context::new");
    ctx.add_root(data_dir())
        .and_then(|c| c.set_timezone("UTC"))
        .and_then(|c| c.set_offline(true))
        .expect("settings");
    ctx
}

fn loaded() -> Context {
    let mut ctx = configured();
    ctx.load().expect("load");
    ctx
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

// --- A small JSON reader, enough for ccusage-shaped numbers and keys --------

/// The byte where the value of the first key `"name"` at or after byte
/// `from` starts. Keys and values here hold no escaped quotes.
fn json_key(json: &str, from: usize, name: &str) -> Option<usize> {
    let pat = format!("\"{name}\"");
    let mut at = from;
    loop {
        at += json[at..].find(&pat)? + pat.len();
        // A key is followed by ':'; the same text as a string value is not.
        if let Some(value) = json[at..].trim_start().strip_prefix(':') {
            return Some(json.len() - value.trim_start().len());
        }
    }
}

/// The value of the key `"name"` at or after byte `from`: its text (a number,
/// or a string with its quotes) and the byte after it.
fn json_field<'j>(json: &'j str, from: usize, name: &str) -> Option<(&'j str, usize)> {
    let start = json_key(json, from, name)?;
    let value = &json[start..];
    let len = match value.strip_prefix('"') {
        Some(s) => s.find('"')? + 2,
        None => value
            .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
            .unwrap_or(value.len()),
    };
    Some((&value[..len], start + len))
}

fn json_i64(json: &str, from: usize, name: &str) -> i64 {
    let (text, _) =
        json_field(json, from, name).unwrap_or_else(|| panic!("no {name} after byte {from}"));
    text.parse()
        .unwrap_or_else(|e| panic!("{name}: {text:?}: {e}"))
}

fn json_f64(json: &str, from: usize, name: &str) -> f64 {
    let (text, _) =
        json_field(json, from, name).unwrap_or_else(|| panic!("no {name} after byte {from}"));
    text.parse()
        .unwrap_or_else(|e| panic!("{name}: {text:?}: {e}"))
}

/// The numbers of the usage object whose fields follow byte `from`.
#[derive(Debug, PartialEq)]
struct Usage {
    input: i64,
    output: i64,
    cache_creation: i64,
    cache_read: i64,
    total: i64,
    cost: f64,
}

fn json_usage(json: &str, from: usize) -> Usage {
    Usage {
        input: json_i64(json, from, "inputTokens"),
        output: json_i64(json, from, "outputTokens"),
        cache_creation: json_i64(json, from, "cacheCreationTokens"),
        cache_read: json_i64(json, from, "cacheReadTokens"),
        total: json_i64(json, from, "totalTokens"),
        cost: json_f64(json, from, "totalCost"),
    }
}

fn json_totals(json: &str) -> Usage {
    let at = json_key(json, 0, "totals").expect("no totals");
    json_usage(json, at)
}

fn row_usage(row: &claudeusage::Row<'_>) -> Usage {
    Usage {
        input: row.input_tokens(),
        output: row.output_tokens(),
        cache_creation: row.cache_creation_tokens(),
        cache_read: row.cache_read_tokens(),
        total: row.total_tokens(),
        cost: row.cost_usd(),
    }
}

fn assert_usage_eq(what: &str, a: &Usage, b: &Usage) {
    assert_eq!(
        (a.input, a.output, a.cache_creation, a.cache_read, a.total),
        (b.input, b.output, b.cache_creation, b.cache_read, b.total),
        "{what}: tokens"
    );
    assert!(
        close(a.cost, b.cost),
        "{what}: cost {} vs {}",
        a.cost,
        b.cost
    );
}

/// Every row of `report` and its totals against the report's own JSON.
fn check_against_json(report: &Report, key_field: &str) {
    let json = report.to_json(false).expect("to_json");
    let mut at = 0;
    for (i, row) in report.rows().enumerate() {
        let (key, after) =
            json_field(&json, at, key_field).unwrap_or_else(|| panic!("row {i}: no {key_field}"));
        assert_eq!(key.trim_matches('"'), row.key(), "row {i}: key");
        assert_usage_eq(
            &format!("row {} ({})", i, row.key()),
            &json_usage(&json, after),
            &row_usage(&row),
        );
        at = after;
    }
    assert!(
        json_field(&json, at, key_field).is_none(),
        "the JSON has more rows than the report"
    );
    assert_usage_eq("totals", &json_totals(&json), &row_usage(&report.totals()));
    // One line or indented: the same numbers.
    let compact = report.to_json(true).expect("to_json compact");
    assert!(
        !compact.trim_end().contains('\n'),
        "compact JSON is one line"
    );
    assert_usage_eq(
        "compact totals",
        &json_totals(&compact),
        &json_totals(&json),
    );
}

// --- Tests ------------------------------------------------------------------

#[test]
fn abi_and_version() {
    assert_eq!(claudeusage::abi_version(), ffi::CU_ABI_VERSION);
    assert_eq!(claudeusage::abi_version(), 1);
    claudeusage::check_abi().expect("check_abi");
    let version = claudeusage::version();
    assert_eq!(
        version
            .split('.')
            .filter(|p| p.parse::<u32>().is_ok())
            .count(),
        3,
        "version {version:?}"
    );
}

#[test]
fn entry_layout_matches_c() {
    use std::mem::{align_of, offset_of, size_of};
    let Some(layout) = env::var_os("CU_LAYOUT").filter(|p| !p.is_empty()) else {
        eprintln!("CU_LAYOUT not set: cu_entry's layout not compared with C");
        return;
    };
    let out = Command::new(&layout)
        .output()
        .expect("run the layout program");
    assert!(out.status.success(), "layout program failed");
    let json = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(
        json_i64(&json, 0, "size") as usize,
        size_of::<ffi::CuEntry>(),
        "sizeof(cu_entry)"
    );
    assert_eq!(
        json_i64(&json, 0, "align") as usize,
        align_of::<ffi::CuEntry>(),
        "alignof(cu_entry)"
    );
    let fields = json_key(&json, 0, "fields").expect("fields");
    let ours: [(&str, usize, usize); 14] = [
        ("size", offset_of!(ffi::CuEntry, size), 4),
        ("flags", offset_of!(ffi::CuEntry, flags), 4),
        ("time_ms", offset_of!(ffi::CuEntry, time_ms), 8),
        ("input_tokens", offset_of!(ffi::CuEntry, input_tokens), 8),
        ("output_tokens", offset_of!(ffi::CuEntry, output_tokens), 8),
        (
            "cache_creation_tokens",
            offset_of!(ffi::CuEntry, cache_creation_tokens),
            8,
        ),
        (
            "cache_read_tokens",
            offset_of!(ffi::CuEntry, cache_read_tokens),
            8,
        ),
        ("cost_usd", offset_of!(ffi::CuEntry, cost_usd), 8),
        (
            "model",
            offset_of!(ffi::CuEntry, model),
            size_of::<*const u8>(),
        ),
        (
            "session",
            offset_of!(ffi::CuEntry, session),
            size_of::<*const u8>(),
        ),
        (
            "project",
            offset_of!(ffi::CuEntry, project),
            size_of::<*const u8>(),
        ),
        (
            "source",
            offset_of!(ffi::CuEntry, source),
            size_of::<*const u8>(),
        ),
        (
            "path",
            offset_of!(ffi::CuEntry, path),
            size_of::<*const u8>(),
        ),
        ("line", offset_of!(ffi::CuEntry, line), 8),
    ];
    for (name, offset, size) in ours {
        // "name": [offset, size]
        let at = json_key(&json, fields, name).unwrap_or_else(|| panic!("no field {name}"));
        let list = json[at..]
            .strip_prefix('[')
            .and_then(|l| l.split(']').next())
            .expect("[offset, size]");
        let pair: Vec<usize> = list
            .split(',')
            .map(|n| n.trim().parse().expect("a number"))
            .collect();
        assert_eq!(
            pair,
            [offset, size],
            "cu_entry.{name}: C [offset, size] vs Rust"
        );
    }
}

#[test]
fn reports_agree_with_each_other_and_with_json() {
    let mut ctx = loaded();
    let daily = ctx.daily().expect("daily");
    let monthly = ctx.monthly().expect("monthly");
    let sessions = ctx.sessions().expect("sessions");
    assert!(!daily.is_empty() && !monthly.is_empty() && !sessions.is_empty());
    assert_eq!(daily.group(), Group::Daily);
    assert!(daily.len() >= monthly.len());
    assert_eq!(daily.rows().len(), daily.len());
    assert!(daily.row(daily.len()).is_none());
    assert_eq!(daily.totals().key(), "Total");

    // The same entries, whatever the grouping.
    let t = daily.totals().to_data();
    for other in [&monthly, &sessions] {
        let o = other.totals().to_data();
        assert_eq!(
            (
                o.input_tokens,
                o.output_tokens,
                o.cache_creation_tokens,
                o.cache_read_tokens,
                o.total_tokens,
                o.entries
            ),
            (
                t.input_tokens,
                t.output_tokens,
                t.cache_creation_tokens,
                t.cache_read_tokens,
                t.total_tokens,
                t.entries
            ),
            "{:?} totals",
            other.group()
        );
        assert!(close(o.cost_usd, t.cost_usd));
    }
    // Rows add up to the totals.
    for report in [&daily, &monthly, &sessions] {
        let sum: i64 = report.rows().map(|r| r.total_tokens()).sum();
        assert_eq!(sum, report.totals().total_tokens(), "{:?}", report.group());
        let entries: i64 = report.rows().map(|r| r.entries()).sum();
        assert_eq!(entries, report.totals().entries(), "{:?}", report.group());
        let cost: f64 = report.rows().map(|r| r.cost_usd()).sum();
        assert!(
            close(cost, report.totals().cost_usd()),
            "{:?}",
            report.group()
        );
    }
    // Months are the days added up.
    for month in &monthly {
        let days: i64 = daily
            .rows()
            .filter(|d| d.key().starts_with(&*month.key()))
            .map(|d| d.total_tokens())
            .sum();
        assert_eq!(days, month.total_tokens(), "month {}", month.key());
    }
    // Breakdowns add up to their row; owned copies keep everything.
    for row in &daily {
        let data = row.to_data();
        assert_eq!(
            data.breakdown.iter().map(|b| b.total_tokens).sum::<i64>(),
            data.total_tokens
        );
        assert!(!data.models.is_empty());
        assert!(data.first_time_ms <= data.last_time_ms);
    }
    // Session rows carry their project.
    assert!(sessions.rows().all(|s| s.project().is_some()));

    check_against_json(&daily, "date");
    check_against_json(&monthly, "month");
    check_against_json(&sessions, "sessionId");
    let json = ctx.report_json(Group::Daily).expect("report_json");
    assert_usage_eq(
        "report_json totals",
        &json_totals(&json),
        &row_usage(&daily.totals()),
    );

    // Flags and limit.
    let desc = ctx
        .report(Group::Daily, ReportFlags::DESC, 0)
        .expect("desc");
    let keys: Vec<String> = daily.rows().rev().map(|r| r.key().into_owned()).collect();
    assert_eq!(
        desc.rows()
            .map(|r| r.key().into_owned())
            .collect::<Vec<_>>(),
        keys
    );
    let last2 = ctx
        .report(Group::Daily, ReportFlags::NONE, 2)
        .expect("limit");
    assert_eq!(last2.len(), 2);
    assert_eq!(
        last2.row(1).unwrap().key(),
        daily.row(daily.len() - 1).unwrap().key()
    );
    let by_project = ctx
        .report(Group::Daily, ReportFlags::DESC | ReportFlags::BY_PROJECT, 0)
        .expect("by project");
    assert!(by_project.rows().all(|r| r.project().is_some()));
    assert_eq!(by_project.totals().total_tokens(), t.total_tokens);
}

/// Days of the Unix epoch to "YYYY-MM-DD" (proleptic Gregorian, UTC).
fn utc_date(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[test]
fn entries_add_up_to_the_daily_report() {
    let mut ctx = loaded();
    let daily = ctx.daily().expect("daily");
    #[derive(Default)]
    struct Sum {
        input: i64,
        output: i64,
        cache_creation: i64,
        cache_read: i64,
        cost: f64,
        n: i64,
    }
    let mut days: BTreeMap<String, Sum> = BTreeMap::new();
    let mut total = Sum::default();
    let mut last_time = i64::MIN;
    let flow = ctx
        .for_each_entry(|e| {
            assert!(e.time_ms() >= last_time, "entries come oldest first");
            last_time = e.time_ms();
            assert!(!e.model().is_empty() && !e.session().is_empty() && !e.project().is_empty());
            assert!(
                e.source() == "main" || e.source().starts_with("vm"),
                "source {}",
                e.source()
            );
            assert!(e.path().is_file(), "{}", e.path().display());
            assert!(e.line() >= 1);
            assert_eq!(e.raw().size as usize, std::mem::size_of::<ffi::CuEntry>());
            for s in [days.entry(utc_date(e.time_ms())).or_default(), &mut total] {
                s.input += e.input_tokens();
                s.output += e.output_tokens();
                s.cache_creation += e.cache_creation_tokens();
                s.cache_read += e.cache_read_tokens();
                s.cost += e.cost_usd();
                s.n += 1;
            }
        })
        .expect("for_each_entry");
    assert_eq!(flow, ControlFlow::Continue(()));

    let t = daily.totals();
    assert_eq!(
        (
            total.input,
            total.output,
            total.cache_creation,
            total.cache_read,
            total.n
        ),
        (
            t.input_tokens(),
            t.output_tokens(),
            t.cache_creation_tokens(),
            t.cache_read_tokens(),
            t.entries()
        )
    );
    assert!(
        close(total.cost, t.cost_usd()),
        "cost {} vs {}",
        total.cost,
        t.cost_usd()
    );
    assert_eq!(days.len(), daily.len(), "days");
    for row in &daily {
        let s = &days[&*row.key()];
        assert_eq!(
            s.input + s.output + s.cache_creation + s.cache_read,
            row.total_tokens(),
            "{}",
            row.key()
        );
        assert_eq!(s.n, row.entries(), "{}", row.key());
        assert!(close(s.cost, row.cost_usd()), "{}", row.key());
    }

    let stats = ctx.stats();
    assert_eq!(stats.files, 5);
    assert_eq!(stats.file_errors, 0);
    assert!(stats.entries >= total.n && stats.usage_lines >= stats.entries);
    assert_eq!(ctx.pricing_source(), "embedded");
    assert_eq!(ctx.timezone(), "UTC");
}

#[test]
fn the_closure_can_stop() {
    let mut ctx = loaded();
    let mut n = 0;
    let flow = ctx
        .for_each_entry(|_| {
            n += 1;
            n < 3
        })
        .expect("stopping is not an error");
    assert_eq!((flow, n), (ControlFlow::Break(()), 3));

    let mut first = None;
    let flow = ctx
        .for_each_entry(|e| {
            first = Some(e.to_data());
            ControlFlow::Break(())
        })
        .unwrap();
    assert_eq!(flow, ControlFlow::Break(()));
    let first = first.expect("an entry");
    assert!(first.path.is_file());

    // The context is fine afterwards, and a full pass still sees everything.
    let mut all = 0;
    assert_eq!(
        ctx.for_each_entry(|_| all += 1).unwrap(),
        ControlFlow::Continue(())
    );
    assert_eq!(all, ctx.daily().unwrap().totals().entries());
    assert_eq!(ctx.last_error(), "");
}

#[test]
fn a_panic_in_the_closure_reaches_the_caller() {
    let mut ctx = loaded();
    let mut seen = 0;
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        ctx.for_each_entry(|e| {
            seen += 1;
            if seen == 2 {
                panic!("boom at line {}", e.line());
            }
            true
        })
    }));
    let payload = caught.expect_err("the panic propagates");
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.starts_with("boom at line "), "{message}");
    assert_eq!(seen, 2, "the iteration stopped at the panic");

    // Still usable.
    let daily = ctx.daily().expect("daily after a panic");
    let mut n = 0;
    assert_eq!(
        ctx.for_each_entry(|_| n += 1).unwrap(),
        ControlFlow::Continue(())
    );
    assert_eq!(n, daily.totals().entries());
    ctx.load().expect("reload after a panic");
}

#[test]
fn errors_map_from_cu_status() {
    let mut ctx = configured();

    let e = ctx.daily().expect_err("a report before load");
    assert_eq!(e.kind(), ErrorKind::State);
    assert_eq!(e.code(), Some(ffi::CU_ESTATE));
    assert!(!e.message().is_empty());
    assert_eq!(
        e.to_string(),
        format!(
            "{}: {}",
            claudeusage::status_str(ffi::CU_ESTATE),
            e.message()
        )
    );
    let e = ctx
        .for_each_entry(|_| true)
        .expect_err("entries before load");
    assert_eq!(e.kind(), ErrorKind::State);

    let e = ctx
        .set_timezone("Nowhere/Atlantis")
        .expect_err("unknown zone");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.code(), Some(ffi::CU_ENOTFOUND));

    for bad in ["2024-13-45", "yesterday", "2024-02-30"] {
        let e = ctx.set_since(bad).expect_err(bad);
        assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}: {e}");
        let e = ctx.set_until(bad).expect_err(bad);
        assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}: {e}");
    }
    let e = ctx.set_project("a\0b").expect_err("NUL byte");
    assert_eq!(e.kind(), ErrorKind::Invalid);

    // As a std error.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    assert!(!boxed.to_string().is_empty());

    // A failed setter leaves the rest alone.
    ctx.load().expect("load after failed setters");
    assert_eq!(ctx.timezone(), "UTC");
    assert_eq!(ctx.last_error(), "");

    let mut nowhere = Context::new().unwrap();
    nowhere.add_root(data_dir().join("no-such-dir")).unwrap();
    let e = nowhere.load().expect_err("no root exists");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.message().contains("no-such-dir"), "{e}");
    assert_eq!(nowhere.roots(), [data_dir().join("no-such-dir")]);
}

#[test]
fn settings_filter_the_entries() {
    let mut all = loaded();
    let all_totals = all.daily().unwrap().totals().to_data();
    let first_day = all.daily().unwrap().row(0).unwrap().key().into_owned();

    let mut ctx = configured();
    ctx.set_since(&first_day.replace('-', ""))
        .unwrap()
        .set_until(&first_day)
        .unwrap();
    ctx.set_cost_mode(CostMode::Auto)
        .unwrap()
        .set_threads(2)
        .unwrap()
        .set_week_start(1)
        .unwrap();
    ctx.load().unwrap();
    let one = ctx.daily().unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one.row(0).unwrap().key(), first_day);
    // "" removes a bound again.
    ctx.set_since("")
        .unwrap()
        .set_until("")
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(ctx.daily().unwrap().totals().to_data(), all_totals);

    let mut main_only = configured();
    main_only.set_exclude_vms(true).unwrap().load().unwrap();
    let sources = main_only
        .report(Group::Source, ReportFlags::NONE, 0)
        .unwrap();
    assert_eq!(
        sources
            .rows()
            .map(|r| r.key().into_owned())
            .collect::<Vec<_>>(),
        ["main"]
    );

    let project = all
        .sessions()
        .unwrap()
        .row(0)
        .unwrap()
        .project()
        .unwrap()
        .into_owned();
    let mut one_project = configured();
    one_project.set_project(&project).unwrap().load().unwrap();
    let projects = one_project
        .report(Group::Project, ReportFlags::NONE, 0)
        .unwrap();
    assert!(projects.rows().all(|r| r.key() == project), "{projects:?}");
    let flow = one_project
        .for_each_entry(|e| assert_eq!(e.project(), project))
        .unwrap();
    assert_eq!(flow, ControlFlow::Continue(()));

    let mut calculated = configured();
    calculated
        .set_cost_mode(CostMode::Calculate)
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(
        calculated.daily().unwrap().totals().total_tokens(),
        all_totals.total_tokens
    );
}

#[test]
fn index_and_cache_dir() {
    let dir = env::temp_dir().join(format!("claudeusage-rs-index-{}", std::process::id()));
    let results: Vec<claudeusage::RowData> = (0..2)
        .map(|_| {
            let mut ctx = configured();
            ctx.set_cache_dir(Some(&dir))
                .unwrap()
                .set_index(true)
                .unwrap()
                .load()
                .unwrap();
            ctx.daily().unwrap().totals().to_data()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], loaded().daily().unwrap().totals().to_data());
}

#[test]
fn reports_outlive_their_context_and_cross_threads() {
    let report = {
        let mut ctx = loaded();
        let report = ctx.daily().unwrap();
        drop(ctx); // freed first: the report keeps its own copies
        report
    };
    let expected = report.totals().to_data();
    let json = report.to_json(true).unwrap();
    // Report is Send + Sync: read it from several threads at once.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                assert_eq!(report.totals().to_data(), expected);
                assert_eq!(report.to_json(true).unwrap(), json);
            });
        }
    });
    // Context is Send: load on another thread, use here.
    let mut ctx = std::thread::spawn(loaded).join().unwrap();
    assert_eq!(ctx.daily().unwrap().totals().to_data(), expected);
    // Many create/drop rounds, rows dropped before and after their report.
    for _ in 0..20 {
        let mut c = loaded();
        let r = c.monthly().unwrap();
        let rows: Vec<_> = r.rows().map(|row| row.to_data()).collect();
        drop(c);
        assert_eq!(rows.len(), r.len());
    }
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn same_json_as_the_cli() {
    let Some(cli) = env::var_os("CLAUDE_USAGE").filter(|p| !p.is_empty()) else {
        eprintln!("CLAUDE_USAGE not set: not compared with the CLI");
        return;
    };
    let mut ctx = loaded();
    for (group, command, key) in [
        (Group::Daily, "daily", "date"),
        (Group::Monthly, "monthly", "month"),
        (Group::Session, "session", "sessionId"),
    ] {
        let data = data_dir();
        let cli_json = run_ok(
            Command::new(&cli)
                .args([
                    command,
                    "--json",
                    "--all",
                    "--offline",
                    "--no-cache",
                    "--timezone",
                    "UTC",
                    "--data-dir",
                ])
                .arg(&data),
        );
        let report = ctx.report(group, ReportFlags::NONE, 0).unwrap();
        assert_usage_eq(
            command,
            &json_totals(&cli_json),
            &row_usage(&report.totals()),
        );
        let mut at = 0;
        for row in &report {
            let (k, after) = json_field(&cli_json, at, key)
                .unwrap_or_else(|| panic!("{command}: no row {}", row.key()));
            assert_eq!(k.trim_matches('"'), row.key());
            assert_usage_eq(
                &format!("{command} {}", row.key()),
                &json_usage(&cli_json, after),
                &row_usage(&row),
            );
            at = after;
        }
    }
}

#[test]
fn the_example_prints_what_daily_cost_prints() {
    // target/<profile>/deps/api-<hash> -> target/<profile>/examples/daily
    let exe = env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples")
        .join(format!("daily{}", env::consts::EXE_SUFFIX));
    if !example.exists() {
        eprintln!(
            "{} not built (cargo test builds it): skipped",
            example.display()
        );
        return;
    }
    let ours = run_ok(Command::new(&example).arg(data_dir()));
    assert!(ours.lines().last().unwrap().starts_with("total "), "{ours}");
    let daily = loaded().daily().unwrap();
    assert_eq!(ours.lines().count(), daily.len() + 1);
    match env::var_os("CU_DAILY_COST").filter(|p| !p.is_empty()) {
        Some(c) => assert_eq!(
            ours,
            run_ok(Command::new(c).arg(data_dir())),
            "examples/daily.rs vs daily-cost.c"
        ),
        None => eprintln!("CU_DAILY_COST not set: not compared with examples/daily-cost.c"),
    }
    // An error is reported, not a crash.
    let out = Command::new(&example)
        .arg(data_dir().join("no-such-dir"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotFound"));
}

#[test]
fn error_type_is_usable_with_question_mark() {
    fn run() -> Result<i64, Error> {
        let mut ctx = Context::new()?;
        ctx.add_root(data_dir())?
            .set_timezone("UTC")?
            .set_offline(true)?;
        ctx.load()?;
        Ok(ctx.daily()?.totals().total_tokens())
    }
    assert!(run().unwrap() > 0);
}

#[test]
fn loads_the_expected_library() {
    // For the installed-tree run: the library pkg-config pointed at (through
    // the RUNPATH build.rs adds) is the one in use, not a build tree's.
    let Some(want) = env::var_os("CU_EXPECT_LIBDIR").filter(|p| !p.is_empty()) else {
        eprintln!("CU_EXPECT_LIBDIR not set: not checked which libclaudeusage is loaded");
        return;
    };
    claudeusage::check_abi().unwrap(); // the library is loaded by now
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps (Linux)");
    let loaded: Vec<&str> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains("libclaudeusage.so"))
        .collect();
    assert!(!loaded.is_empty(), "libclaudeusage not mapped");
    let want = std::fs::canonicalize(&want).expect("CU_EXPECT_LIBDIR exists");
    for path in loaded {
        let dir = std::fs::canonicalize(path)
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf();
        assert_eq!(dir, want, "libclaudeusage loaded from {path}");
    }
}
