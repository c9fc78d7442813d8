//! Canonical spelling of PostgreSQL expressions (defaults, CHECKs, index
//! expressions and predicates, policies, generated columns, view queries),
//! so that an expression read from a DDL file and the same expression
//! printed back by the server compare equal.
//!
//! The server prints what it stored after parse analysis: implicit casts
//! made explicit (`'x'::character varying`, `(status)::text`), `IN` lists
//! as `= ANY (ARRAY[...])`, `BETWEEN` expanded, `LIKE` as `~~`, columns
//! qualified in views. A DDL file says what its author typed. Both go
//! through [`expression`]: parse with the real grammar, rewrite those
//! differences away, deparse. `docs/catalog-format-normalizations.md`
//! lists every rewrite.

use pg_query::protobuf::{
    a_const, AArrayExpr, AConst, AExpr, AExprKind, BoolExpr, BoolExprType, CoercionForm, Float,
    Integer, LimitOption, List, Node, SelectStmt, SetOperation, SubLinkType, TypeName,
};
use pg_query::NodeEnum;

/// The canonical text of one SQL expression, or of one `SELECT` query (a
/// view definition). Text that does not parse is returned trimmed.
pub fn expression(sql: &str) -> String {
    let sql = sql.trim();
    canonical_expression(sql)
        .or_else(|| canonical_query(sql))
        .unwrap_or_else(|| sql.to_string())
}

/// The canonical text of an expression already parsed, e.g. a column
/// default taken from a DDL statement's tree.
pub(crate) fn node(node: &Node) -> Option<String> {
    let mut node = node.clone();
    rewrite(&mut node);
    deparse_expression(node)
}

fn canonical_expression(sql: &str) -> Option<String> {
    let parsed = crate::parser::parse(&format!("SELECT {sql}")).ok()?;
    let select = single_select(parsed.protobuf)?;
    let SelectStmt {
        target_list,
        from_clause,
        where_clause,
        group_clause,
        having_clause,
        sort_clause,
        limit_count,
        limit_offset,
        with_clause,
        larg,
        values_lists,
        distinct_clause,
        into_clause,
        window_clause,
        locking_clause,
        ..
    } = *select;
    let plain = from_clause.is_empty()
        && where_clause.is_none()
        && group_clause.is_empty()
        && having_clause.is_none()
        && sort_clause.is_empty()
        && limit_count.is_none()
        && limit_offset.is_none()
        && with_clause.is_none()
        && larg.is_none()
        && values_lists.is_empty()
        && distinct_clause.is_empty()
        && into_clause.is_none()
        && window_clause.is_empty()
        && locking_clause.is_empty();
    let [target] = <[Node; 1]>::try_from(target_list).ok()?;
    let Some(NodeEnum::ResTarget(target)) = target.node else {
        return None;
    };
    if !plain || !target.name.is_empty() {
        return None;
    }
    let mut value = *target.val?;
    rewrite(&mut value);
    deparse_expression(value)
}

/// Deparses `SELECT <expr>` and cuts the `SELECT ` off again.
fn deparse_expression(value: Node) -> Option<String> {
    let select = SelectStmt {
        target_list: vec![node_of(NodeEnum::ResTarget(Box::new(
            pg_query::protobuf::ResTarget {
                val: Some(Box::new(value)),
                ..Default::default()
            },
        )))],
        // The deparser maps these enums to C values and rejects the unset 0.
        op: SetOperation::SetopNone as i32,
        limit_option: LimitOption::Default as i32,
        ..Default::default()
    };
    let text = NodeEnum::SelectStmt(Box::new(select))
        .deparse(Default::default())
        .ok()?;
    text.strip_prefix("SELECT ").map(str::to_string)
}

fn canonical_query(sql: &str) -> Option<String> {
    let parsed = crate::parser::parse(sql).ok()?;
    let mut select = single_select(parsed.protobuf)?;
    query(&mut select);
    NodeEnum::SelectStmt(select)
        .deparse(Default::default())
        .ok()
}

