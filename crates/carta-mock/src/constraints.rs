//! What CHECK constraints say about each column, read off the expression
//! tree: bounds from comparisons with constants, BETWEEN, value lists,
//! lengths, NOT NULL, orderings between columns and conditional NULLs.
//! What is not recognised here is still evaluated on sample rows by `plan()`.

use crate::expr::{conjuncts, Cmp, Expr, Lit};
use crate::time::parse_timestamp;
use std::collections::BTreeMap;

/// A bound and whether it is inclusive.
pub(crate) type Bound<T> = Option<(T, bool)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Facts {
    pub min: Bound<f64>,
    pub max: Bound<f64>,
    /// Microseconds since the epoch.
    pub min_time: Bound<i64>,
    pub max_time: Bound<i64>,
    pub allowed: Option<Vec<Lit>>,
    pub min_len: Option<u32>,
    pub max_len: Option<u32>,
    pub not_null: bool,
    /// This column is at least (or, when strict, above) that column.
    pub after: Option<(String, bool)>,
    /// NULL unless the condition holds; `exact`: never NULL when it holds.
    pub present_when: Option<(Expr, bool)>,
    /// `json_valid(column)`: the column holds JSON text.
    pub json: bool,
}

/// Facts per column name from the parsed CHECK expressions of one table.
pub(crate) fn facts(checks: &[Expr]) -> BTreeMap<String, Facts> {
    let mut out = BTreeMap::new();
    for check in checks {
        for term in conjuncts(check) {
            apply(term, &mut out);
        }
    }
    out
}

fn apply(term: &Expr, out: &mut BTreeMap<String, Facts>) {
    match term {
        Expr::Compare(op, a, b) => compare(*op, a, b, out),
        Expr::Between(x, low, high, false) => {
            if let (Some(column), Some(low), Some(high)) =
                (x.column(), low.constant(), high.constant())
            {
                bound(out, column, Cmp::Ge, &low);
                bound(out, column, Cmp::Le, &high);
            }
        }
        Expr::InList(x, items, false) => allowed(out, x, items),
        Expr::Quantified {
            expr,
            op: Cmp::Eq,
            array,
            all: false,
        } => {
            if let Expr::Array(items) = array.uncast() {
                allowed(out, expr, items);
            }
        }
        Expr::IsNull(x, true) => {
            if let Some(column) = x.column() {
                out.entry(column.to_string()).or_default().not_null = true;
            }
        }
        Expr::Column(column) => {
            out.entry(column.clone()).or_default().allowed = Some(vec![Lit::Bool(true)]);
        }
        Expr::Not(inner) => {
            if let Expr::Column(column) = inner.uncast() {
                out.entry(column.clone()).or_default().allowed = Some(vec![Lit::Bool(false)]);
            }
        }
        Expr::Func(name, args) if name == "json_valid" => {
            if let [arg] = args.as_slice() {
                if let Some(column) = arg.column() {
                    out.entry(column.to_string()).or_default().json = true;
                }
            }
        }
        Expr::Or(terms) => or(terms, out),
        _ => {}
    }
}

fn or(terms: &[Expr], out: &mut BTreeMap<String, Facts>) {
    // (a IS NOT NULL) OR (b IS NOT NULL): a is never NULL.
    let not_nulls: Vec<&str> = terms
        .iter()
        .filter_map(|t| match t {
            Expr::IsNull(x, true) => x.column(),
            _ => None,
        })
        .collect();
    if not_nulls.len() == terms.len() {
        out.entry(not_nulls[0].to_string()).or_default().not_null = true;
        return;
    }
    // (x IS NULL) OR rest: rest holds whenever x is set.
    let Some((position, column)) = terms.iter().enumerate().find_map(|(i, t)| match t {
        Expr::IsNull(x, false) => x.column().map(|c| (i, c.to_string())),
        _ => None,
    }) else {
        return;
    };
    let rest: Vec<Expr> = terms
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != position)
        .map(|(_, t)| t.clone())
        .collect();
    let [rest] = rest.as_slice() else {
        return;
    };
    let mut read = Vec::new();
    rest.columns(&mut read);
    if read.contains(&column) {
        for term in conjuncts(rest) {
            apply(term, out);
        }
    } else {
        out.entry(column).or_default().present_when = Some((rest.clone(), false));
    }
}

