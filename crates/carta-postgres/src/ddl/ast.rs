//! Small readers of pg_query's protobuf tree.

use pg_query::protobuf::{a_const, AConst, Node, RoleSpec, RoleSpecType};
use pg_query::NodeEnum;

pub(super) use crate::canon::string_of;

/// The text of every `String` node in a name list (`schema.name` is two).
pub(super) fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(string_of)
        .map(str::to_string)
        .collect()
}

/// A possibly qualified name from a name list: the last part and the one before it.
pub(super) fn split_name(nodes: &[Node]) -> Option<(Option<String>, String)> {
    let mut parts = strings(nodes);
    let name = parts.pop()?;
    Some((parts.pop(), name))
}

pub(super) fn integer_of(node: &Node) -> Option<i64> {
    match node.node.as_ref()? {
        NodeEnum::Integer(i) => Some(i64::from(i.ival)),
        NodeEnum::Float(f) => f.fval.parse().ok(),
        NodeEnum::AConst(AConst {
            val: Some(a_const::Val::Ival(i)),
            ..
        }) => Some(i64::from(i.ival)),
        NodeEnum::AConst(AConst {
            val: Some(a_const::Val::Fval(f)),
            ..
        }) => f.fval.parse().ok(),
        NodeEnum::TypeCast(cast) => cast.arg.as_deref().and_then(integer_of),
        _ => None,
    }
}

pub(super) fn boolean_of(node: &Node) -> Option<bool> {
    match node.node.as_ref()? {
        NodeEnum::Boolean(b) => Some(b.boolval),
        NodeEnum::Integer(i) => Some(i.ival != 0),
        NodeEnum::String(s) => match s.sval.as_str() {
            "true" | "on" => Some(true),
            "false" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The role names a policy applies to, as `pg_policy` lists them.
pub(super) fn role_name(node: &Node) -> Option<String> {
    let Some(NodeEnum::RoleSpec(RoleSpec {
        roletype, rolename, ..
    })) = node.node.as_ref()
    else {
        return None;
    };
    match RoleSpecType::try_from(*roletype).ok()? {
        RoleSpecType::RolespecCstring => Some(rolename.clone()),
        RoleSpecType::RolespecPublic => Some("public".into()),
        RoleSpecType::RolespecCurrentRole => Some("current_role".into()),
        RoleSpecType::RolespecCurrentUser => Some("current_user".into()),
        RoleSpecType::RolespecSessionUser => Some("session_user".into()),
        RoleSpecType::Undefined => None,
    }
}

/// Quotes an identifier the way `quote_ident` does: only when it is not
/// all lower-case letters, digits and underscores, or is a keyword the
/// grammar reserves in some position.
pub(super) fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain && !is_reserved_keyword(name) {
        return name.to_string();
    }
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether the scanner treats `word` as anything but an unreserved keyword.
fn is_reserved_keyword(word: &str) -> bool {
    use pg_query::protobuf::KeywordKind;
    let Ok(tokens) = pg_query::scan_tokens(word) else {
        return false;
    };
    matches!(tokens.as_slice(), [token] if token.keyword_kind != KeywordKind::NoKeyword as i32
        && token.keyword_kind != KeywordKind::UnreservedKeyword as i32)
}

/// `schema.name` for display in warnings.
pub(super) fn display_name(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}