/// Canonicalizes a parsed `SELECT` (a view query) in place.
pub(crate) fn query(select: &mut SelectStmt) {
    let mut node = node_of(NodeEnum::SelectStmt(Box::new(std::mem::take(select))));
    rewrite(&mut node);
    if let Some(NodeEnum::SelectStmt(rewritten)) = node.node {
        *select = *rewritten;
    }
}

fn single_select(parsed: pg_query::protobuf::ParseResult) -> Option<Box<SelectStmt>> {
    let [raw] = <[_; 1]>::try_from(parsed.stmts).ok()?;
    match raw.stmt?.node? {
        NodeEnum::SelectStmt(select) => Some(select),
        _ => None,
    }
}

pub(crate) fn node_of(node: NodeEnum) -> Node {
    Node { node: Some(node) }
}

/// Applies every rewrite to `node` and everything below it.
fn rewrite(node: &mut Node) {
    rewrite_array_literal_operand(node);
    for child in children(node) {
        rewrite(child);
    }
    if let Some(NodeEnum::SelectStmt(select)) = &mut node.node {
        simplify_select(select);
    }
    if let Some(replacement) = rewritten(node) {
        *node = replacement;
    }
}

/// The direct children of the expression and query nodes canonicalization
/// looks into. Other node kinds are left exactly as parsed.
pub(crate) fn children(node: &mut Node) -> Vec<&mut Node> {
    let mut out: Vec<&mut Node> = Vec::new();
    let Some(inner) = node.node.as_mut() else {
        return out;
    };
    match inner {
        NodeEnum::AExpr(e) => out.extend(
            e.lexpr
                .as_deref_mut()
                .into_iter()
                .chain(e.rexpr.as_deref_mut()),
        ),
        NodeEnum::BoolExpr(e) => out.extend(e.args.iter_mut()),
        NodeEnum::TypeCast(e) => out.extend(e.arg.as_deref_mut()),
        NodeEnum::FuncCall(e) => {
            out.extend(e.args.iter_mut());
            out.extend(e.agg_order.iter_mut());
            out.extend(e.agg_filter.as_deref_mut());
            if let Some(over) = e.over.as_deref_mut() {
                out.extend(over.partition_clause.iter_mut());
                out.extend(over.order_clause.iter_mut());
            }
        }
        NodeEnum::List(l) => out.extend(l.items.iter_mut()),
        NodeEnum::AArrayExpr(a) => out.extend(a.elements.iter_mut()),
        NodeEnum::CaseExpr(c) => {
            out.extend(c.arg.as_deref_mut());
            out.extend(c.args.iter_mut());
            out.extend(c.defresult.as_deref_mut());
        }
        NodeEnum::CaseWhen(w) => out.extend(
            w.expr
                .as_deref_mut()
                .into_iter()
                .chain(w.result.as_deref_mut()),
        ),
        NodeEnum::CoalesceExpr(c) => out.extend(c.args.iter_mut()),
        NodeEnum::MinMaxExpr(m) => out.extend(m.args.iter_mut()),
        NodeEnum::NullTest(n) => out.extend(n.arg.as_deref_mut()),
        NodeEnum::BooleanTest(b) => out.extend(b.arg.as_deref_mut()),
        NodeEnum::RowExpr(r) => out.extend(r.args.iter_mut()),
        NodeEnum::AIndirection(i) => out.extend(i.arg.as_deref_mut()),
        NodeEnum::NamedArgExpr(n) => out.extend(n.arg.as_deref_mut()),
        NodeEnum::CollateClause(c) => out.extend(c.arg.as_deref_mut()),
        NodeEnum::SubLink(s) => out.extend(
            s.testexpr
                .as_deref_mut()
                .into_iter()
                .chain(s.subselect.as_deref_mut()),
        ),
        NodeEnum::ResTarget(r) => out.extend(r.val.as_deref_mut()),
        NodeEnum::SortBy(s) => out.extend(s.node.as_deref_mut()),
        NodeEnum::GroupingSet(g) => out.extend(g.content.iter_mut()),
        NodeEnum::RangeSubselect(r) => out.extend(r.subquery.as_deref_mut()),
        NodeEnum::RangeFunction(r) => out.extend(r.functions.iter_mut()),
        NodeEnum::JoinExpr(j) => {
            out.extend(j.larg.as_deref_mut());
            out.extend(j.rarg.as_deref_mut());
            out.extend(j.quals.as_deref_mut());
        }
        NodeEnum::CommonTableExpr(c) => out.extend(c.ctequery.as_deref_mut()),
        NodeEnum::SelectStmt(s) => {
            out.extend(s.target_list.iter_mut());
            out.extend(s.from_clause.iter_mut());
            out.extend(s.where_clause.as_deref_mut());
            out.extend(s.group_clause.iter_mut());
            out.extend(s.having_clause.as_deref_mut());
            out.extend(s.sort_clause.iter_mut());
            out.extend(s.distinct_clause.iter_mut());
            out.extend(s.values_lists.iter_mut());
            out.extend(s.limit_count.as_deref_mut());
            out.extend(s.limit_offset.as_deref_mut());
            if let Some(with) = s.with_clause.as_mut() {
                out.extend(with.ctes.iter_mut());
            }
            // Set operations keep their branches as bare SelectStmts.
            for branch in [s.larg.as_deref_mut(), s.rarg.as_deref_mut()]
                .into_iter()
                .flatten()
            {
                for child in [
                    &mut branch.target_list,
                    &mut branch.from_clause,
                    &mut branch.group_clause,
                    &mut branch.sort_clause,
                ] {
                    out.extend(child.iter_mut());
                }
                out.extend(branch.where_clause.as_deref_mut());
                out.extend(branch.having_clause.as_deref_mut());
            }
        }
        _ => {}
    }
    out
}