fn compare(op: Cmp, a: &Expr, b: &Expr, out: &mut BTreeMap<String, Facts>) {
    // (P) = (x IS NOT NULL): x is set exactly when P holds.
    if op == Cmp::Eq {
        for (condition, test) in [(a, b), (b, a)] {
            if let Expr::IsNull(x, negated) = test {
                if let Some(column) = x.column() {
                    let condition = if *negated {
                        condition.clone()
                    } else {
                        Expr::Not(Box::new(condition.clone()))
                    };
                    out.entry(column.to_string()).or_default().present_when =
                        Some((condition, true));
                    return;
                }
            }
        }
    }
    if let (Some(column), Some(constant)) = (a.column(), b.constant()) {
        bound(out, column, op, &constant);
    } else if let (Some(column), Some(constant)) = (b.column(), a.constant()) {
        bound(out, column, op.flipped(), &constant);
    } else if let (Some(x), Some(y)) = (a.column(), b.column()) {
        match op {
            Cmp::Ge | Cmp::Gt => after(out, x, y, op == Cmp::Gt),
            Cmp::Le | Cmp::Lt => after(out, y, x, op == Cmp::Lt),
            _ => {}
        }
    } else if let (Some(column), Some(Lit::Num(n))) = (length_of(a), b.constant()) {
        length(out, column, op, n);
    } else if let (Some(column), Some(Lit::Num(n))) = (length_of(b), a.constant()) {
        length(out, column, op.flipped(), n);
    }
}

