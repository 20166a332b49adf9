//! `cargo xtask build-times [--profile dev|release|both] [--manifest-path PATH] [--package NAME] [--features F | --also-features F | --products] [--write-readme]`
//!
//! Measures a clean build of the generated client crate alone: its dependencies are built
//! first (not counted), then the crate is cleaned and rebuilt under GNU `time -v`, which gives
//! wall time and the peak resident memory of the largest process (rustc). Builds are
//! non-incremental (`CARGO_INCREMENTAL=0`), as cargo always builds a crate that users get as a
//! dependency. `--features F` measures with `--features F` instead of the defaults;
//! `--also-features F` measures both (e.g. `mock`, to show what the feature costs). With
//! `--write-readme` the figures replace the block between the `build-times` markers of
//! README.md.
//!
//! `--products` measures, side by side in one run, what the product features save (issue 22):
//! `plaid-client` with `full`, with `transactions` alone and with `transactions,auth,transfer`;
//! the ext on `transactions` alone; and an application making the quickstart's calls
//! (`build_times/app.rs`) with its products only and with `full`. Its README block is
//! `build-times-products`.

mod app;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

pub struct Measurement {
    /// What was built, as the README names it.
    pub package: String,
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
    /// `--products`: the product-feature comparison instead of `variants`.
    pub products: bool,
    pub write_readme: bool,
}

/// One clean build to time.
struct Build {
    manifest: PathBuf,
    /// The package built (and timed).
    package: String,
    /// The packages cleaned before the timed build: the package and what it stands for.
    cleaned: Vec<String>,
    features: Features,
    /// The label of the features column.
    label: String,
}

enum Features {
    Default,
    /// The defaults plus these.
    Plus(String),
    /// `--no-default-features --features these`.
    Only(String),
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
    let builds = if options.products {
        product_builds(root, options)?
    } else {
        variant_builds(options)
    };
    let mut out = Vec::new();
    for build in &builds {
        for profile in &options.profiles {
            out.push(measure(root, build, profile)?);
        }
    }
    if options.products {
        print_ratios(&out);
    }
    if options.write_readme {
        let block = if options.products { PRODUCTS } else { VARIANTS };
        write_into_readme(root, block, &out)?;
    }
    Ok(out)
}

fn variant_builds(options: &Options) -> Vec<Build> {
    let label = |f: &Option<String>| {
        f.as_ref()
            .map_or_else(|| "default".to_string(), |f| format!("default + `{f}`"))
    };
    options
        .variants
        .iter()
        .map(|f| Build {
            manifest: options.manifest.clone(),
            package: options.package.clone(),
            cleaned: vec![options.package.clone()],
            features: f.clone().map_or(Features::Default, Features::Plus),
            label: label(f),
        })
        .collect()
}

/// The comparison issue 22 asks for, in the order the README lists it.
fn product_builds(root: &Path, options: &Options) -> anyhow::Result<Vec<Build>> {
    let client = |features: &str| Build {
        manifest: options.manifest.clone(),
        package: "plaid-client".into(),
        cleaned: vec!["plaid-client".into()],
        features: Features::Only(features.into()),
        label: format!("`{features}`"),
    };
    let scratch = app::write(root)?;
    let app = |features: &str, label: &str| Build {
        manifest: scratch.clone(),
        package: app::PACKAGE.into(),
        cleaned: vec![
            app::PACKAGE.into(),
            "plaid-client-ext".into(),
            "plaid-client".into(),
        ],
        features: Features::Only(features.into()),
        label: label.into(),
    };
    Ok(vec![
        client("full"),
        client("transactions"),
        client("transactions,auth,transfer"),
        Build {
            manifest: options.manifest.clone(),
            package: "plaid-client-ext".into(),
            cleaned: vec!["plaid-client-ext".into(), "plaid-client".into()],
            features: Features::Only("rustls,transactions".into()),
            label: "`transactions` (+ `rustls`)".into(),
        },
        app(
            app::PRODUCTS,
            &format!("its products: `{}`", app::PRODUCT_LIST),
        ),
        app(app::FULL, "`full`"),
    ])
}

/// One clean build, its dependencies built beforehand.
fn measure(root: &Path, build: &Build, profile: &str) -> anyhow::Result<Measurement> {
    // Dependencies first, so only the crate itself is timed.
    let status = cargo_build(root, build, profile, &[])
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "cargo build --profile {profile} failed");
    // `cargo clean` takes no `--features`; the builds do.
    let mut clean = cargo(root, build, profile, &[], "clean");
    for p in &build.cleaned {
        clean.args(["--package", p]);
    }
    anyhow::ensure!(clean.status()?.success(), "cargo clean failed");
    let output = cargo_build(root, build, profile, &["/usr/bin/time", "-v"])
        .output()
        .context("running /usr/bin/time (install GNU time: apt-get install time)")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "timed build failed:\n{stderr}");
    let m = measurement(build, profile, &stderr)?;
    println!(
        "{} ({}) clean {profile} build: {:.1} s (CPU {:.1} s), peak memory {:.0} MiB",
        m.package, m.features, m.seconds, m.cpu_seconds, m.peak_mib
    );
    Ok(m)
}