/// The server stores constant arrays compared with `= ANY` as one array
/// literal (`'{a,b}'::text[]`) in index predicates; spell it as the
/// `ARRAY[...]` the `IN` list became, before casts are dropped.
fn rewrite_array_literal_operand(node: &mut Node) {
    let Some(NodeEnum::AExpr(e)) = node.node.as_mut() else {
        return;
    };
    if !matches!(e.kind(), AExprKind::AexprOpAny | AExprKind::AexprOpAll) {
        return;
    }
    let Some(Node {
        node: Some(NodeEnum::TypeCast(cast)),
    }) = e.rexpr.as_deref()
    else {
        return;
    };
    let (Some(type_name), Some(literal)) = (
        cast.type_name.as_ref(),
        cast.arg.as_deref().and_then(string_constant),
    ) else {
        return;
    };
    if type_name.array_bounds.is_empty() {
        return;
    }
    let Some(items) = parse_array_literal(literal) else {
        return;
    };
    let numeric = is_numeric_type(type_name);
    let elements = items
        .into_iter()
        .map(|item| match item {
            Some(text) if numeric => number_constant(&text).unwrap_or_else(|| string_node(&text)),
            Some(text) => string_node(&text),
            None => null_node(),
        })
        .collect();
    e.rexpr = Some(Box::new(node_of(NodeEnum::AArrayExpr(AArrayExpr {
        elements,
        ..Default::default()
    }))));
}

/// The replacement of one node whose children are already canonical.
fn rewritten(node: &mut Node) -> Option<Node> {
    match node.node.as_mut()? {
        NodeEnum::TypeCast(cast) => {
            let arg = cast.arg.as_deref()?;
            match arg.node.as_ref()? {
                NodeEnum::AConst(_) => {
                    let numeric = cast.type_name.as_ref().is_some_and(is_numeric_type);
                    match string_constant(arg) {
                        Some(text) if numeric => {
                            number_constant(text).or_else(|| Some(arg.clone()))
                        }
                        _ => Some(arg.clone()),
                    }
                }
                NodeEnum::ColumnRef(_) | NodeEnum::AArrayExpr(_) => Some(arg.clone()),
                _ => {
                    if let Some(type_name) = cast.type_name.as_mut() {
                        canonical_type_name(type_name);
                    }
                    None
                }
            }
        }
        NodeEnum::AExpr(e) => rewritten_operator(e),
        NodeEnum::BoolExpr(b) => {
            flatten_bool(b);
            None
        }
        NodeEnum::FuncCall(call) => {
            if call.funcformat() != CoercionForm::CoerceSqlSyntax && call.funcname.len() == 2 {
                let schema = string_of(&call.funcname[0]);
                if matches!(schema, Some("public" | "pg_catalog")) {
                    call.funcname.remove(0);
                }
            }
            unqualify_sequence_argument(call);
            None
        }
        _ => None,
    }
}

