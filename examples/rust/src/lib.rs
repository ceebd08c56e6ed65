//! Safe Rust bindings to libclaudeusage, with std alone.
//!
//! The raw `extern "C"` declarations are in [`ffi`]; this module wraps them:
//!
//! * [`Context`] owns a `cu_ctx` (dropping it calls `cu_ctx_free`). Its
//!   setters return `Result<&mut Context>` so that they chain with `?`.
//! * [`Report`] owns a `cu_report` (dropping it calls `cu_report_free`). It
//!   copies what it needs from the context, so it may outlive the context.
//!   Its rows are [`Row`] views borrowed from it; [`Row::to_data`] copies
//!   one into an owned [`RowData`].
//! * [`Context::for_each_entry`] hands every entry to a closure as an
//!   [`Entry`] borrowed for that call only. A panic in the closure is caught
//!   before it reaches C, the iteration is stopped, and the panic resumes in
//!   the caller once the C function has returned.
//! * Failures are [`Error`]s: an [`ErrorKind`] mapped from `enum cu_status`
//!   and the library's message (`cu_ctx_last_error`, `cu_last_error`).
//!
//! ```no_run
//! let mut ctx = claudeusage::Context::new()?;
//! ctx.add_root("/home/me/.claude")?.set_timezone("UTC")?.set_offline(true)?;
//! ctx.load()?;
//! for row in &ctx.daily()? {
//!     println!("{}  {:>12} tokens  ${:.4}", row.key(), row.total_tokens(), row.cost_usd());
//! }
//! # Ok::<(), claudeusage::Error>(())
//! ```

use std::any::Any;
use std::borrow::Cow;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fmt;
use std::iter::FusedIterator;
use std::ops::{BitOr, ControlFlow};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};

pub mod ffi;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------
// Errors

/// What went wrong: one variant per `enum cu_status` failure code, plus
/// [`ErrorKind::AbiMismatch`], which this crate raises itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `CU_EINVALID`: an argument or value is invalid (also: a string given
    /// to this crate holds a NUL byte).
    Invalid,
    /// `CU_ENOMEM`
    NoMemory,
    /// `CU_ENOTFOUND`: no data directory, timezone, model, ...
    NotFound,
    /// `CU_EIO`
    Io,
    /// `CU_EPARSE`
    Parse,
    /// `CU_ENETWORK`
    Network,
    /// `CU_EUSER`: a callback asked to stop. [`Context::for_each_entry`]
    /// turns a stop of its own closure into `Ok(ControlFlow::Break(()))`,
    /// so this kind only shows up if the library reports a stop nobody asked for.
    Stopped,
    /// `CU_ESTATE`: the call is not valid in the object's state
    /// (e.g. a report before [`Context::load`]).
    State,
    /// `CU_ITEROVER`
    IterOver,
    /// The library's `cu_abi_version()` is not the [`ffi::CU_ABI_VERSION`]
    /// this crate was written for.
    AbiMismatch,
    /// A status code this crate does not know.
    Unknown(i32),
}

impl ErrorKind {
    fn from_status(code: c_int) -> Self {
        match code {
            ffi::CU_EINVALID => Self::Invalid,
            ffi::CU_ENOMEM => Self::NoMemory,
            ffi::CU_ENOTFOUND => Self::NotFound,
            ffi::CU_EIO => Self::Io,
            ffi::CU_EPARSE => Self::Parse,
            ffi::CU_ENETWORK => Self::Network,
            ffi::CU_EUSER => Self::Stopped,
            ffi::CU_ESTATE => Self::State,
            ffi::CU_ITEROVER => Self::IterOver,
            other => Self::Unknown(other),
        }
    }

    /// The `cu_status` number, or `None` for [`ErrorKind::AbiMismatch`].
    pub fn code(self) -> Option<i32> {
        Some(match self {
            Self::Invalid => ffi::CU_EINVALID,
            Self::NoMemory => ffi::CU_ENOMEM,
            Self::NotFound => ffi::CU_ENOTFOUND,
            Self::Io => ffi::CU_EIO,
            Self::Parse => ffi::CU_EPARSE,
            Self::Network => ffi::CU_ENETWORK,
            Self::Stopped => ffi::CU_EUSER,
            Self::State => ffi::CU_ESTATE,
            Self::IterOver => ffi::CU_ITEROVER,
            Self::Unknown(code) => code,
            Self::AbiMismatch => return None,
        })
    }
}

/// A failure: its kind and the library's detail message (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `cu_status` code, or `None` for [`ErrorKind::AbiMismatch`].
    pub fn code(&self) -> Option<i32> {
        self.kind.code()
    }

    /// The library's detail message (`cu_ctx_last_error()` at the failure).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind.code() {
            Some(code) => status_str(code),
            None => "ABI mismatch",
        };
        if self.message.is_empty() {
            f.write_str(what)
        } else {
            write!(f, "{what}: {}", self.message)
        }
    }
}

impl std::error::Error for Error {}

/// The library's text for a status code (`cu_status_str`).
pub fn status_str(code: i32) -> &'static str {
    // SAFETY: cu_status_str accepts any int and returns static text, never NULL.
    let text = unsafe { CStr::from_ptr(ffi::cu_status_str(code)) };
    text.to_str().unwrap_or("unknown status")
}

// ---------------------------------------------------------------------------
// Versions

