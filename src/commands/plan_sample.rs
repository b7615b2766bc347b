//! `cxm plan-sample`: how many responses a survey needs for a target margin of error.
//!
//! The counts come from `cxm_stats::sample_size_*`; this module validates the options,
//! chooses the per-answer standard deviation (worst case unless an expectation is given)
//! and explains the computation. Inconsistent options are usage errors: one line on stderr
//! and exit code 2, like clap's own.
//!
//! Expected shares are percentages everywhere (`--promoters 45`, `--expected 80`, `45%`
//! too); a value between 0 and 1 without `%` is refused as ambiguous.

use crate::cli::{PlanMetric, PlanSampleArgs};
use std::io::Write;

/// A usage error: its message is printed as `error: …` and the command exits with 2.
struct Usage(String);

fn usage<T>(message: impl Into<String>) -> Result<T, Usage> {
    Err(Usage(message.into()))
}

/// What the command prints: the inputs of the computation and its results.
struct Plan {
    /// E.g. `NPS ±5 points`.
    subject: String,
    /// E.g. `worst case: 50% promoters, 50% detractors`.
    assumption: String,
    /// The sample-size formula, in words a reader can check.
    formula: &'static str,
    /// The per-answer spread and where it comes from.
    spread: String,
    /// Per-answer standard deviation in the margin's units.
    sd: f64,
    /// The same as `sd`, written inside the formula (e.g. `100 · √1`).
    sd_text: String,
    /// Responses without the finite population correction.
    n: u64,
    /// With `--population`: N and the corrected count.
    corrected: Option<(u64, u64)>,
}

/// Runs `cxm plan-sample`; returns 2 after printing a usage error.
pub fn plan_sample(args: &PlanSampleArgs) -> anyhow::Result<i32> {
    let plan = match plan(args) {
        Ok(plan) => plan,
        Err(Usage(message)) => {
            eprintln!("error: {message}");
            return Ok(2);
        }
    };
    let mut out = std::io::stdout().lock();
    write_plan(&mut out, &plan, args)?;
    Ok(0)
}

/// Validates the options and computes the counts.
fn plan(args: &PlanSampleArgs) -> Result<Plan, Usage> {
    let level = args.confidence;
    if !(level > 0.0 && level < 1.0) {
        return usage(format!(
            "--confidence must be a fraction between 0 and 1, e.g. 0.95 (got {level})"
        ));
    }
    let margin = args.margin;
    if !(margin > 0.0 && margin.is_finite()) {
        return usage(format!("--margin must be greater than 0 (got {margin})"));
    }
    if args.population == Some(0) {
        return usage("--population must be at least 1");
    }
    match args.metric {
        PlanMetric::Nps => plan_nps(args),
        PlanMetric::Csat | PlanMetric::Proportion => plan_proportion(args),
        PlanMetric::Ces | PlanMetric::Mean => plan_mean(args),
    }
}

/// Rejects options that belong to other metrics.
fn reject_options(args: &PlanSampleArgs, names: &[&str], hint: &str) -> Result<(), Usage> {
    for &name in names {
        let given = match name {
            "--promoters" => args.promoters.is_some(),
            "--detractors" => args.detractors.is_some(),
            "--expected" => args.expected.is_some(),
            "--sd" => args.sd.is_some(),
            _ => false,
        };
        if given {
            return usage(format!(
                "{name} does not apply to --metric {}: {hint}",
                metric_name(args.metric)
            ));
        }
    }
    Ok(())
}

fn metric_name(metric: PlanMetric) -> &'static str {
    match metric {
        PlanMetric::Nps => "nps",
        PlanMetric::Csat => "csat",
        PlanMetric::Ces => "ces",
        PlanMetric::Proportion => "proportion",
        PlanMetric::Mean => "mean",
    }
}

/// Parses an expected share given as a percentage, 0-100 (`45`, `45%`). A value between 0
/// and 1 without `%` is refused: it may be a fraction (0.45 for 45%) or mean less than one
/// percent, and a wrong guess changes the count a lot.
fn percentage(name: &str, text: &str) -> Result<f64, Usage> {
    let written = text.trim();
    let (number, has_sign) = match written.strip_suffix('%') {
        Some(number) => (number.trim_end(), true),
        None => (written, false),
    };
    let value = match number.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => v,
        _ => {
            return usage(format!(
                "{name} must be a percentage between 0 and 100, e.g. 45 for 45% (got {text})"
            ))
        }
    };
    if !has_sign && value > 0.0 && value <= 1.0 {
        let pct = short(100.0 * value);
        return usage(format!(
            "{name} {written} is ambiguous: shares are percentages (0-100), so it would mean {written}%, not {pct}%; write {name} {pct} for {pct}%, or {name} {written}% if you mean {written}%"
        ));
    }
    Ok(value)
}

