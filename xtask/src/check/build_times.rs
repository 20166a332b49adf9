//! `cargo xtask build-times [--profile dev|release|both] [--manifest-path PATH] [--package NAME] [--features F | --also-features F] [--write-readme]`
//!
//! Measures a clean build of the generated client crate alone: its dependencies are built
//! first (not counted), then the crate is cleaned and rebuilt under GNU `time -v`, which gives
//! wall time and the peak resident memory of the largest process (rustc). Builds are
//! non-incremental (`CARGO_INCREMENTAL=0`), as cargo always builds a crate that users get as a
//! dependency. `--features F` measures with `--features F` instead of the defaults;
//! `--also-features F` measures both (e.g. `mock`, to show what the feature costs). With
//! `--write-readme` the figures replace the block between the `build-times` markers of
//! README.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

pub struct Measurement {
    pub profile: String,
    pub features: String,
    pub seconds: f64,
    /// User + system CPU time of the build: on a machine shared with other builds, wall time
    /// grows with their load, CPU time much less, so before/after comparisons read this too.
    pub cpu_seconds: f64,
    pub peak_mib: f64,
}

/// What to measure.
pub struct Options {
    pub profiles: Vec<&'static str>,
    pub manifest: PathBuf,
    pub package: String,
    /// One build per entry: `None` is the default features, `Some(f)` adds `--features f`.
    pub variants: Vec<Option<String>>,
    pub write_readme: bool,
}

/// `--profile dev|release|both` (default both).
pub fn profiles(arg: Option<&str>) -> anyhow::Result<Vec<&'static str>> {
    Ok(match arg {
        None | Some("both") => vec!["dev", "release"],
        Some("dev") => vec!["dev"],
        Some("release") => vec!["release"],
        Some(other) => anyhow::bail!("unknown --profile `{other}` (dev, release, both)"),
    })
}

/// `--features F` (only F) or `--also-features F` (the defaults, then F).
pub fn variants(only: Option<String>, also: Option<String>) -> anyhow::Result<Vec<Option<String>>> {
    Ok(match (only, also) {
        (Some(_), Some(_)) => anyhow::bail!("give --features or --also-features, not both"),
        (Some(f), None) => vec![Some(f)],
        (None, Some(f)) => vec![None, Some(f)],
        (None, None) => vec![None],
    })
}

pub fn run(root: &Path, options: &Options) -> anyhow::Result<Vec<Measurement>> {
    let mut out = Vec::new();
    for features in &options.variants {
        for profile in &options.profiles {
            out.push(measure(root, options, profile, features.as_deref())?);
        }
    }
    if options.write_readme {
        write_into_readme(root, &options.package, &out)?;
    }
    Ok(out)
}

/// One clean build of the crate, its dependencies built beforehand.
fn measure(
    root: &Path,
    options: &Options,
    profile: &str,
    features: Option<&str>,
) -> anyhow::Result<Measurement> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let package = options.package.as_str();
    let base = |cmd: &mut Command| {
        cmd.current_dir(root)
            .env("CARGO_INCREMENTAL", "0")
            .arg("--manifest-path")
            .arg(&options.manifest)
            .args(["--package", package, "--profile", profile]);
    };
    // `cargo clean` takes no `--features`; the builds do.
    let with_features = |cmd: &mut Command| {
        if let Some(f) = features {
            cmd.args(["--features", f]);
        }
    };
    // Dependencies first, so only the crate itself is timed.
    let mut deps = Command::new(&cargo);
    deps.arg("build");
    base(&mut deps);
    with_features(&mut deps);
    let status = deps.status().context("running cargo build")?;
    anyhow::ensure!(status.success(), "cargo build --profile {profile} failed");
    let mut clean = Command::new(&cargo);
    clean.arg("clean");
    base(&mut clean);
    anyhow::ensure!(clean.status()?.success(), "cargo clean failed");
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-v").arg(&cargo).arg("build");
    base(&mut timed);
    with_features(&mut timed);
    let output = timed
        .output()
        .context("running /usr/bin/time (install GNU time: apt-get install time)")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "timed build failed:\n{stderr}");
    let m = Measurement {
        profile: profile.to_string(),
        features: features.map_or_else(|| "default".to_string(), |f| format!("default + `{f}`")),
        seconds: parse_wall(&stderr).context("no wall-clock time in `time -v` output")?,
        cpu_seconds: parse_cpu(&stderr).context("no CPU times in `time -v` output")?,
        peak_mib: parse_number(&stderr, "Maximum resident set size (kbytes):")
            .context("no peak memory in `time -v` output")?
            / 1024.0,
    };
    println!(
        "{package} ({}) clean {profile} build: {:.1} s (CPU {:.1} s), peak memory {:.0} MiB",
        m.features, m.seconds, m.cpu_seconds, m.peak_mib
    );
    Ok(m)
}

fn parse_number(text: &str, label: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|v| v.trim().parse().ok())
}

/// `User time (seconds): 20.10` plus `System time (seconds): 1.50`.
fn parse_cpu(text: &str) -> Option<f64> {
    Some(
        parse_number(text, "User time (seconds):")? + parse_number(text, "System time (seconds):")?,
    )
}

/// `Elapsed (wall clock) time (h:mm:ss or m:ss): 1:23.45`
fn parse_wall(text: &str) -> Option<f64> {
    let v = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss):")
    })?;
    v.trim().split(':').try_fold(0.0, |acc, part| {
        part.parse::<f64>().ok().map(|x| acc * 60.0 + x)
    })
}

const START: &str = "<!-- build-times:start -->";
const END: &str = "<!-- build-times:end -->";

fn write_into_readme(root: &Path, package: &str, ms: &[Measurement]) -> anyhow::Result<()> {
    let path = root.join("README.md");
    let text = std::fs::read_to_string(&path)?;
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        anyhow::bail!("README.md has no {START} ... {END} block");
    };
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    // The command as it was given, so the README names the flags that produced the table.
    let command = std::iter::once("cargo xtask".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let mut block = format!(
        "{START}\n| crate | features | profile | clean build of the crate (deps prebuilt) | peak memory (rustc) |\n|---|---|---|---|---|\n"
    );
    for m in ms {
        block.push_str(&format!(
            "| `{package}` | {} | {} | {:.0} s | {:.2} GiB |\n",
            m.features,
            m.profile,
            m.seconds,
            m.peak_mib / 1024.0
        ));
    }
    block.push_str(&format!(
        "\nMeasured with `{command}` on a {cpus}-core machine\n(non-incremental, as cargo builds a dependency).\n{END}"
    ));
    let new = format!("{}{}{}", &text[..a], block, &text[b + END.len()..]);
    std::fs::write(&path, new)?;
    println!("updated the build-times block of {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gnu_time_output() {
        let out = "\tUser time (seconds): 20.10\n\tSystem time (seconds): 1.50\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:23.50\n\tMaximum resident set size (kbytes): 2097152\n";
        assert_eq!(parse_wall(out), Some(83.5));
        assert!((parse_cpu(out).unwrap() - 21.6).abs() < 1e-9);
        assert_eq!(
            parse_number(out, "Maximum resident set size (kbytes):"),
            Some(2097152.0)
        );
        assert_eq!(
            parse_wall("\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n"),
            Some(3723.0)
        );
    }
}