/// The run-time library version, e.g. "0.1.0" (`cu_version_string`).
pub fn version() -> &'static str {
    // SAFETY: no arguments; the result is static text, never NULL.
    let text = unsafe { CStr::from_ptr(ffi::cu_version_string()) };
    text.to_str().unwrap_or("")
}

/// The run-time ABI number (`cu_abi_version`).
pub fn abi_version() -> i32 {
    // SAFETY: no arguments, no state.
    unsafe { ffi::cu_abi_version() }
}

/// `Ok` when the loaded library has the ABI this crate was written for.
/// [`Context::new`] calls it.
pub fn check_abi() -> Result<()> {
    let found = abi_version();
    if found == ffi::CU_ABI_VERSION {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::AbiMismatch,
            format!(
                "libclaudeusage has ABI {found}, this crate was written for ABI {}",
                ffi::CU_ABI_VERSION
            ),
        ))
    }
}

// ---------------------------------------------------------------------------
// Small conversions

/// Borrow a C string as text; `None` for NULL. Invalid UTF-8 is replaced.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
unsafe fn text<'a>(p: *const c_char) -> Option<Cow<'a, str>> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-NULL, and valid for 'a per the caller.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy())
    }
}

fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| {
        Error::new(
            ErrorKind::Invalid,
            format!("{what}: the string holds a NUL byte"),
        )
    })
}

#[cfg(unix)]
fn c_path(path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::new(ErrorKind::Invalid, "path: the path holds a NUL byte"))
}

#[cfg(not(unix))]
fn c_path(path: &Path) -> Result<CString> {
    c_string("path", &path.to_string_lossy())
}

#[cfg(unix)]
fn path_from(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from(bytes: &[u8]) -> &Path {
    Path::new(std::str::from_utf8(bytes).unwrap_or(""))
}

// ---------------------------------------------------------------------------
// Settings

/// Report groupings (`enum cu_group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Group {
    /// key "YYYY-MM-DD"
    Daily = ffi::CU_GROUP_DAILY,
    /// key: the first day of the week, "YYYY-MM-DD"
    Weekly = ffi::CU_GROUP_WEEKLY,
    /// key "YYYY-MM"
    Monthly = ffi::CU_GROUP_MONTHLY,
    /// key: the session id
    Session = ffi::CU_GROUP_SESSION,
    /// key: the project folder name
    Project = ffi::CU_GROUP_PROJECT,
    /// key: "main" or a VM's name
    Source = ffi::CU_GROUP_SOURCE,
}

/// How a line's cost is found (`enum cu_cost_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum CostMode {
    /// the line's costUSD when present, else computed
    #[default]
    Auto = ffi::CU_COST_AUTO,
    /// always computed from tokens and the price table
    Calculate = ffi::CU_COST_CALCULATE,
    /// only the line's costUSD; 0 when absent
    Display = ffi::CU_COST_DISPLAY,
}

/// Report flags (`enum cu_report_flag`), combined with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportFlags(u32);

impl ReportFlags {
    /// oldest period first, one row per period
    pub const NONE: Self = Self(0);
    /// newest period first
    pub const DESC: Self = Self(ffi::CU_REPORT_DESC);
    /// rows per (project, period); see [`Row::project`]
    pub const BY_PROJECT: Self = Self(ffi::CU_REPORT_BY_PROJECT);

    /// The `uint32_t` the C API takes.
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl BitOr for ReportFlags {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// Bits of an entry's flags (`enum cu_entry_flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EntryFlags(u32);

impl EntryFlags {
    /// written by a subagent
    pub const SIDECHAIN: Self = Self(ffi::CU_ENTRY_SIDECHAIN);
    /// an API error message
    pub const API_ERROR: Self = Self(ffi::CU_ENTRY_API_ERROR);
    /// the line carried costUSD
    pub const LINE_COST: Self = Self(ffi::CU_ENTRY_LINE_COST);
    /// the price table has no price for the model
    pub const UNPRICED: Self = Self(ffi::CU_ENTRY_UNPRICED);
    /// usage.speed was "fast"
    pub const FAST: Self = Self(ffi::CU_ENTRY_FAST);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// True when every bit of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The counters of the last load (`enum cu_stat`); -1 for one the library
/// does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Stats {
    /// transcript files found
    pub files: i64,
    /// files read by this load
    pub files_read: i64,
    /// files or directories that could not be read
    pub file_errors: i64,
    /// bytes read by this load
    pub bytes: i64,
    /// lines seen
    pub lines: i64,
    /// lines skipped as malformed
    pub malformed_lines: i64,
    /// torn last lines skipped
    pub torn_lines: i64,
    /// lines that carried usage, before deduplication
    pub usage_lines: i64,
    /// entries after deduplication
    pub entries: i64,
    /// usage lines dropped as copies of another
    pub duplicates: i64,
    /// distinct models with no price
    pub unpriced_models: i64,
}

// ---------------------------------------------------------------------------
// Context

/// A `cu_ctx`: the settings, the loaded entries and the last error.
/// Dropping it frees it.
pub struct Context {
    ptr: NonNull<ffi::CuCtx>,
}

// SAFETY: cu-context.h: "a cu_ctx ... must be used by one thread at a time;
// different contexts are independent". Moving it to another thread is fine;
// it is not Sync, and every call that changes it takes &mut self.
unsafe impl Send for Context {}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("timezone", &self.timezone())
            .field("roots", &self.roots())
            .finish()
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: ptr came from cu_ctx_new and is freed exactly once, here.
        // Reports do not point into the context (cu-report.h), so freeing it
        // while reports live is fine.
        unsafe { ffi::cu_ctx_free(self.ptr.as_ptr()) }
    }
}