fn plan_nps(args: &PlanSampleArgs) -> Result<Plan, Usage> {
    reject_options(
        args,
        &["--expected", "--sd"],
        "for nps give the expected shares with --promoters and --detractors",
    )?;
    let (p, d, expected) = match (&args.promoters, &args.detractors) {
        (None, None) => (0.5, 0.5, false),
        (Some(p), Some(d)) => {
            let (p, d) = (percentage("--promoters", p)?, percentage("--detractors", d)?);
            if p + d > 100.0 {
                return usage(format!(
                    "--promoters {} and --detractors {} sum to {}%: the two shares cannot exceed 100%",
                    short(p),
                    short(d),
                    short(p + d)
                ));
            }
            (p / 100.0, d / 100.0, true)
        }
        _ => {
            return usage(
                "--promoters and --detractors go together: give both expected shares or neither (worst case)",
            )
        }
    };
    if args.margin > 200.0 {
        return usage(format!(
            "--margin {} is wider than the whole NPS scale (at most 200 points)",
            short(args.margin)
        ));
    }
    let variance = (p + d - (p - d) * (p - d)).max(0.0);
    let shares = expected.then_some((p, d));
    let n = cxm_stats::sample_size_nps(
        args.margin,
        args.confidence,
        shares.map(|s| s.0),
        shares.map(|s| s.1),
        None,
    );
    let corrected = correct(args, |population| {
        cxm_stats::sample_size_nps(
            args.margin,
            args.confidence,
            shares.map(|s| s.0),
            shares.map(|s| s.1),
            Some(population),
        )
    })?;
    let spread = if expected {
        format!(
            "p = {} promoters, d = {} detractors (expected): variance per answer {}",
            short(p),
            short(d),
            short(variance)
        )
    } else {
        "p = 0.5 promoters, d = 0.5 detractors: variance per answer 1, the worst case (pass --promoters and --detractors as percentages, e.g. a previous run's promoters_pct and detractors_pct, to plan for fewer)".to_string()
    };
    Ok(Plan {
        subject: format!("NPS ±{} points", short(args.margin)),
        assumption: format!(
            "{}: {}% promoters, {}% detractors",
            if expected { "expected" } else { "worst case" },
            short(100.0 * p),
            short(100.0 * d)
        ),
        formula: "n = (z · 100 · √(p + d − (p − d)²) / margin)², rounded up (p, d: promoter and detractor shares)",
        spread,
        sd: 100.0 * variance.sqrt(),
        sd_text: format!("100 · √{}", short(variance)),
        n: required(n)?,
        corrected,
    })
}

fn plan_proportion(args: &PlanSampleArgs) -> Result<Plan, Usage> {
    reject_options(
        args,
        &["--promoters", "--detractors", "--sd"],
        "give the expected percentage with --expected",
    )?;
    let csat = args.metric == PlanMetric::Csat;
    if args.margin > 100.0 {
        return usage(format!(
            "--margin {} is wider than the whole percentage scale (at most 100 points)",
            short(args.margin)
        ));
    }
    let pct = args
        .expected
        .as_deref()
        .map(|text| percentage("--expected", text))
        .transpose()?;
    let p = pct.map_or(0.5, |pct| pct / 100.0);
    let n = cxm_stats::sample_size_proportion(args.margin, args.confidence, pct, None);
    let corrected = correct(args, |population| {
        cxm_stats::sample_size_proportion(args.margin, args.confidence, pct, Some(population))
    })?;
    let what = if csat { " satisfied" } else { "" };
    let spread = match pct {
        Some(_) => format!("p = {}{what} (expected): variance per answer p(1 − p) = {}", short(p), short(p * (1.0 - p))),
        None => format!("p = 0.5{what}: variance per answer 0.25, the worst case (pass --expected PCT to plan for fewer)"),
    };
    Ok(Plan {
        subject: format!(
            "{} ±{} points",
            if csat { "CSAT" } else { "a percentage" },
            short(args.margin)
        ),
        assumption: format!(
            "{}: {}%{what}",
            if pct.is_some() {
                "expected"
            } else {
                "worst case"
            },
            short(100.0 * p)
        ),
        formula: "n = (z · 100 · √(p(1 − p)) / margin)², rounded up (p: the expected share)",
        spread,
        sd: 100.0 * (p * (1.0 - p)).sqrt(),
        sd_text: format!("100 · √{}", short(p * (1.0 - p))),
        n: required(n)?,
        corrected,
    })
}

