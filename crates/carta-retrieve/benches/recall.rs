//! Recall of the needed tables, context size and speed of schema retrieval
//! on the question set of `tests/questions.toml`, for the seed systems and
//! the 1,000-table synthetic schema, at three token budgets, beside the
//! table-name keyword baseline. Prints a Markdown table:
//!
//!     cargo bench -p carta-retrieve

#[path = "../tests/support/mod.rs"]
mod support;

use carta_retrieve::{RetrieveOptions, SchemaIndex};
use std::time::{Duration, Instant};
use support::{Case, System};

/// Each question is retrieved this many times for the latency percentiles.
const REPEATS: usize = 20;
/// 500 and 1000 show what happens when the budget binds; the three goals are 2000, 4000, 8000.
const BUDGETS: [usize; 5] = [500, 1000, 2000, 4000, 8000];

fn main() {
    let cases = support::cases();
    let seeds = support::seeds();
    let synthetic = vec![support::synthetic()];
    println!("| schema | budget | questions | recall | held-out recall | baseline recall | mean tables | baseline mean tables | mean tokens | index build | p50 | p95 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (label, systems) in [
        ("seeds (5 systems)", &seeds),
        ("synthetic, 1,000 tables", &synthetic),
    ] {
        let (indexes, build) = build(systems);
        let asked: Vec<(&Case, &System, &SchemaIndex)> = cases
            .iter()
            .filter_map(|c| {
                let at = systems.iter().position(|s| s.name == c.system)?;
                Some((c, &systems[at], &indexes[at]))
            })
            .collect();
        for budget in BUDGETS {
            let options = RetrieveOptions {
                token_budget: budget,
                ..RetrieveOptions::default()
            };
            let m = measure(&asked, &options);
            println!(
                "| {label} | {budget} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {:.1} | {:.0} | {} | {} | {} |",
                asked.len(),
                m.recall,
                m.held_out_recall,
                m.baseline_recall,
                m.mean_tables,
                m.baseline_mean_tables,
                m.mean_tokens,
                millis(build),
                millis(m.p50),
                millis(m.p95),
            );
        }
    }
}

/// The indexes of `systems` and the time the slowest took to build.
fn build(systems: &[System]) -> (Vec<SchemaIndex>, Duration) {
    let mut slowest = Duration::ZERO;
    let indexes = systems
        .iter()
        .map(|s| {
            let start = Instant::now();
            let index = SchemaIndex::build(&s.catalog, &s.graph, &[]).expect("index builds");
            slowest = slowest.max(start.elapsed());
            index
        })
        .collect();
    (indexes, slowest)
}

struct Measured {
    recall: f64,
    /// On the questions written after the scoring was settled.
    held_out_recall: f64,
    baseline_recall: f64,
    mean_tables: f64,
    baseline_mean_tables: f64,
    mean_tokens: f64,
    p50: Duration,
    p95: Duration,
}

fn measure(asked: &[(&Case, &System, &SchemaIndex)], options: &RetrieveOptions) -> Measured {
    let (mut expected, mut hit, mut baseline_hit) = (0, 0, 0);
    let (mut held_out_expected, mut held_out_hit) = (0, 0);
    let (mut tables, mut baseline_tables, mut tokens) = (0, 0, 0);
    let mut latencies = Vec::new();
    for &(case, system, index) in asked {
        let mut retrieval = None;
        for _ in 0..REPEATS {
            let start = Instant::now();
            retrieval = Some(index.retrieve(&case.question, options).expect("retrieval"));
            latencies.push(start.elapsed());
        }
        let retrieval = retrieval.expect("at least one repeat");
        let baseline = support::baseline(&system.catalog, &case.question);
        let found = case.tables.len() - support::misses(case, &support::found(&retrieval)).len();
        expected += case.tables.len();
        hit += found;
        if case.held_out {
            held_out_expected += case.tables.len();
            held_out_hit += found;
        }
        baseline_hit += case.tables.len() - support::misses(case, &baseline).len();
        tables += retrieval.tables.len();
        baseline_tables += baseline.len();
        tokens += retrieval.tokens;
    }
    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() - 1) * p / 100];
    let n = asked.len() as f64;
    Measured {
        recall: hit as f64 / expected as f64,
        held_out_recall: held_out_hit as f64 / held_out_expected as f64,
        baseline_recall: baseline_hit as f64 / expected as f64,
        mean_tables: tables as f64 / n,
        baseline_mean_tables: baseline_tables as f64 / n,
        mean_tokens: tokens as f64 / n,
        p50: percentile(50),
        p95: percentile(95),
    }
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