impl Context {
    /// A context with the library's defaults (default data roots, the local
    /// timezone, ...), after [`check_abi`].
    pub fn new() -> Result<Self> {
        check_abi()?;
        let mut raw: *mut ffi::CuCtx = ptr::null_mut();
        // SAFETY: &mut raw is a valid out pointer for the call.
        let rc = unsafe { ffi::cu_ctx_new(&mut raw) };
        match NonNull::new(raw) {
            Some(ptr) if rc == ffi::CU_OK => Ok(Self { ptr }),
            _ => {
                // SAFETY: cu_last_error returns this thread's message, never NULL.
                let message = unsafe { text(ffi::cu_last_error()) }
                    .unwrap_or_default()
                    .into_owned();
                let rc = if rc == ffi::CU_OK { ffi::CU_ENOMEM } else { rc };
                Err(Error::new(ErrorKind::from_status(rc), message))
            }
        }
    }

    /// The raw pointer, for calls this crate does not wrap. It stays owned by
    /// the context.
    pub fn as_ptr(&self) -> *mut ffi::CuCtx {
        self.ptr.as_ptr()
    }

    /// The context's last error message (`cu_ctx_last_error`); empty when the
    /// last call succeeded.
    pub fn last_error(&self) -> String {
        // SAFETY: the context is live; the message is never NULL and is copied
        // before any other call on the context.
        unsafe { text(ffi::cu_ctx_last_error(self.ptr.as_ptr())) }
            .unwrap_or_default()
            .into_owned()
    }