fn length_of(expr: &Expr) -> Option<&str> {
    match expr.uncast() {
        Expr::Func(name, args)
            if matches!(name.as_str(), "length" | "char_length" | "character_length") =>
        {
            match args.as_slice() {
                [arg] => arg.column().or_else(|| match arg.uncast() {
                    Expr::Func(inner, inner_args) if matches!(inner.as_str(), "btrim" | "trim") => {
                        inner_args.first().and_then(Expr::column)
                    }
                    _ => None,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

fn after(out: &mut BTreeMap<String, Facts>, later: &str, earlier: &str, strict: bool) {
    let facts = out.entry(later.to_string()).or_default();
    if facts.after.is_none() {
        facts.after = Some((earlier.to_string(), strict));
    }
}

fn length(out: &mut BTreeMap<String, Facts>, column: &str, op: Cmp, n: f64) {
    let facts = out.entry(column.to_string()).or_default();
    let n = n.max(0.0) as u32;
    let tighten_min = |current: Option<u32>, v: u32| Some(current.map_or(v, |c| c.max(v)));
    let tighten_max = |current: Option<u32>, v: u32| Some(current.map_or(v, |c| c.min(v)));
    match op {
        Cmp::Gt => facts.min_len = tighten_min(facts.min_len, n + 1),
        Cmp::Ge => facts.min_len = tighten_min(facts.min_len, n),
        Cmp::Lt => facts.max_len = tighten_max(facts.max_len, n.saturating_sub(1)),
        Cmp::Le => facts.max_len = tighten_max(facts.max_len, n),
        Cmp::Eq => {
            facts.min_len = tighten_min(facts.min_len, n);
            facts.max_len = tighten_max(facts.max_len, n);
        }
        Cmp::Ne => {}
    }
}

fn allowed(out: &mut BTreeMap<String, Facts>, x: &Expr, items: &[Expr]) {
    let Some(column) = x.column() else {
        return;
    };
    let Some(values) = items
        .iter()
        .map(Expr::constant)
        .collect::<Option<Vec<Lit>>>()
    else {
        return;
    };
    let facts = out.entry(column.to_string()).or_default();
    facts.allowed = Some(match facts.allowed.take() {
        Some(previous) => previous
            .into_iter()
            .filter(|v| values.contains(v))
            .collect(),
        None => values,
    });
}

fn bound(out: &mut BTreeMap<String, Facts>, column: &str, op: Cmp, constant: &Lit) {
    let facts = out.entry(column.to_string()).or_default();
    match constant {
        Lit::Num(n) => match op {
            Cmp::Gt | Cmp::Ge => facts.min = tighter(facts.min, (*n, op == Cmp::Ge), true),
            Cmp::Lt | Cmp::Le => facts.max = tighter(facts.max, (*n, op == Cmp::Le), false),
            Cmp::Eq => {
                facts.allowed = Some(vec![constant.clone()]);
            }
            Cmp::Ne => {}
        },
        Lit::Str(text) => match (op, parse_timestamp(text)) {
            (Cmp::Gt | Cmp::Ge, Some(t)) => {
                facts.min_time = tighter(facts.min_time, (t, op == Cmp::Ge), true)
            }
            (Cmp::Lt | Cmp::Le, Some(t)) => {
                facts.max_time = tighter(facts.max_time, (t, op == Cmp::Le), false)
            }
            (Cmp::Eq, _) => facts.allowed = Some(vec![constant.clone()]),
            _ => {}
        },
        Lit::Bool(_) if op == Cmp::Eq => facts.allowed = Some(vec![constant.clone()]),
        _ => {}
    }
}

fn tighter<T: PartialOrd + Copy>(current: Bound<T>, new: (T, bool), lower: bool) -> Bound<T> {
    match current {
        Some(old) if (lower && old.0 > new.0) || (!lower && old.0 < new.0) => Some(old),
        _ => Some(new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;

    fn of(checks: &[&str]) -> BTreeMap<String, Facts> {
        facts(
            &checks
                .iter()
                .map(|c| parse(c, None).unwrap())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn bounds_from_comparisons_and_between() {
        let f = of(&[
            "((score >= 1) AND (score <= 5))",
            "(price > (0)::numeric)",
            "(rating BETWEEN 2 AND 4)",
        ]);
        assert_eq!(f["score"].min, Some((1.0, true)));
        assert_eq!(f["score"].max, Some((5.0, true)));
        assert_eq!(f["price"].min, Some((0.0, false)));
        assert_eq!(f["rating"].min, Some((2.0, true)));
        assert_eq!(f["rating"].max, Some((4.0, true)));
        let f = of(&["(0 < qty)"]);
        assert_eq!(f["qty"].min, Some((0.0, false)));
    }

    #[test]
    fn value_lists_from_in_and_any_array() {
        let f = of(&[
            "(status = ANY (ARRAY['a'::text, 'b'::text]))",
            "(`kind` in (_utf8mb4'x',_utf8mb4'y'))",
            "(level IN (1, 2, 3))",
        ]);
        assert_eq!(
            f["status"].allowed,
            Some(vec![Lit::Str("a".into()), Lit::Str("b".into())])
        );
        assert_eq!(
            f["kind"].allowed,
            Some(vec![Lit::Str("x".into()), Lit::Str("y".into())])
        );
        assert_eq!(f["level"].allowed.as_ref().map(Vec::len), Some(3));
    }

    #[test]
    fn json_valid_marks_a_json_column() {
        let f = of(&["json_valid(credentials)", "(JSON_VALID(`properties`))"]);
        assert!(f["credentials"].json);
        assert!(f["properties"].json);
        assert!(!of(&["(length(name) > 0)"])["name"].json);
    }

    #[test]
    fn lengths_orderings_and_nulls() {
        let f = of(&[
            "(char_length(name) <= 50)",
            "(length(code) > 3)",
            "(updated_at >= created_at)",
            "((ends_at IS NULL) OR (ends_at > starts_at))",
            "((rating IS NOT NULL) OR (comment IS NOT NULL))",
            "(is_fk OR (fk_table_id IS NULL))",
            "((status = 'completed'::text) = (completed_at IS NOT NULL))",
        ]);
        assert_eq!(f["name"].max_len, Some(50));
        assert_eq!(f["code"].min_len, Some(4));
        assert_eq!(f["updated_at"].after, Some(("created_at".into(), false)));
        assert_eq!(f["ends_at"].after, Some(("starts_at".into(), true)));
        assert!(f["rating"].not_null);
        assert_eq!(
            f["fk_table_id"].present_when,
            Some((Expr::Column("is_fk".into()), false))
        );
        assert!(matches!(f["completed_at"].present_when, Some((_, true))));
    }

    #[test]
    fn time_bounds_from_literals() {
        let f = of(&["(d >= '2020-01-01'::date)"]);
        assert_eq!(
            f["d"].min_time,
            Some((parse_timestamp("2020-01-01").unwrap(), true))
        );
    }
}