/// `nextval('public.s')` names the same sequence as `nextval('s')`, which is
/// how the server prints a `regclass` on the search path.
fn unqualify_sequence_argument(call: &mut pg_query::protobuf::FuncCall) {
    let is_sequence_function = matches!(
        call.funcname.last().and_then(string_of),
        Some("nextval" | "currval" | "setval")
    );
    if !is_sequence_function {
        return;
    }
    if let Some(Node {
        node:
            Some(NodeEnum::AConst(AConst {
                val: Some(a_const::Val::Sval(name)),
                ..
            })),
    }) = call.args.first_mut()
    {
        if let Some(rest) = name.sval.strip_prefix("public.") {
            name.sval = rest.to_string();
        }
    }
}

fn rewritten_operator(e: &mut AExpr) -> Option<Node> {
    let operator = e
        .name
        .first()
        .and_then(string_of)
        .unwrap_or_default()
        .to_string();
    match e.kind() {
        AExprKind::AexprOpAny | AExprKind::AexprOpAll => {
            let in_list = matches!(
                (e.kind(), operator.as_str()),
                (AExprKind::AexprOpAny, "=") | (AExprKind::AexprOpAll, "<>")
            );
            let Some(NodeEnum::AArrayExpr(array)) =
                e.rexpr.as_deref().and_then(|r| r.node.as_ref())
            else {
                return None;
            };
            if !in_list || e.name.len() != 1 {
                return None;
            }
            let elements = array.elements.clone();
            e.kind = AExprKind::AexprIn as i32;
            e.rexpr = Some(Box::new(node_of(NodeEnum::List(List { items: elements }))));
            None
        }
        AExprKind::AexprOp => {
            let kind = match operator.as_str() {
                "~~" | "!~~" => AExprKind::AexprLike,
                "~~*" | "!~~*" => AExprKind::AexprIlike,
                _ => return None,
            };
            e.kind = kind as i32;
            None
        }
        AExprKind::AexprBetween | AExprKind::AexprNotBetween => {
            let negated = e.kind() == AExprKind::AexprNotBetween;
            let subject = e.lexpr.as_deref()?.clone();
            let Some(NodeEnum::List(bounds)) = e.rexpr.as_deref().and_then(|r| r.node.as_ref())
            else {
                return None;
            };
            let [low, high] = <[Node; 2]>::try_from(bounds.items.clone()).ok()?;
            let (low_op, high_op, joined) = if negated {
                ("<", ">", BoolExprType::OrExpr)
            } else {
                (">=", "<=", BoolExprType::AndExpr)
            };
            Some(node_of(NodeEnum::BoolExpr(Box::new(BoolExpr {
                boolop: joined as i32,
                args: vec![
                    binary(low_op, subject.clone(), low),
                    binary(high_op, subject, high),
                ],
                ..Default::default()
            }))))
        }
        _ => None,
    }
}

fn binary(operator: &str, left: Node, right: Node) -> Node {
    node_of(NodeEnum::AExpr(Box::new(AExpr {
        kind: AExprKind::AexprOp as i32,
        name: vec![string_node_raw(operator)],
        lexpr: Some(Box::new(left)),
        rexpr: Some(Box::new(right)),
        ..Default::default()
    })))
}

/// `a AND (b AND c)` is stored as one AND of three; so is its canonical form.
fn flatten_bool(b: &mut BoolExpr) {
    let op = b.boolop;
    if op == BoolExprType::NotExpr as i32 {
        return;
    }
    let mut args = Vec::with_capacity(b.args.len());
    for arg in std::mem::take(&mut b.args) {
        match arg.node {
            Some(NodeEnum::BoolExpr(inner)) if inner.boolop == op => args.extend(inner.args),
            node => args.push(Node { node }),
        }
    }
    b.args = args;
}