    /// Map a status code to `Ok` or to an [`Error`] carrying the context's message.
    fn check(&self, rc: c_int) -> Result<()> {
        if rc == ffi::CU_OK {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::from_status(rc), self.last_error()))
        }
    }

    /// Call a setter that takes a string (NULL when `value` is `None`).
    fn set_str(
        &mut self,
        value: Option<CString>,
        setter: unsafe extern "C" fn(*mut ffi::CuCtx, *const c_char) -> c_int,
    ) -> Result<&mut Self> {
        let p = value.as_ref().map_or(ptr::null(), |s| s.as_ptr());
        // SAFETY: the context is live and p is NULL or a NUL-terminated string
        // that outlives the call; the library copies what it keeps.
        let rc = unsafe { setter(self.ptr.as_ptr(), p) };
        self.check(rc)?;
        Ok(self)
    }

    /// Add a data root (a directory holding projects/ and maybe vms/). Once
    /// one is added, the default roots are not used.
    pub fn add_root(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        let path = c_path(path.as_ref())?;
        self.set_str(Some(path), ffi::cu_ctx_add_root)
    }

    /// The roots the next load will look at.
    pub fn roots(&self) -> Vec<PathBuf> {
        // SAFETY: the context is live.
        let n = unsafe { ffi::cu_ctx_root_count(self.ptr.as_ptr()) };
        (0..n)
            .filter_map(|i| {
                // SAFETY: i < count; the string is borrowed until the context
                // changes and is copied at once.
                let p = unsafe { ffi::cu_ctx_root(self.ptr.as_ptr(), i) };
                // SAFETY: p is checked for NULL, then valid as above.
                (!p.is_null())
                    .then(|| path_from(unsafe { CStr::from_ptr(p) }.to_bytes()).to_path_buf())
            })
            .collect()
    }

    /// Timezone for days, weeks and months: an IANA name or "UTC"; "" for the
    /// local zone. Unknown zone: [`ErrorKind::NotFound`].
    pub fn set_timezone(&mut self, tz: &str) -> Result<&mut Self> {
        let tz = c_string("timezone", tz)?;
        self.set_str(Some(tz), ffi::cu_ctx_set_timezone)
    }

    /// The name of the timezone in use.
    pub fn timezone(&self) -> String {
        // SAFETY: the context is live; the name is borrowed and copied at once.
        unsafe { text(ffi::cu_ctx_timezone(self.ptr.as_ptr())) }
            .unwrap_or_default()
            .into_owned()
    }

    /// First day of the range, inclusive: "YYYY-MM-DD" or "YYYYMMDD"; ""
    /// removes it. Not a valid date: [`ErrorKind::Invalid`]. Set it before
    /// [`Context::load`].
    pub fn set_since(&mut self, date: &str) -> Result<&mut Self> {
        let date = c_string("since", date)?;
        self.set_str(Some(date), ffi::cu_ctx_set_since)
    }

    /// Last day of the range, inclusive; as [`Context::set_since`].
    pub fn set_until(&mut self, date: &str) -> Result<&mut Self> {
        let date = c_string("until", date)?;
        self.set_str(Some(date), ffi::cu_ctx_set_until)
    }

    /// Keep only one project: its folder name or its working directory; ""
    /// removes the filter.
    pub fn set_project(&mut self, project: &str) -> Result<&mut Self> {
        let project = c_string("project", project)?;
        self.set_str(Some(project), ffi::cu_ctx_set_project)
    }

    /// Directory for the cached price table and the index; `None` for the
    /// default ($XDG_CACHE_HOME/claude-usage, else ~/.cache/claude-usage).
    pub fn set_cache_dir(&mut self, dir: Option<&Path>) -> Result<&mut Self> {
        let dir = dir.map(c_path).transpose()?;
        self.set_str(dir, ffi::cu_ctx_set_cache_dir)
    }

    /// Call a setter that takes a number.
    fn set_num<T>(
        &mut self,
        value: T,
        setter: unsafe extern "C" fn(*mut ffi::CuCtx, T) -> c_int,
    ) -> Result<&mut Self> {
        // SAFETY: the context is live; the setter takes a plain value.
        let rc = unsafe { setter(self.ptr.as_ptr(), value) };
        self.check(rc)?;
        Ok(self)
    }

    /// Skip (true) or read (false, the default) the vms/*/projects trees.
    pub fn set_exclude_vms(&mut self, exclude: bool) -> Result<&mut Self> {
        self.set_num(c_int::from(exclude), ffi::cu_ctx_set_exclude_vms)
    }

    /// Never use the network for prices (true) or allow it (false, default).
    pub fn set_offline(&mut self, offline: bool) -> Result<&mut Self> {
        self.set_num(c_int::from(offline), ffi::cu_ctx_set_offline)
    }

    /// Keep a persistent index of what was read, in the cache directory.
    pub fn set_index(&mut self, enable: bool) -> Result<&mut Self> {
        self.set_num(c_int::from(enable), ffi::cu_ctx_set_index)
    }

    /// How a line's cost is found.
    pub fn set_cost_mode(&mut self, mode: CostMode) -> Result<&mut Self> {
        self.set_num(mode as i32, ffi::cu_ctx_set_cost_mode)
    }

    /// First day of the week for weekly reports: 0 = Sunday ... 6 = Saturday.
    pub fn set_week_start(&mut self, weekday: i32) -> Result<&mut Self> {
        self.set_num(weekday, ffi::cu_ctx_set_week_start)
    }

    /// Worker threads for loading; 0 for one per CPU.
    pub fn set_threads(&mut self, threads: u32) -> Result<&mut Self> {
        self.set_num(threads, ffi::cu_ctx_set_threads)
    }

    /// Read the transcripts under the roots (again: a reload reads only what
    /// changed). No root exists: [`ErrorKind::NotFound`].
    pub fn load(&mut self) -> Result<()> {
        // SAFETY: the context is live and not borrowed elsewhere (&mut self).
        let rc = unsafe { ffi::cu_ctx_load(self.ptr.as_ptr()) };
        self.check(rc)
    }

    /// The counters of the last load.
    pub fn stats(&self) -> Stats {
        // SAFETY: the context is live; an unknown counter gives -1.
        let stat = |which| unsafe { ffi::cu_ctx_stat(self.ptr.as_ptr(), which) };
        Stats {
            files: stat(ffi::CU_STAT_FILES),
            files_read: stat(ffi::CU_STAT_FILES_READ),
            file_errors: stat(ffi::CU_STAT_FILE_ERRORS),
            bytes: stat(ffi::CU_STAT_BYTES),
            lines: stat(ffi::CU_STAT_LINES),
            malformed_lines: stat(ffi::CU_STAT_MALFORMED_LINES),
            torn_lines: stat(ffi::CU_STAT_TORN_LINES),
            usage_lines: stat(ffi::CU_STAT_USAGE_LINES),
            entries: stat(ffi::CU_STAT_ENTRIES),
            duplicates: stat(ffi::CU_STAT_DUPLICATES),
            unpriced_models: stat(ffi::CU_STAT_UNPRICED_MODELS),
        }
    }

    /// Where the price table in use came from: "embedded", "cache",
    /// "download" or "file".
    pub fn pricing_source(&self) -> String {
        // SAFETY: the context is live; the result is static text.
        unsafe { text(ffi::cu_ctx_pricing_source(self.ptr.as_ptr())) }
            .unwrap_or_default()
            .into_owned()
    }

    /// Build a report of the loaded entries (filtered by the date range and
    /// project). `limit` keeps the most recent N periods (0: all). Nothing
    /// loaded yet: [`ErrorKind::State`].
    pub fn report(&mut self, group: Group, flags: ReportFlags, limit: u32) -> Result<Report> {
        let mut raw: *mut ffi::CuReport = ptr::null_mut();
        // SAFETY: the context is live; &mut raw is a valid out pointer.
        let rc = unsafe {
            ffi::cu_report_new(
                self.ptr.as_ptr(),
                group as i32,
                flags.bits(),
                limit,
                &mut raw,
            )
        };
        self.check(rc)?;
        match NonNull::new(raw) {
            Some(ptr) => Ok(Report { ptr, group }),
            None => Err(Error::new(
                ErrorKind::NoMemory,
                "cu_report_new returned no report",
            )),
        }
    }

    /// [`Context::report`] by day, oldest first, all days.
    pub fn daily(&mut self) -> Result<Report> {
        self.report(Group::Daily, ReportFlags::NONE, 0)
    }

    /// [`Context::report`] by month, oldest first, all months.
    pub fn monthly(&mut self) -> Result<Report> {
        self.report(Group::Monthly, ReportFlags::NONE, 0)
    }

    /// [`Context::report`] by session.
    pub fn sessions(&mut self) -> Result<Report> {
        self.report(Group::Session, ReportFlags::NONE, 0)
    }

    /// A report as indented JSON in ccusage's shape ([`Report::to_json`]).
    pub fn report_json(&mut self, group: Group) -> Result<String> {
        self.report(group, ReportFlags::NONE, 0)?.to_json(false)
    }

    /// Call `f` for every entry of the last load, oldest first (the entries
    /// the reports add up). `f` returns `bool` (true: go on), `()` (always
    /// go on) or `ControlFlow<()>`.
    ///
    /// Returns `Ok(ControlFlow::Continue(()))` when every entry was seen and
    /// `Ok(ControlFlow::Break(()))` when `f` stopped early: stopping is not
    /// an error (the library's `CU_EUSER` is mapped to it). Nothing loaded:
    /// [`ErrorKind::State`].
    ///
    /// A panic in `f` does not cross into C: it is caught, the iteration is
    /// stopped, and the panic resumes here once the library has returned.
    /// The context stays usable.
    pub fn for_each_entry<F, R>(&mut self, f: F) -> Result<ControlFlow<()>>
    where
        F: FnMut(&Entry<'_>) -> R,
        R: EntryFlow,
    {
        let mut visit = Visit {
            f,
            stopped: false,
            panic: None,
        };
        // SAFETY: the context is live and exclusively ours (&mut self, so `f`
        // cannot reach it); trampoline::<F, R> expects a *mut Visit<F> as
        // userdata, and `visit` outlives the call, which invokes the callback
        // on this thread only, before it returns.
        let rc = unsafe {
            ffi::cu_ctx_foreach_entry(
                self.ptr.as_ptr(),
                Some(trampoline::<F, R>),
                ptr::addr_of_mut!(visit).cast::<c_void>(),
            )
        };
        if let Some(payload) = visit.panic.take() {
            panic::resume_unwind(payload);
        }
        match rc {
            ffi::CU_OK => Ok(ControlFlow::Continue(())),
            ffi::CU_EUSER if visit.stopped => Ok(ControlFlow::Break(())),
            _ => Err(Error::new(ErrorKind::from_status(rc), self.last_error())),
        }
    }
}

