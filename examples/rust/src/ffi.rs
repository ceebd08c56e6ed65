//! The raw C API: a hand-written `extern "C"` block for the functions this
//! crate uses, with the types exactly as in `include/claudeusage/*.h`
//! (`int` -> `c_int`, `int32_t` -> `i32`, `int64_t` -> `i64`,
//! `uint32_t` -> `u32`, `size_t` -> `usize`, `char *` -> `*const c_char`).
//!
//! Everything here is `unsafe` to call; the safe wrapper is the crate root.

use std::ffi::{c_char, c_int, c_void};
use std::marker::{PhantomData, PhantomPinned};

/// The ABI this crate was written for (`CU_ABI_VERSION` in cu-version.h).
pub const CU_ABI_VERSION: c_int = 1;

// enum cu_status (cu-status.h)
pub const CU_OK: c_int = 0;
pub const CU_EINVALID: c_int = -1;
pub const CU_ENOMEM: c_int = -2;
pub const CU_ENOTFOUND: c_int = -3;
pub const CU_EIO: c_int = -4;
pub const CU_EPARSE: c_int = -5;
pub const CU_ENETWORK: c_int = -6;
pub const CU_EUSER: c_int = -7;
pub const CU_ESTATE: c_int = -8;
pub const CU_ITEROVER: c_int = -30;

// enum cu_group (cu-report.h), carried as int32_t
pub const CU_GROUP_DAILY: i32 = 1;
pub const CU_GROUP_WEEKLY: i32 = 2;
pub const CU_GROUP_MONTHLY: i32 = 3;
pub const CU_GROUP_SESSION: i32 = 4;
pub const CU_GROUP_PROJECT: i32 = 5;
pub const CU_GROUP_SOURCE: i32 = 6;

// enum cu_report_flag and enum cu_json_flag (cu-report.h), carried as uint32_t
pub const CU_REPORT_DESC: u32 = 1 << 0;
pub const CU_REPORT_BY_PROJECT: u32 = 1 << 1;
pub const CU_JSON_COMPACT: u32 = 1 << 0;

// enum cu_cost_mode (cu-context.h), carried as int32_t
pub const CU_COST_AUTO: i32 = 0;
pub const CU_COST_CALCULATE: i32 = 1;
pub const CU_COST_DISPLAY: i32 = 2;

// enum cu_stat (cu-context.h), carried as int32_t
pub const CU_STAT_FILES: i32 = 1;
pub const CU_STAT_FILES_READ: i32 = 2;
pub const CU_STAT_FILE_ERRORS: i32 = 3;
pub const CU_STAT_BYTES: i32 = 4;
pub const CU_STAT_LINES: i32 = 5;
pub const CU_STAT_MALFORMED_LINES: i32 = 6;
pub const CU_STAT_TORN_LINES: i32 = 7;
pub const CU_STAT_USAGE_LINES: i32 = 8;
pub const CU_STAT_ENTRIES: i32 = 9;
pub const CU_STAT_DUPLICATES: i32 = 10;
pub const CU_STAT_UNPRICED_MODELS: i32 = 11;

// enum cu_entry_flag (cu-entry.h), carried as uint32_t
pub const CU_ENTRY_SIDECHAIN: u32 = 1 << 0;
pub const CU_ENTRY_API_ERROR: u32 = 1 << 1;
pub const CU_ENTRY_LINE_COST: u32 = 1 << 2;
pub const CU_ENTRY_UNPRICED: u32 = 1 << 3;
pub const CU_ENTRY_FAST: u32 = 1 << 4;

// Opaque types, as the nomicon recommends: zero-sized, not constructible
// outside this module, and neither Send, Sync nor Unpin by themselves.