/// Query-level rewrites: unqualified columns when one relation is read,
/// no `public.` on relations, no output alias that only repeats the name
/// the server would choose anyway.
fn simplify_select(select: &mut SelectStmt) {
    for item in &mut select.from_clause {
        unqualify_public_relations(item);
    }
    if let [Node {
        node: Some(NodeEnum::RangeVar(relation)),
    }] = select.from_clause.as_slice()
    {
        let visible = relation
            .alias
            .as_ref()
            .map_or(relation.relname.clone(), |a| a.aliasname.clone());
        let mut nodes: Vec<&mut Node> = Vec::new();
        nodes.extend(select.target_list.iter_mut());
        nodes.extend(select.where_clause.as_deref_mut());
        nodes.extend(select.group_clause.iter_mut());
        nodes.extend(select.having_clause.as_deref_mut());
        nodes.extend(select.sort_clause.iter_mut());
        for node in nodes {
            unqualify_columns(node, &visible);
        }
    }
    for target in &mut select.target_list {
        if let Some(NodeEnum::ResTarget(target)) = target.node.as_mut() {
            let default_name = target.val.as_deref().map(figure_colname);
            if default_name.as_deref() == Some(target.name.as_str()) {
                target.name.clear();
            }
        }
    }
}

fn unqualify_public_relations(node: &mut Node) {
    match node.node.as_mut() {
        Some(NodeEnum::RangeVar(relation)) if relation.schemaname == "public" => {
            relation.schemaname.clear();
        }
        Some(NodeEnum::JoinExpr(join)) => {
            for side in [join.larg.as_deref_mut(), join.rarg.as_deref_mut()]
                .into_iter()
                .flatten()
            {
                unqualify_public_relations(side);
            }
        }
        _ => {}
    }
}

/// Drops the `relation.` of two-part column references to `relation`, not
/// descending into subqueries (their columns may belong elsewhere).
fn unqualify_columns(node: &mut Node, relation: &str) {
    if let Some(NodeEnum::ColumnRef(column)) = node.node.as_mut() {
        if column.fields.len() == 2
            && string_of(&column.fields[0]) == Some(relation)
            && string_of(&column.fields[1]).is_some()
        {
            column.fields.remove(0);
        }
        return;
    }
    if matches!(
        node.node,
        Some(NodeEnum::SubLink(_) | NodeEnum::SelectStmt(_))
    ) {
        return;
    }
    for child in children(node) {
        unqualify_columns(child, relation);
    }
}