/// What a [`Context::for_each_entry`] closure may return.
pub trait EntryFlow {
    /// True to go on to the next entry.
    fn keep_going(self) -> bool;
}

impl EntryFlow for bool {
    fn keep_going(self) -> bool {
        self
    }
}

impl EntryFlow for () {
    fn keep_going(self) -> bool {
        true
    }
}

impl EntryFlow for ControlFlow<()> {
    fn keep_going(self) -> bool {
        self.is_continue()
    }
}

/// The state a for_each_entry call shares with its trampoline.
struct Visit<F> {
    f: F,
    stopped: bool,
    panic: Option<Box<dyn Any + Send + 'static>>,
}

/// The `cu_entry_fn` given to the library: calls the closure, never unwinds.
extern "C" fn trampoline<F, R>(entry: *const ffi::CuEntry, userdata: *mut c_void) -> i32
where
    F: FnMut(&Entry<'_>) -> R,
    R: EntryFlow,
{
    // SAFETY: userdata is the &mut Visit<F> for_each_entry passed, live for
    // the whole C call; nothing else touches it while the callback runs.
    let visit = unsafe { &mut *userdata.cast::<Visit<F>>() };
    if entry.is_null() {
        return 0;
    }
    let mut copy: ffi::CuEntry;
    // SAFETY: the library passes a valid cu_entry for the duration of the
    // call. Its `size` says how many bytes it filled: an older library may
    // fill fewer fields than this crate knows, so those are read from a
    // zeroed copy (NULL strings, zero numbers) instead of past its end.
    let raw: &ffi::CuEntry = unsafe {
        let filled = ((*entry).size as usize).min(std::mem::size_of::<ffi::CuEntry>());
        if filled == std::mem::size_of::<ffi::CuEntry>() {
            &*entry
        } else {
            copy = std::mem::zeroed();
            ptr::copy_nonoverlapping(
                entry.cast::<u8>(),
                ptr::addr_of_mut!(copy).cast::<u8>(),
                filled,
            );
            &copy
        }
    };
    let view = Entry { raw };
    match panic::catch_unwind(AssertUnwindSafe(|| (visit.f)(&view).keep_going())) {
        Ok(true) => 0,
        Ok(false) => {
            visit.stopped = true;
            1
        }
        Err(payload) => {
            visit.panic = Some(payload);
            1
        }
    }
}

// ---------------------------------------------------------------------------
// Entries

/// One deduplicated entry, borrowed for one call of the
/// [`Context::for_each_entry`] closure. [`Entry::to_data`] copies it.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    raw: &'a ffi::CuEntry,
}