/// `cargo <subcommand>` (run by `wrapper`, a program and its arguments, when there is one) as
/// every command of a measurement runs: non-incremental, in the shared target directory, on
/// the build's manifest and `profile`.
fn cargo(root: &Path, build: &Build, profile: &str, wrapper: &[&str], subcommand: &str) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut cmd = Command::new(program);
            cmd.args(args).arg(&cargo);
            cmd
        }
        None => Command::new(&cargo),
    };
    cmd.arg(subcommand)
        .current_dir(root)
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", &target)
        .arg("--manifest-path")
        .arg(&build.manifest)
        .args(["--profile", profile]);
    cmd
}

/// `cargo build` of the build's package with its features.
fn cargo_build(root: &Path, build: &Build, profile: &str, wrapper: &[&str]) -> Command {
    let mut cmd = cargo(root, build, profile, wrapper, "build");
    cmd.args(["--package", &build.package]);
    match &build.features {
        Features::Default => {}
        Features::Plus(f) => {
            cmd.args(["--features", f]);
        }
        Features::Only(f) => {
            cmd.args(["--no-default-features", "--features", f]);
        }
    }
    cmd
}

/// The figures of one timed build, read off GNU `time -v`'s report.
fn measurement(build: &Build, profile: &str, stderr: &str) -> anyhow::Result<Measurement> {
    Ok(Measurement {
        package: build.package.clone(),
        profile: profile.to_string(),
        features: build.label.clone(),
        seconds: parse_wall(stderr).context("no wall-clock time in `time -v` output")?,
        cpu_seconds: parse_cpu(stderr).context("no CPU times in `time -v` output")?,
        peak_mib: parse_number(stderr, "Maximum resident set size (kbytes):")
            .context("no peak memory in `time -v` output")?
            / 1024.0,
    })
}

/// Each build against its package's `full` build of the same profile (the ext's against
/// plaid-client's): the ratios the goal is stated in.
fn print_ratios(ms: &[Measurement]) {
    let full_of = |package: &str, profile: &str| {
        ms.iter()
            .find(|f| f.package == package && f.profile == profile && f.features == "`full`")
    };
    for m in ms.iter().filter(|m| m.features != "`full`") {
        let Some(f) =
            full_of(&m.package, &m.profile).or_else(|| full_of("plaid-client", &m.profile))
        else {
            continue;
        };
        println!(
            "{} ({}, {}): {:.0}% of {} with `full` (wall), {:.0}% (CPU)",
            m.package,
            m.features,
            m.profile,
            100.0 * m.seconds / f.seconds,
            f.package,
            100.0 * m.cpu_seconds / f.cpu_seconds
        );
    }
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

/// A README block: its marker name and the heading of its first column.
struct Block {
    marker: &'static str,
    what: &'static str,
}

const VARIANTS: Block = Block {
    marker: "build-times",
    what: "clean build of the crate (deps prebuilt)",
};
const PRODUCTS: Block = Block {
    marker: "build-times-products",
    what: "clean build of the crate and the workspace crates it depends on (other deps prebuilt)",
};

fn write_into_readme(root: &Path, which: Block, ms: &[Measurement]) -> anyhow::Result<()> {
    let path = root.join("README.md");
    let text = std::fs::read_to_string(&path)?;
    let start = format!("<!-- {}:start -->", which.marker);
    let end = format!("<!-- {}:end -->", which.marker);
    let (Some(a), Some(b)) = (text.find(&start), text.find(&end)) else {
        anyhow::bail!("README.md has no {start} ... {end} block");
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
        "{start}\n| crate | features | profile | {} | CPU time | peak memory (rustc) |\n|---|---|---|---|---|---|\n",
        which.what
    );
    for m in ms {
        block.push_str(&format!(
            "| `{}` | {} | {} | {:.1} s | {:.1} s | {:.2} GiB |\n",
            m.package,
            m.features,
            m.profile,
            m.seconds,
            m.cpu_seconds,
            m.peak_mib / 1024.0
        ));
    }
    block.push_str(&format!(
        "\nMeasured with `{command}` on a {cpus}-core machine\n(non-incremental, as cargo builds a dependency).\n{end}"
    ));
    let new = format!("{}{}{}", &text[..a], block, &text[b + end.len()..]);
    std::fs::write(&path, new)?;
    println!("updated the {} block of {}", which.marker, path.display());
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

    #[test]
    fn the_timed_build_is_the_same_cargo_build_run_by_time() {
        let build = Build {
            manifest: "ws/Cargo.toml".into(),
            package: "plaid-client-ext".into(),
            cleaned: vec![],
            features: Features::Only("rustls,transactions".into()),
            label: String::new(),
        };
        let args = |c: &Command| -> Vec<String> {
            c.get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        };
        let plain = cargo_build(Path::new("."), &build, "release", &[]);
        let timed = cargo_build(Path::new("."), &build, "release", &["/usr/bin/time", "-v"]);
        assert_eq!(
            args(&plain),
            [
                "build",
                "--manifest-path",
                "ws/Cargo.toml",
                "--profile",
                "release",
                "--package",
                "plaid-client-ext",
                "--no-default-features",
                "--features",
                "rustls,transactions"
            ]
        );
        assert_eq!(timed.get_program(), "/usr/bin/time");
        let mut expected = vec![
            "-v".to_string(),
            plain.get_program().to_string_lossy().into(),
        ];
        expected.extend(args(&plain));
        assert_eq!(args(&timed), expected);
    }
}