/// `cu_ctx`
#[repr(C)]
pub struct CuCtx {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `cu_report`
#[repr(C)]
pub struct CuReport {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `cu_row`
#[repr(C)]
pub struct CuRow {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `cu_entry` (cu-entry.h). The library only ever adds fields at the end,
/// and `size` says how many bytes of it were filled.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CuEntry {
    pub size: u32,
    pub flags: u32,
    pub time_ms: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_creation_tokens: i64,
    pub cache_read_tokens: i64,
    pub cost_usd: f64,
    pub model: *const c_char,
    pub session: *const c_char,
    pub project: *const c_char,
    pub source: *const c_char,
    pub path: *const c_char,
    pub line: i64,
}

/// `cu_entry_fn`: return 0 to go on, anything else to stop.
pub type CuEntryFn = unsafe extern "C" fn(entry: *const CuEntry, userdata: *mut c_void) -> i32;

extern "C" {
    // cu-version.h
    pub fn cu_abi_version() -> c_int;
    pub fn cu_version_string() -> *const c_char;

    // cu-status.h
    pub fn cu_status_str(status: c_int) -> *const c_char;
    pub fn cu_last_error() -> *const c_char;
    pub fn cu_free(ptr: *mut c_void);

    // cu-context.h
    pub fn cu_ctx_new(out: *mut *mut CuCtx) -> c_int;
    pub fn cu_ctx_free(ctx: *mut CuCtx);
    pub fn cu_ctx_last_error(ctx: *const CuCtx) -> *const c_char;
    pub fn cu_ctx_add_root(ctx: *mut CuCtx, path: *const c_char) -> c_int;
    pub fn cu_ctx_root_count(ctx: *const CuCtx) -> usize;
    pub fn cu_ctx_root(ctx: *const CuCtx, i: usize) -> *const c_char;
    pub fn cu_ctx_set_exclude_vms(ctx: *mut CuCtx, exclude: c_int) -> c_int;
    pub fn cu_ctx_set_timezone(ctx: *mut CuCtx, tz: *const c_char) -> c_int;
    pub fn cu_ctx_timezone(ctx: *const CuCtx) -> *const c_char;
    pub fn cu_ctx_set_since(ctx: *mut CuCtx, date: *const c_char) -> c_int;
    pub fn cu_ctx_set_until(ctx: *mut CuCtx, date: *const c_char) -> c_int;
    pub fn cu_ctx_set_cost_mode(ctx: *mut CuCtx, mode: i32) -> c_int;
    pub fn cu_ctx_set_week_start(ctx: *mut CuCtx, weekday: i32) -> c_int;
    pub fn cu_ctx_set_project(ctx: *mut CuCtx, project: *const c_char) -> c_int;
    pub fn cu_ctx_set_threads(ctx: *mut CuCtx, threads: u32) -> c_int;
    pub fn cu_ctx_set_index(ctx: *mut CuCtx, enable: c_int) -> c_int;
    pub fn cu_ctx_set_offline(ctx: *mut CuCtx, offline: c_int) -> c_int;
    pub fn cu_ctx_load(ctx: *mut CuCtx) -> c_int;
    pub fn cu_ctx_stat(ctx: *const CuCtx, which: i32) -> i64;

    // cu-pricing.h
    pub fn cu_ctx_set_cache_dir(ctx: *mut CuCtx, dir: *const c_char) -> c_int;
    pub fn cu_ctx_pricing_source(ctx: *const CuCtx) -> *const c_char;

    // cu-report.h
    pub fn cu_report_new(
        ctx: *mut CuCtx,
        group: i32,
        flags: u32,
        limit: u32,
        out: *mut *mut CuReport,
    ) -> c_int;
    pub fn cu_report_free(report: *mut CuReport);
    pub fn cu_report_group(report: *const CuReport) -> i32;
    pub fn cu_report_count(report: *const CuReport) -> usize;
    pub fn cu_report_row(report: *const CuReport, i: usize) -> *const CuRow;
    pub fn cu_report_totals(report: *const CuReport) -> *const CuRow;
    pub fn cu_report_unpriced_count(report: *const CuReport) -> usize;
    pub fn cu_report_unpriced(report: *const CuReport, i: usize) -> *const c_char;
    pub fn cu_report_to_json(report: *const CuReport, flags: u32, out: *mut *mut c_char) -> c_int;

    pub fn cu_row_key(row: *const CuRow) -> *const c_char;
    pub fn cu_row_project(row: *const CuRow) -> *const c_char;
    pub fn cu_row_project_path(row: *const CuRow) -> *const c_char;
    pub fn cu_row_input_tokens(row: *const CuRow) -> i64;
    pub fn cu_row_output_tokens(row: *const CuRow) -> i64;
    pub fn cu_row_cache_creation_tokens(row: *const CuRow) -> i64;
    pub fn cu_row_cache_read_tokens(row: *const CuRow) -> i64;
    pub fn cu_row_total_tokens(row: *const CuRow) -> i64;
    pub fn cu_row_cost_usd(row: *const CuRow) -> f64;
    pub fn cu_row_cost_micro_usd(row: *const CuRow) -> i64;
    pub fn cu_row_entries(row: *const CuRow) -> i64;
    pub fn cu_row_first_time(row: *const CuRow) -> i64;
    pub fn cu_row_last_time(row: *const CuRow) -> i64;
    pub fn cu_row_model_count(row: *const CuRow) -> usize;
    pub fn cu_row_model(row: *const CuRow, i: usize) -> *const c_char;
    pub fn cu_row_breakdown_count(row: *const CuRow) -> usize;
    pub fn cu_row_breakdown(row: *const CuRow, i: usize) -> *const CuRow;

    // cu-entry.h
    pub fn cu_ctx_foreach_entry(
        ctx: *mut CuCtx,
        func: Option<CuEntryFn>,
        userdata: *mut c_void,
    ) -> c_int;
}