impl<'a> Entry<'a> {
    /// The C struct (its strings are valid during the callback only).
    pub fn raw(&self) -> &'a ffi::CuEntry {
        self.raw
    }

    /// The line's timestamp, Unix milliseconds (UTC).
    pub fn time_ms(&self) -> i64 {
        self.raw.time_ms
    }

    /// Input tokens.
    pub fn input_tokens(&self) -> i64 {
        self.raw.input_tokens
    }

    /// Output tokens.
    pub fn output_tokens(&self) -> i64 {
        self.raw.output_tokens
    }

    /// Cache-write tokens (5-minute and 1-hour).
    pub fn cache_creation_tokens(&self) -> i64 {
        self.raw.cache_creation_tokens
    }

    /// Cache-read tokens.
    pub fn cache_read_tokens(&self) -> i64 {
        self.raw.cache_read_tokens
    }

    /// The four token counts added up.
    pub fn total_tokens(&self) -> i64 {
        self.raw.input_tokens
            + self.raw.output_tokens
            + self.raw.cache_creation_tokens
            + self.raw.cache_read_tokens
    }

    /// Cost in USD, per the context's cost mode.
    pub fn cost_usd(&self) -> f64 {
        self.raw.cost_usd
    }

    /// The entry's flags.
    pub fn flags(&self) -> EntryFlags {
        EntryFlags(self.raw.flags)
    }

    /// 1-based line number in [`Entry::path`].
    pub fn line(&self) -> i64 {
        self.raw.line
    }

    fn string(&self, p: *const c_char) -> Cow<'a, str> {
        // SAFETY: the entry's strings are NULL (zeroed copy) or valid for 'a,
        // the duration of the callback.
        unsafe { text(p) }.unwrap_or_default()
    }

    /// The model, as in the transcript.
    pub fn model(&self) -> Cow<'a, str> {
        self.string(self.raw.model)
    }

    /// The session id.
    pub fn session(&self) -> Cow<'a, str> {
        self.string(self.raw.session)
    }

    /// The project folder under projects/.
    pub fn project(&self) -> Cow<'a, str> {
        self.string(self.raw.project)
    }

    /// "main", or the VM's name.
    pub fn source(&self) -> Cow<'a, str> {
        self.string(self.raw.source)
    }

    /// The transcript file.
    pub fn path(&self) -> &'a Path {
        if self.raw.path.is_null() {
            return Path::new("");
        }
        // SAFETY: non-NULL, valid for 'a as above.
        path_from(unsafe { CStr::from_ptr(self.raw.path) }.to_bytes())
    }

    /// An owned copy.
    pub fn to_data(&self) -> EntryData {
        EntryData {
            time_ms: self.time_ms(),
            flags: self.flags(),
            input_tokens: self.input_tokens(),
            output_tokens: self.output_tokens(),
            cache_creation_tokens: self.cache_creation_tokens(),
            cache_read_tokens: self.cache_read_tokens(),
            cost_usd: self.cost_usd(),
            model: self.model().into_owned(),
            session: self.session().into_owned(),
            project: self.project().into_owned(),
            source: self.source().into_owned(),
            path: self.path().to_path_buf(),
            line: self.line(),
        }
    }
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_data().fmt(f)
    }
}

/// An owned copy of an [`Entry`].
#[derive(Debug, Clone, PartialEq)]
pub struct EntryData {
    pub time_ms: i64,
    pub flags: EntryFlags,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_creation_tokens: i64,
    pub cache_read_tokens: i64,
    pub cost_usd: f64,
    pub model: String,
    pub session: String,
    pub project: String,
    pub source: String,
    pub path: PathBuf,
    pub line: i64,
}

// ---------------------------------------------------------------------------
// Reports

/// A `cu_report`: immutable, independent of the context it came from.
/// Dropping it frees it.
pub struct Report {
    ptr: NonNull<ffi::CuReport>,
    group: Group,
}

// SAFETY: cu-report.h: "A report ... is immutable: it may be read from any
// thread and outlives later changes to the context." Nothing here mutates it.
unsafe impl Send for Report {}
// SAFETY: as above: only read-only calls are made through &Report.
unsafe impl Sync for Report {}

impl Drop for Report {
    fn drop(&mut self) {
        // SAFETY: ptr came from cu_report_new and is freed exactly once, here;
        // rows borrow the report, so none outlives this.
        unsafe { ffi::cu_report_free(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("group", &self.group)
            .field("rows", &self.len())
            .finish()
    }
}

impl Report {
    /// The grouping the report was built with.
    pub fn group(&self) -> Group {
        self.group
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        // SAFETY: the report is live.
        unsafe { ffi::cu_report_count(self.ptr.as_ptr()) }
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        // SAFETY: the report is live; out of range gives NULL.
        let p = unsafe { ffi::cu_report_row(self.ptr.as_ptr(), i) };
        // SAFETY: a non-NULL row is borrowed from the report, which outlives Row<'_>.
        unsafe { Row::from_ptr(p) }
    }

    /// The rows in order.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            report: self,
            next: 0,
            end: self.len(),
        }
    }

    /// The totals row (key "Total").
    pub fn totals(&self) -> Row<'_> {
        // SAFETY: the report is live; the totals row is borrowed from it.
        let p = unsafe { ffi::cu_report_totals(self.ptr.as_ptr()) };
        // SAFETY: as in row(); a report always has a totals row.
        unsafe { Row::from_ptr(p) }.expect("cu_report_totals returned NULL")
    }

    /// The models the price table does not know.
    pub fn unpriced_models(&self) -> Vec<String> {
        // SAFETY: the report is live.
        let n = unsafe { ffi::cu_report_unpriced_count(self.ptr.as_ptr()) };
        (0..n)
            // SAFETY: i < count; the name is borrowed from the report and copied.
            .filter_map(|i| unsafe { text(ffi::cu_report_unpriced(self.ptr.as_ptr(), i)) })
            .map(Cow::into_owned)
            .collect()
    }

    /// The report as JSON in ccusage's shape (`{"daily": [...], "totals":
    /// {...}}`, ...), indented or on one line.
    pub fn to_json(&self, compact: bool) -> Result<String> {
        let flags = if compact { ffi::CU_JSON_COMPACT } else { 0 };
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: the report is live; &mut out is a valid out pointer.
        let rc = unsafe { ffi::cu_report_to_json(self.ptr.as_ptr(), flags, &mut out) };
        if rc != ffi::CU_OK || out.is_null() {
            // SAFETY: cu_free accepts NULL and anything the library allocated.
            unsafe { ffi::cu_free(out.cast()) };
            let rc = if rc == ffi::CU_OK { ffi::CU_ENOMEM } else { rc };
            return Err(Error::new(
                ErrorKind::from_status(rc),
                "cu_report_to_json failed",
            ));
        }
        // SAFETY: out is a NUL-terminated string the library allocated for us;
        // it is copied, then released with cu_free (never free()), once.
        let json = unsafe {
            let json = CStr::from_ptr(out).to_string_lossy().into_owned();
            ffi::cu_free(out.cast());
            json
        };
        Ok(json)
    }
}