/// The names of the columns an expression refers to, in order of first
/// appearance, without repeats (`t.col` counts as `col`).
pub(crate) fn column_refs(node: &Node) -> Vec<String> {
    fn collect(node: &mut Node, out: &mut Vec<String>) {
        if let Some(NodeEnum::ColumnRef(column)) = node.node.as_ref() {
            if let Some(name) = column.fields.last().and_then(string_of) {
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
            return;
        }
        for child in children(node) {
            collect(child, out);
        }
    }
    let mut out = Vec::new();
    collect(&mut node.clone(), &mut out);
    out
}

/// The output column name PostgreSQL gives an unaliased expression
/// (`FigureColname` in the server): the column's or function's name, a
/// keyword for some constructs, `?column?` otherwise.
pub(crate) fn figure_colname(node: &Node) -> String {
    figure(node).unwrap_or_else(|| "?column?".to_string())
}

fn figure(node: &Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::ColumnRef(c) => c.fields.last().and_then(string_of).map(str::to_string),
        NodeEnum::AIndirection(i) => i
            .indirection
            .iter()
            .rev()
            .find_map(|n| string_of(n).map(str::to_string))
            .or_else(|| i.arg.as_deref().and_then(figure)),
        NodeEnum::FuncCall(f) => f.funcname.last().and_then(string_of).map(str::to_string),
        NodeEnum::AExpr(e) if e.kind() == AExprKind::AexprNullif => Some("nullif".into()),
        NodeEnum::TypeCast(t) => t.arg.as_deref().and_then(figure).or_else(|| {
            t.type_name
                .as_ref()
                .and_then(|n| n.names.last())
                .and_then(string_of)
                .map(str::to_string)
        }),
        NodeEnum::CollateClause(c) => c.arg.as_deref().and_then(figure),
        NodeEnum::CaseExpr(_) => Some("case".into()),
        NodeEnum::AArrayExpr(_) => Some("array".into()),
        NodeEnum::RowExpr(_) => Some("row".into()),
        NodeEnum::CoalesceExpr(_) => Some("coalesce".into()),
        NodeEnum::MinMaxExpr(m) => Some(if m.op == 1 { "least" } else { "greatest" }.into()),
        NodeEnum::SqlvalueFunction(f) => sql_value_function_name(f.op),
        NodeEnum::SubLink(s) => match s.sub_link_type() {
            SubLinkType::ExistsSublink => Some("exists".into()),
            SubLinkType::ArraySublink => Some("array".into()),
            SubLinkType::ExprSublink => match s.subselect.as_deref()?.node.as_ref()? {
                NodeEnum::SelectStmt(sub) => match sub.target_list.first()?.node.as_ref()? {
                    NodeEnum::ResTarget(t) if !t.name.is_empty() => Some(t.name.clone()),
                    NodeEnum::ResTarget(t) => t.val.as_deref().and_then(figure),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn sql_value_function_name(op: i32) -> Option<String> {
    let name = match op {
        1 => "current_date",
        2 | 3 => "current_time",
        4 | 5 => "current_timestamp",
        6 | 7 => "localtime",
        8 | 9 => "localtimestamp",
        10 => "current_role",
        11 => "current_user",
        12 => "user",
        13 => "session_user",
        14 => "current_catalog",
        15 => "current_schema",
        _ => return None,
    };
    Some(name.into())
}

/// Built-in type names a cast may be written with, in the form the grammar
/// produces for the SQL-standard spelling, so `::int8` and `::bigint` agree.
fn canonical_type_name(type_name: &mut TypeName) {
    let [only] = type_name.names.as_slice() else {
        return;
    };
    let Some(name) = string_of(only) else {
        return;
    };
    let internal = match name {
        "int" | "integer" | "int4" => "int4",
        "smallint" | "int2" => "int2",
        "bigint" | "int8" => "int8",
        "real" | "float4" => "float4",
        "float8" => "float8",
        "bool" | "boolean" => "bool",
        "decimal" | "numeric" => "numeric",
        "varchar" => "varchar",
        "timestamptz" => "timestamptz",
        "timetz" => "timetz",
        "timestamp" => "timestamp",
        "interval" => "interval",
        _ => return,
    };
    type_name.names = vec![string_node_raw("pg_catalog"), string_node_raw(internal)];
}

fn is_numeric_type(type_name: &TypeName) -> bool {
    matches!(
        type_name.names.last().and_then(string_of),
        Some(
            "int2"
                | "int4"
                | "int8"
                | "smallint"
                | "integer"
                | "int"
                | "bigint"
                | "numeric"
                | "decimal"
                | "float4"
                | "float8"
                | "real"
                | "double precision"
        )
    )
}

/// A number literal for `text` if it is one, the way the grammar would
/// have parsed it unquoted: `Integer` when it fits 32 bits, else `Float`.
fn number_constant(text: &str) -> Option<Node> {
    let text = text.trim();
    let val = if let Ok(ival) = text.parse::<i32>() {
        a_const::Val::Ival(Integer { ival })
    } else if is_decimal_literal(text) {
        a_const::Val::Fval(Float {
            fval: text.to_string(),
        })
    } else {
        return None;
    };
    Some(node_of(NodeEnum::AConst(AConst {
        val: Some(val),
        ..Default::default()
    })))
}

fn is_decimal_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or_default();
    (!whole.is_empty() || !fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Splits a one-dimensional array literal `{a,"b c",NULL}` into its items
/// (`None` for NULL). Nested arrays are not split.
fn parse_array_literal(text: &str) -> Option<Vec<Option<String>>> {
    let body = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut items = Vec::new();
    if body.trim().is_empty() {
        return Some(items);
    }
    let mut chars = body.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let item = if chars.next_if_eq(&'"').is_some() {
            let mut value = String::new();
            loop {
                match chars.next()? {
                    '\\' => value.push(chars.next()?),
                    '"' => break,
                    c => value.push(c),
                }
            }
            Some(value)
        } else {
            let mut value = String::new();
            while let Some(c) = chars.next_if(|c| *c != ',') {
                if c == '{' || c == '"' || c == '\\' {
                    return None;
                }
                value.push(c);
            }
            let value = value.trim().to_string();
            (!value.eq_ignore_ascii_case("null")).then_some(value)
        };
        items.push(item);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            Some(',') => continue,
            None => return Some(items),
            Some(_) => return None,
        }
    }
}

pub(crate) fn string_of(node: &Node) -> Option<&str> {
    match node.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

fn string_constant(node: &Node) -> Option<&str> {
    match node.node.as_ref()? {
        NodeEnum::AConst(AConst {
            val: Some(a_const::Val::Sval(s)),
            ..
        }) => Some(&s.sval),
        _ => None,
    }
}

fn string_node_raw(text: &str) -> Node {
    node_of(NodeEnum::String(pg_query::protobuf::String {
        sval: text.into(),
    }))
}

fn string_node(text: &str) -> Node {
    node_of(NodeEnum::AConst(AConst {
        val: Some(a_const::Val::Sval(pg_query::protobuf::String {
            sval: text.into(),
        })),
        ..Default::default()
    }))
}

fn null_node() -> Node {
    node_of(NodeEnum::AConst(AConst {
        isnull: true,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::expression;

    #[test]
    fn server_and_author_spellings_agree() {
        let pairs = [
            ("'active'::character varying", "'active'"),
            ("(status)::text", "status"),
            ("'{}'::jsonb", "'{}'"),
            (
                "nextval('users_id_seq'::regclass)",
                "nextval('users_id_seq')",
            ),
            ("'-1'::integer", "-1"),
            ("'10.5'::double precision", "10.5"),
            (
                "(s)::text = ANY (ARRAY['x'::character varying, 'y'::character varying]::text[])",
                "s IN ('x', 'y')",
            ),
            (
                "status <> ALL (ARRAY['a'::text, 'b'::text])",
                "status NOT IN ('a', 'b')",
            ),
            (
                "n >= (0)::numeric AND n <= (10)::numeric",
                "n BETWEEN 0 AND 10",
            ),
            ("(s)::text ~~ 'a%'::text", "s LIKE 'a%'"),
            ("public.f(x)", "f(x)"),
            ("pg_catalog.lower(x)", "lower(x)"),
            (
                "(a > 0) AND ((b > 0) AND (c > 0))",
                "a > 0 AND b > 0 AND c > 0",
            ),
            ("kind = ANY ('{a,b}'::text[])", "kind IN ('a', 'b')"),
            ("n = ANY ('{1,2}'::integer[])", "n IN (1, 2)"),
            ("(x + 1)::bigint", "(x + 1)::int8"),
            (
                "(now() + '30 days'::interval)",
                "now() + interval '30 days'",
            ),
        ];
        for (server, author) in pairs {
            assert_eq!(
                expression(server),
                expression(author),
                "{server} vs {author}"
            );
        }
        assert_eq!(expression("(status)::text"), "status");
        assert_eq!(
            expression("s NOT BETWEEN 1 AND 2"),
            expression("s < 1 OR s > 2")
        );
    }

    #[test]
    fn view_queries_agree() {
        let server = " SELECT t.id,\n    count(*) AS count,\n    lower((t.s)::text) AS lower\n   FROM t\n  WHERE ((t.s)::text = 'x'::text)\n  GROUP BY t.id;";
        let author = "select id, count(*), lower(s) from public.t where s = 'x' group by id";
        assert_eq!(expression(server), expression(author));
    }

    #[test]
    fn unparsable_text_comes_back_trimmed() {
        assert_eq!(expression("  not ) valid ( "), "not ) valid (");
        assert_eq!(expression(""), "");
    }
}
