//! Link libclaudeusage as pkg-config describes it, with std alone.
//!
//! Runs `pkg-config --libs claudeusage` ($PKG_CONFIG names another
//! pkg-config) and turns `-L<dir>` into a native search path plus an rpath
//! (so tests and examples run without LD_LIBRARY_PATH) and `-l<name>` into a
//! link library. With PKG_CONFIG_SYSROOT_DIR set (a staged install),
//! pkg-config puts the sysroot in front of the -L paths already.

use std::env;
use std::ffi::OsString;
use std::process::Command;

const PACKAGE: &str = "claudeusage";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [
        "PKG_CONFIG",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_LIBDIR",
        "PKG_CONFIG_SYSROOT_DIR",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let pkg_config = env::var_os("PKG_CONFIG").unwrap_or_else(|| OsString::from("pkg-config"));
    let shown = pkg_config.to_string_lossy().into_owned();

    let libs = run(&pkg_config, &["--libs", PACKAGE]).unwrap_or_else(|why| {
        panic!(
            "\n\nclaudeusage: `{shown} --libs {PACKAGE}` failed: {why}\n\
             Install libclaudeusage (and pkg-config), or point PKG_CONFIG_PATH at the directory\n\
             holding {PACKAGE}.pc: <prefix>/lib/<triple>/pkgconfig for an installed tree, or\n\
             <meson build dir>/meson-uninstalled for a build tree (add PKG_CONFIG_SYSROOT_DIR\n\
             for a tree installed with DESTDIR).\n"
        )
    });
    // Rebuild when the .pc file itself changes (pkgconf and pkg-config >= 0.28 know --path).
    if let Ok(pc) = run(&pkg_config, &["--path", PACKAGE]) {
        let pc = pc.trim();
        if !pc.is_empty() {
            println!("cargo:rerun-if-changed={pc}");
        }
    }

    let mut tokens = libs.split_whitespace();
    let mut libdirs = Vec::new();
    let mut linked = false;
    while let Some(tok) = tokens.next() {
        if let Some(dir) = value_of(tok, "-L", &mut tokens) {
            println!("cargo:rustc-link-search=native={dir}");
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
            libdirs.push(dir);
        } else if let Some(lib) = value_of(tok, "-l", &mut tokens) {
            println!("cargo:rustc-link-lib={lib}");
            linked |= lib == PACKAGE;
        } else if tok.starts_with("-Wl,") || tok == "-pthread" {
            println!("cargo:rustc-link-arg={tok}");
        } else {
            println!("cargo:warning=claudeusage: ignoring `{tok}` from `{shown} --libs {PACKAGE}`");
        }
    }
    if !linked {
        panic!("\n\nclaudeusage: `{shown} --libs {PACKAGE}` gave no -l{PACKAGE}: {libs:?}\n");
    }
    // With `links = "claudeusage"`, dependents' build scripts see DEP_CLAUDEUSAGE_LIBDIR.
    if let Some(dir) = libdirs.first() {
        println!("cargo:libdir={dir}");
    }
}

/// `-Lfoo` or `-L foo` -> `foo`.
fn value_of<'a>(
    tok: &'a str,
    flag: &str,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    match tok.strip_prefix(flag)? {
        "" => rest.next(),
        value => Some(value),
    }
}

fn run(program: &OsString, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{} ({})", stderr.trim(), out.status));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}