impl<'r> IntoIterator for &'r Report {
    type Item = Row<'r>;
    type IntoIter = Rows<'r>;
    fn into_iter(self) -> Rows<'r> {
        self.rows()
    }
}

/// Iterator over a report's rows.
#[derive(Debug, Clone)]
pub struct Rows<'r> {
    report: &'r Report,
    next: usize,
    end: usize,
}

impl<'r> Iterator for Rows<'r> {
    type Item = Row<'r>;

    fn next(&mut self) -> Option<Row<'r>> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        self.report.row(self.next - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Rows<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        self.report.row(self.end)
    }
}

impl ExactSizeIterator for Rows<'_> {}
impl FusedIterator for Rows<'_> {}

/// A row of a report (or of a row's per-model breakdown), borrowed from the
/// report. [`Row::to_data`] copies it.
#[derive(Clone, Copy)]
pub struct Row<'r> {
    raw: &'r ffi::CuRow,
}

macro_rules! row_numbers {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $func:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> $ty {
                // SAFETY: the row is live as long as its report ('r).
                unsafe { ffi::$func(self.raw) }
            }
        )*
    };
}

impl<'r> Row<'r> {
    /// # Safety
    /// `p` is NULL or a row that lives (unchanged) for `'r`.
    unsafe fn from_ptr(p: *const ffi::CuRow) -> Option<Self> {
        // SAFETY: per the caller, a non-NULL p is valid for 'r.
        unsafe { p.as_ref() }.map(|raw| Self { raw })
    }

    fn string(
        &self,
        f: unsafe extern "C" fn(*const ffi::CuRow) -> *const c_char,
    ) -> Option<Cow<'r, str>> {
        // SAFETY: the row is live for 'r and its strings are borrowed from the
        // report for as long.
        unsafe { text(f(self.raw)) }
    }

    /// Key: date, week start, month, session id, project, source or model name.
    pub fn key(&self) -> Cow<'r, str> {
        self.string(ffi::cu_row_key).unwrap_or_default()
    }

    /// Project folder name (session rows and by-project rows), else `None`.
    pub fn project(&self) -> Option<Cow<'r, str>> {
        self.string(ffi::cu_row_project)
    }

    /// Working directory recorded for the row's project, or `None`.
    pub fn project_path(&self) -> Option<Cow<'r, str>> {
        self.string(ffi::cu_row_project_path)
    }

    row_numbers! {
        /// Input tokens.
        input_tokens: i64 = cu_row_input_tokens;
        /// Output tokens.
        output_tokens: i64 = cu_row_output_tokens;
        /// Cache-write tokens.
        cache_creation_tokens: i64 = cu_row_cache_creation_tokens;
        /// Cache-read tokens.
        cache_read_tokens: i64 = cu_row_cache_read_tokens;
        /// The four token counts added up.
        total_tokens: i64 = cu_row_total_tokens;
        /// Cost in USD.
        cost_usd: f64 = cu_row_cost_usd;
        /// Cost in micro-USD, rounded to nearest.
        cost_micro_usd: i64 = cu_row_cost_micro_usd;
        /// Number of deduplicated entries.
        entries: i64 = cu_row_entries;
        /// Time of the first entry, Unix ms (0 for an empty row).
        first_time_ms: i64 = cu_row_first_time;
        /// Time of the last entry, Unix ms.
        last_time_ms: i64 = cu_row_last_time;
    }

    /// Models used (sorted by name).
    pub fn models(&self) -> Vec<String> {
        // SAFETY: the row is live for 'r.
        let n = unsafe { ffi::cu_row_model_count(self.raw) };
        (0..n)
            // SAFETY: i < count; the name is borrowed from the report and copied.
            .filter_map(|i| unsafe { text(ffi::cu_row_model(self.raw, i)) })
            .map(Cow::into_owned)
            .collect()
    }

    /// Per-model rows, most costly first (empty for a breakdown row).
    pub fn breakdown(&self) -> Vec<Row<'r>> {
        // SAFETY: the row is live for 'r.
        let n = unsafe { ffi::cu_row_breakdown_count(self.raw) };
        (0..n)
            // SAFETY: i < count; breakdown rows are borrowed from the same report.
            .filter_map(|i| unsafe { Row::from_ptr(ffi::cu_row_breakdown(self.raw, i)) })
            .collect()
    }

    /// An owned copy, breakdown included.
    pub fn to_data(&self) -> RowData {
        RowData {
            key: self.key().into_owned(),
            project: self.project().map(Cow::into_owned),
            project_path: self.project_path().map(Cow::into_owned),
            input_tokens: self.input_tokens(),
            output_tokens: self.output_tokens(),
            cache_creation_tokens: self.cache_creation_tokens(),
            cache_read_tokens: self.cache_read_tokens(),
            total_tokens: self.total_tokens(),
            cost_usd: self.cost_usd(),
            cost_micro_usd: self.cost_micro_usd(),
            entries: self.entries(),
            first_time_ms: self.first_time_ms(),
            last_time_ms: self.last_time_ms(),
            models: self.models(),
            breakdown: self.breakdown().iter().map(Row::to_data).collect(),
        }
    }
}