fn plan_mean(args: &PlanSampleArgs) -> Result<Plan, Usage> {
    let name = metric_name(args.metric);
    reject_options(
        args,
        &["--promoters", "--detractors", "--expected"],
        "give the standard deviation of one answer with --sd",
    )?;
    let Some(sd) = args.sd else {
        return usage(format!(
            "--sd is required for --metric {name}: the standard deviation of one answer, from a previous run (the square root of basis.variance in `cxm run CONFIG --format json`) or a pilot survey"
        ));
    };
    if !(sd > 0.0 && sd.is_finite()) {
        return usage(format!("--sd must be greater than 0 (got {sd})"));
    }
    let n = cxm_stats::sample_size_mean(args.margin, args.confidence, sd, None);
    let corrected = correct(args, |population| {
        cxm_stats::sample_size_mean(args.margin, args.confidence, sd, Some(population))
    })?;
    Ok(Plan {
        subject: format!("{} ±{}", if name == "ces" { "CES" } else { "a mean" }, short(args.margin)),
        assumption: format!("standard deviation {}", short(sd)),
        formula: "n = (z · sd / margin)², rounded up (sd: standard deviation of one answer; normal approximation)",
        spread: format!("sd = {} per answer, as given", short(sd)),
        sd,
        sd_text: short(sd),
        n: required(n)?,
        corrected,
    })
}

/// The corrected count when `--population` is given.
fn correct(
    args: &PlanSampleArgs,
    compute: impl Fn(u64) -> Option<u64>,
) -> Result<Option<(u64, u64)>, Usage> {
    args.population
        .map(|population| Ok((population, required(compute(population))?)))
        .transpose()
}

/// A count the options validated above always define.
fn required(n: Option<u64>) -> Result<u64, Usage> {
    n.map_or_else(|| usage("these options do not define a sample size"), Ok)
}

fn write_plan(out: &mut impl Write, plan: &Plan, args: &PlanSampleArgs) -> std::io::Result<()> {
    let level = short(100.0 * args.confidence);
    let z = cxm_stats::z_for_confidence(args.confidence).unwrap_or(f64::NAN);
    write!(
        out,
        "Responses needed for {} at {level}% confidence: {} ({}).",
        plan.subject,
        grouped(plan.n),
        plan.assumption
    )?;
    if let Some((population, n)) = plan.corrected {
        write!(
            out,
            " With a population of {}: {}.",
            grouped(population),
            grouped(n)
        )?;
    }
    writeln!(out)?;
    writeln!(out)?;
    let n0 = (z * plan.sd / args.margin).powi(2);
    writeln!(out, "  formula     {}", plan.formula)?;
    writeln!(out, "  z           {z:.6} (two-sided, {level}% confidence)")?;
    writeln!(out, "  assumption  {}", plan.spread)?;
    writeln!(
        out,
        "  n           ({z:.6} · {} / {})² = {} → {}",
        plan.sd_text,
        short(args.margin),
        fixed2(n0),
        grouped(plan.n)
    )?;
    match plan.corrected {
        Some((population, n)) => writeln!(
            out,
            "  population  n / (1 + (n − 1) / N) with N = {}: {} → {}",
            grouped(population),
            fixed2(n0 / (1.0 + (n0 - 1.0) / population as f64)),
            grouped(n)
        )?,
        None => writeln!(
            out,
            "  population  not given; add --population N when the customers who could answer are few (finite population correction)"
        )?,
    }
    writeln!(
        out,
        "Counts are of valid responses: invite about n ÷ the expected response rate."
    )
}

/// A number without trailing zeros, at most 6 decimals: 5 → `5`, 0.45 → `0.45`.
fn short(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// An integer with thousands separators: 1537 → `1,537`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative number with two decimals and thousands separators: `1,536.58`.
fn fixed2(x: f64) -> String {
    let text = format!("{x:.2}");
    match text.split_once('.') {
        Some((whole, fraction)) => match whole.parse::<u64>() {
            Ok(whole) => format!("{}.{fraction}", grouped(whole)),
            Err(_) => text.clone(),
        },
        None => text,
    }
}