impl fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Row")
            .field("key", &self.key())
            .field("total_tokens", &self.total_tokens())
            .field("cost_usd", &self.cost_usd())
            .field("entries", &self.entries())
            .finish_non_exhaustive()
    }
}

/// An owned copy of a [`Row`].
#[derive(Debug, Clone, PartialEq)]
pub struct RowData {
    pub key: String,
    pub project: Option<String>,
    pub project_path: Option<String>,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_creation_tokens: i64,
    pub cache_read_tokens: i64,
    pub total_tokens: i64,
    pub cost_usd: f64,
    pub cost_micro_usd: i64,
    pub entries: i64,
    pub first_time_ms: i64,
    pub last_time_ms: i64,
    pub models: Vec<String>,
    pub breakdown: Vec<RowData>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn error_kinds_round_trip() {
        for code in [-1, -2, -3, -4, -5, -6, -7, -8, -30, -99] {
            let kind = ErrorKind::from_status(code);
            assert_eq!(kind.code(), Some(code));
            assert_ne!(status_str(code), "");
        }
        assert_eq!(ErrorKind::from_status(-99), ErrorKind::Unknown(-99));
        assert_eq!(ErrorKind::AbiMismatch.code(), None);
        let e = Error::new(ErrorKind::NotFound, "no zone X");
        assert_eq!(
            e.to_string(),
            format!("{}: no zone X", status_str(ffi::CU_ENOTFOUND))
        );
        assert_eq!(
            Error::new(ErrorKind::Io, "").to_string(),
            status_str(ffi::CU_EIO)
        );
        assert!(Error::new(ErrorKind::AbiMismatch, "x")
            .to_string()
            .starts_with("ABI mismatch"));
    }

    #[test]
    fn flags() {
        let f = ReportFlags::DESC | ReportFlags::BY_PROJECT;
        assert_eq!(f.bits(), ffi::CU_REPORT_DESC | ffi::CU_REPORT_BY_PROJECT);
        assert_eq!(ReportFlags::default(), ReportFlags::NONE);
        let e = EntryFlags(ffi::CU_ENTRY_SIDECHAIN | ffi::CU_ENTRY_FAST);
        assert!(e.contains(EntryFlags::SIDECHAIN) && e.contains(EntryFlags::FAST));
        assert!(!e.contains(EntryFlags::UNPRICED));
    }

    /// Feed the trampoline an entry as a library that knows fewer fields would.
    fn through_trampoline(entry: &ffi::CuEntry) -> EntryData {
        fn call<F: FnMut(&Entry<'_>)>(entry: &ffi::CuEntry, f: F) -> i32 {
            let mut visit = Visit {
                f,
                stopped: false,
                panic: None,
            };
            trampoline::<F, ()>(entry, ptr::addr_of_mut!(visit).cast())
        }
        let mut got = None;
        assert_eq!(call(entry, |e| got = Some(e.to_data())), 0);
        got.expect("the closure ran")
    }

    #[test]
    fn fields_past_size_are_not_read() {
        let full = ffi::CuEntry {
            size: size_of::<ffi::CuEntry>() as u32,
            flags: ffi::CU_ENTRY_LINE_COST,
            time_ms: 1_700_000_000_000,
            input_tokens: 1,
            output_tokens: 2,
            cache_creation_tokens: 3,
            cache_read_tokens: 4,
            cost_usd: 0.5,
            model: c"claude-x".as_ptr(),
            session: c"s".as_ptr(),
            project: c"p".as_ptr(),
            source: c"main".as_ptr(),
            path: c"/tmp/x.jsonl".as_ptr(),
            line: 42,
        };
        let all = through_trampoline(&full);
        assert_eq!(
            (all.model.as_str(), all.line, all.path.as_path()),
            ("claude-x", 42, Path::new("/tmp/x.jsonl"))
        );
        assert_eq!(all.flags, EntryFlags::LINE_COST);

        let no_line = through_trampoline(&ffi::CuEntry {
            size: offset_of!(ffi::CuEntry, line) as u32,
            ..full
        });
        assert_eq!(
            (no_line.line, no_line.path.as_path()),
            (0, Path::new("/tmp/x.jsonl"))
        );

        let numbers_only = through_trampoline(&ffi::CuEntry {
            size: offset_of!(ffi::CuEntry, model) as u32,
            ..full
        });
        assert_eq!(
            (
                numbers_only.cost_usd,
                numbers_only.model.as_str(),
                numbers_only.line
            ),
            (0.5, "", 0)
        );
        assert_eq!(numbers_only.path, PathBuf::new());
    }
}
