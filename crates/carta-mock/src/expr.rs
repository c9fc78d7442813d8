//! CHECK expressions: a small recursive-descent parser for the spellings the
//! Catalog stores (PostgreSQL canonical text, MySQL with backticks and
//! charset introducers, SQLite as written) and a three-valued evaluator.

use crate::time;
use crate::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// The same comparison with its operands swapped (`a < b` is `b > a`).
    pub(crate) fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            other => other,
        }
    }

    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => ordering == Equal,
            Cmp::Ne => ordering != Equal,
            Cmp::Lt => ordering == Less,
            Cmp::Le => ordering != Greater,
            Cmp::Gt => ordering == Greater,
            Cmp::Ge => ordering != Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Column(String),
    Literal(Lit),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    IsNull(Box<Expr>, bool),
    InList(Box<Expr>, Vec<Expr>, bool),
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    /// `~`: evaluated only when the pattern needs no regular expression engine.
    Regex(Box<Expr>, Box<Expr>),
    /// `x op ANY (array)` (or ALL).
    Quantified {
        expr: Box<Expr>,
        op: Cmp,
        array: Box<Expr>,
        all: bool,
    },
    Array(Vec<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    /// The target type, lower case, e.g. `text`, `character varying`, `date`.
    Cast(Box<Expr>, String),
    Func(String, Vec<Expr>),
}

impl Expr {
    /// The expression without casts around it (`(status)::text` is `status`).
    pub(crate) fn uncast(&self) -> &Expr {
        match self {
            Expr::Cast(inner, _) => inner.uncast(),
            other => other,
        }
    }

    pub(crate) fn column(&self) -> Option<&str> {
        match self.uncast() {
            Expr::Column(name) => Some(name),
            _ => None,
        }
    }

    /// A constant: a literal, possibly cast or negated.
    pub(crate) fn constant(&self) -> Option<Lit> {
        match self.uncast() {
            Expr::Literal(lit) => Some(lit.clone()),
            Expr::Neg(inner) => match inner.constant()? {
                Lit::Num(n) => Some(Lit::Num(-n)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every column the expression reads.
    pub(crate) fn columns(&self, out: &mut Vec<String>) {
        match self {
            Expr::Column(name) => {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
            Expr::Literal(_) => {}
            Expr::Not(e) | Expr::IsNull(e, _) | Expr::Neg(e) | Expr::Cast(e, _) => e.columns(out),
            Expr::And(list) | Expr::Or(list) | Expr::Array(list) | Expr::Func(_, list) => {
                list.iter().for_each(|e| e.columns(out))
            }
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b) | Expr::Regex(a, b) => {
                a.columns(out);
                b.columns(out);
            }
            Expr::InList(e, list, _) => {
                e.columns(out);
                list.iter().for_each(|e| e.columns(out));
            }
            Expr::Between(a, b, c, _) => {
                a.columns(out);
                b.columns(out);
                c.columns(out);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.columns(out);
                pattern.columns(out);
            }
            Expr::Quantified { expr, array, .. } => {
                expr.columns(out);
                array.columns(out);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// A quoted identifier: never a keyword.
    Quoted(String),
    Number(f64),
    Str(String),
    Op(&'static str),
}

const OPERATORS: &[&str] = &[
    "::", "<>", "!=", "<=", ">=", "||", "!~*", "!~", "~*", "==", "(", ")", ",", "=", "<", ">", "+",
    "-", "*", "/", "%", "[", "]", ".", "~",
];

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let (s, next) = quoted(&chars, i, '\'')?;
            tokens.push(Token::Str(s));
            i = next;
        } else if c == '"' || c == '`' {
            let (s, next) = quoted(&chars, i, c)?;
            tokens.push(Token::Quoted(s));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                i += 1;
                if i < chars.len() && (chars[i] == '-' || chars[i] == '+') {
                    i += 1;
                }
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let number: String = chars[start..i].iter().collect();
            tokens.push(Token::Number(
                number.parse().map_err(|_| format!("bad number {number}"))?,
            ));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // MySQL charset introducer: _utf8mb4'text' is just 'text'.
            if word.starts_with('_') && chars.get(i) == Some(&'\'') {
                continue;
            }
            tokens.push(Token::Ident(word.to_lowercase()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| format!("unexpected character {c:?}"))?;
            tokens.push(Token::Op(op));
            i += op.chars().count();
        }
    }
    Ok(tokens)
}

/// A quoted string or identifier starting at `start`; a doubled quote is one
/// quote, and a backslash escapes inside MySQL-style strings.
fn quoted(chars: &[char], start: usize, quote: char) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                out.push(quote);
                i += 2;
                continue;
            }
            return Ok((out, i + 1));
        }
        if c == '\\' && quote == '\'' && i + 1 < chars.len() && chars[i + 1] == '\'' {
            out.push('\'');
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Err("unterminated quote".to_string())
}

/// Parses a boolean expression. `VALUE` (in domain checks) is read as the column `value_column`.
pub(crate) fn parse(text: &str, value_column: Option<&str>) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        value_column,
    };
    let expr = parser.or()?;
    if parser.pos != parser.tokens.len() {
        return Err(format!("unexpected {:?}", parser.tokens[parser.pos]));
    }
    Ok(expr)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    value_column: Option<&'a str>,
}

/// Words that end an operand: a cast's type name stops before them.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "is", "in", "between", "like", "ilike", "any", "all", "some", "then",
    "else", "end", "when", "escape", "collate", "similar",
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Ident(w)) if w == word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Token::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.op(op) {
            Ok(())
        } else {
            Err(format!("expected {op}, found {:?}", self.peek()))
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.not()?];
        while self.keyword("and") {
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Expr::And(terms)
        })
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, String> {
        let left = self.additive()?;
        if self.keyword("is") {
            let negated = self.keyword("not");
            if self.keyword("null") {
                return Ok(Expr::IsNull(Box::new(left), negated));
            }
            let value = if self.keyword("true") {
                true
            } else if self.keyword("false") {
                false
            } else {
                return Err("expected NULL, TRUE or FALSE after IS".to_string());
            };
            // `x IS TRUE` is x = true, but never NULL.
            let test = Expr::Compare(
                Cmp::Eq,
                Box::new(left.clone()),
                Box::new(Expr::Literal(Lit::Bool(value))),
            );
            let known = Expr::And(vec![Expr::IsNull(Box::new(left), true), test]);
            return Ok(if negated {
                Expr::Not(Box::new(known))
            } else {
                known
            });
        }
        let negated = self.keyword("not");
        if self.keyword("in") {
            self.expect("(")?;
            let list = self.list(")")?;
            return Ok(Expr::InList(Box::new(left), list, negated));
        }
        if self.keyword("between") {
            self.keyword("symmetric");
            let low = self.additive()?;
            if !self.keyword("and") {
                return Err("expected AND in BETWEEN".to_string());
            }
            let high = self.additive()?;
            return Ok(Expr::Between(
                Box::new(left),
                Box::new(low),
                Box::new(high),
                negated,
            ));
        }
        let like = if self.keyword("like") {
            Some(false)
        } else if self.keyword("ilike") {
            Some(true)
        } else {
            None
        };
        if let Some(case_insensitive) = like {
            let pattern = self.additive()?;
            return Ok(Expr::Like {
                expr: Box::new(left),
                pattern: Box::new(pattern),
                negated,
                case_insensitive,
            });
        }
        if negated {
            return Err("expected IN, BETWEEN or LIKE after NOT".to_string());
        }
        for (op, negated_regex) in [("~", false), ("~*", false), ("!~", true), ("!~*", true)] {
            if self.op(op) {
                let regex = Expr::Regex(Box::new(left), Box::new(self.additive()?));
                return Ok(if negated_regex {
                    Expr::Not(Box::new(regex))
                } else {
                    regex
                });
            }
        }
        let cmp = [
            ("=", Cmp::Eq),
            ("==", Cmp::Eq),
            ("<>", Cmp::Ne),
            ("!=", Cmp::Ne),
            ("<=", Cmp::Le),
            (">=", Cmp::Ge),
            ("<", Cmp::Lt),
            (">", Cmp::Gt),
        ]
        .into_iter()
        .find(|(op, _)| self.op(op));
        let Some((_, cmp)) = cmp else {
            return Ok(left);
        };
        let all = if self.keyword("any") || self.keyword("some") {
            Some(false)
        } else if self.keyword("all") {
            Some(true)
        } else {
            None
        };
        if let Some(all) = all {
            self.expect("(")?;
            let array = self.or()?;
            self.expect(")")?;
            return Ok(Expr::Quantified {
                expr: Box::new(left),
                op: cmp,
                array: Box::new(array),
                all,
            });
        }
        let right = self.additive()?;
        Ok(Expr::Compare(cmp, Box::new(left), Box::new(right)))
    }

    fn list(&mut self, close: &str) -> Result<Vec<Expr>, String> {
        let mut items = Vec::new();
        if self.op(close) {
            return Ok(items);
        }
        loop {
            items.push(self.or()?);
            if self.op(close) {
                return Ok(items);
            }
            self.expect(",")?;
        }
    }

    fn additive(&mut self) -> Result<Expr, String> {
        let mut left = self.multiplicative()?;
        loop {
            let op = if self.op("+") {
                Arith::Add
            } else if self.op("-") {
                Arith::Sub
            } else if self.op("||") {
                Arith::Concat
            } else {
                return Ok(left);
            };
            let right = self.multiplicative()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.op("*") {
                Arith::Mul
            } else if self.op("/") {
                Arith::Div
            } else if self.op("%") {
                Arith::Mod
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.op("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.op("+") {
            return self.unary();
        }
        let mut expr = self.primary()?;
        while self.op("::") {
            expr = Expr::Cast(Box::new(expr), self.type_name()?);
        }
        Ok(expr)
    }

    /// A type name after `::`: words up to an operator or keyword, an optional `(n)` and `[]`.
    fn type_name(&mut self) -> Result<String, String> {
        let mut words = Vec::new();
        while let Some(Token::Ident(word)) = self.peek() {
            if KEYWORDS.contains(&word.as_str()) && !words.is_empty() {
                break;
            }
            words.push(word.clone());
            self.pos += 1;
            if self.op(".") {
                words.clear();
            }
        }
        if let Some(Token::Quoted(word)) = self.peek() {
            words.push(word.to_lowercase());
            self.pos += 1;
        }
        if words.is_empty() {
            return Err("expected a type name after ::".to_string());
        }
        if self.op("(") {
            while !self.op(")") {
                if self.peek().is_none() {
                    return Err("unterminated type modifier".to_string());
                }
                self.pos += 1;
            }
        }
        let mut name = words.join(" ");
        while self.op("[") {
            self.expect("]")?;
            name.push_str("[]");
        }
        Ok(name)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned().ok_or("unexpected end of expression")?;
        self.pos += 1;
        match token {
            Token::Number(n) => Ok(Expr::Literal(Lit::Num(n))),
            Token::Str(s) => Ok(Expr::Literal(Lit::Str(s))),
            Token::Op("(") => {
                let inner = self.or()?;
                if self.op(",") {
                    return Err("row constructors are not supported".to_string());
                }
                self.expect(")")?;
                Ok(inner)
            }
            Token::Quoted(name) => self.column_rest(name),
            Token::Ident(word) => match word.as_str() {
                "null" => Ok(Expr::Literal(Lit::Null)),
                "true" => Ok(Expr::Literal(Lit::Bool(true))),
                "false" => Ok(Expr::Literal(Lit::Bool(false))),
                "array" => {
                    self.expect("[")?;
                    Ok(Expr::Array(self.list("]")?))
                }
                "case" | "exists" | "select" => {
                    Err(format!("{} is not supported", word.to_uppercase()))
                }
                "cast" if self.op("(") => {
                    let inner = self.or()?;
                    if !self.keyword("as") {
                        return Err("expected AS in CAST".to_string());
                    }
                    let ty = self.type_name()?;
                    self.expect(")")?;
                    Ok(Expr::Cast(Box::new(inner), ty))
                }
                "current_date" | "current_timestamp" | "localtimestamp" => {
                    Ok(Expr::Func(word, Vec::new()))
                }
                "value" if self.value_column.is_some() => Ok(Expr::Column(
                    self.value_column.unwrap_or_default().to_string(),
                )),
                // Typed literals: date '2020-01-01', timestamp '...'.
                "date" | "timestamp" | "timestamptz" | "interval"
                    if matches!(self.peek(), Some(Token::Str(_))) =>
                {
                    let Some(Token::Str(s)) = self.peek().cloned() else {
                        unreachable!("peeked a string")
                    };
                    self.pos += 1;
                    Ok(Expr::Cast(Box::new(Expr::Literal(Lit::Str(s))), word))
                }
                _ if self.op("(") => {
                    // char_length(x), lower(x); a call may have a leading DISTINCT or none.
                    let args = self.list(")")?;
                    Ok(Expr::Func(word, args))
                }
                _ => self.column_rest(word),
            },
            Token::Op(op) => Err(format!("unexpected {op}")),
        }
    }

    /// A column, possibly qualified (`t.col`): the last part names it.
    fn column_rest(&mut self, mut name: String) -> Result<Expr, String> {
        while self.op(".") {
            match self.peek().cloned() {
                Some(Token::Ident(part)) | Some(Token::Quoted(part)) => {
                    self.pos += 1;
                    name = part;
                }
                _ => return Err("expected a name after .".to_string()),
            }
        }
        Ok(Expr::Column(name))
    }
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ev {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// Microseconds since the epoch (dates at midnight).
    Time(i64),
    Array(Vec<Ev>),
    /// Not evaluable here (a function Carta does not know, `now()`, a regular expression).
    Unknown,
}

impl Ev {
    pub(crate) fn from_value(value: &Value) -> Ev {
        match value {
            Value::Null => Ev::Null,
            Value::Bool(b) => Ev::Bool(*b),
            Value::Int(i) => Ev::Num(*i as f64),
            Value::UInt(u) => Ev::Num(*u as f64),
            Value::Float(f) => Ev::Num(*f),
            Value::Decimal(d) => d.parse().map_or(Ev::Unknown, Ev::Num),
            Value::Text(s) | Value::Json(s) => Ev::Str(s.clone()),
            Value::Uuid(bytes) => Ev::Str(crate::values::uuid_text(bytes)),
            Value::Date(days) => Ev::Time(i64::from(*days) * time::MICROS_PER_DAY),
            Value::Timestamp { micros, .. } => Ev::Time(*micros),
            Value::Time(micros) => Ev::Num(*micros as f64),
            Value::Bytes(_) => Ev::Unknown,
            Value::Array(items) => Ev::Array(items.iter().map(Ev::from_value).collect()),
        }
    }

    fn from_lit(lit: &Lit) -> Ev {
        match lit {
            Lit::Null => Ev::Null,
            Lit::Bool(b) => Ev::Bool(*b),
            Lit::Num(n) => Ev::Num(*n),
            Lit::Str(s) => Ev::Str(s.clone()),
        }
    }

    /// The truth value of a CHECK: `Some(true)` for true or NULL (a CHECK passes on NULL).
    pub(crate) fn check_passes(&self) -> Option<bool> {
        match self {
            Ev::Bool(b) => Some(*b),
            Ev::Null => Some(true),
            _ => None,
        }
    }
}

fn compare(a: &Ev, b: &Ev) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Ev::Num(x), Ev::Num(y)) => x.partial_cmp(y),
        (Ev::Str(x), Ev::Str(y)) => Some(x.cmp(y)),
        (Ev::Bool(x), Ev::Bool(y)) => Some(x.cmp(y)),
        (Ev::Time(x), Ev::Time(y)) => Some(x.cmp(y)),
        (Ev::Time(x), Ev::Str(s)) => time::parse_timestamp(s).map(|y| x.cmp(&y)),
        (Ev::Str(s), Ev::Time(y)) => time::parse_timestamp(s).map(|x| x.cmp(y)),
        (Ev::Num(x), Ev::Str(s)) => s.trim().parse::<f64>().ok().and_then(|y| x.partial_cmp(&y)),
        (Ev::Str(s), Ev::Num(y)) => s.trim().parse::<f64>().ok().and_then(|x| x.partial_cmp(y)),
        _ => None,
    }
}

/// Evaluates `expr` with column values from `lookup` (None: not a column of this row).
pub(crate) fn eval(expr: &Expr, lookup: &dyn Fn(&str) -> Option<Value>) -> Ev {
    match expr {
        Expr::Column(name) => lookup(name).map_or(Ev::Unknown, |v| Ev::from_value(&v)),
        Expr::Literal(lit) => Ev::from_lit(lit),
        Expr::Not(inner) => match eval(inner, lookup) {
            Ev::Bool(b) => Ev::Bool(!b),
            Ev::Null => Ev::Null,
            _ => Ev::Unknown,
        },
        Expr::And(terms) => {
            let mut result = Ev::Bool(true);
            for term in terms {
                match eval(term, lookup) {
                    Ev::Bool(false) => return Ev::Bool(false),
                    Ev::Bool(true) => {}
                    Ev::Null => result = Ev::Null,
                    _ => return Ev::Unknown,
                }
            }
            result
        }
        Expr::Or(terms) => {
            let mut result = Ev::Bool(false);
            let mut unknown = false;
            for term in terms {
                match eval(term, lookup) {
                    Ev::Bool(true) => return Ev::Bool(true),
                    Ev::Bool(false) => {}
                    Ev::Null => result = Ev::Null,
                    _ => unknown = true,
                }
            }
            if unknown {
                Ev::Unknown
            } else {
                result
            }
        }
        Expr::Compare(op, a, b) => {
            let (a, b) = (eval(a, lookup), eval(b, lookup));
            compare_values(*op, &a, &b)
        }
        Expr::IsNull(inner, negated) => match eval(inner, lookup) {
            Ev::Unknown => Ev::Unknown,
            Ev::Null => Ev::Bool(!negated),
            _ => Ev::Bool(*negated),
        },
        Expr::InList(inner, list, negated) => {
            let value = eval(inner, lookup);
            let items: Vec<Ev> = list.iter().map(|e| eval(e, lookup)).collect();
            negate(any_of(Cmp::Eq, &value, &items), *negated)
        }
        Expr::Between(inner, low, high, negated) => {
            let value = eval(inner, lookup);
            let low = compare_values(Cmp::Ge, &value, &eval(low, lookup));
            let high = compare_values(Cmp::Le, &value, &eval(high, lookup));
            let both = match (low, high) {
                (Ev::Bool(false), _) | (_, Ev::Bool(false)) => Ev::Bool(false),
                (Ev::Bool(true), Ev::Bool(true)) => Ev::Bool(true),
                (Ev::Unknown, _) | (_, Ev::Unknown) => Ev::Unknown,
                _ => Ev::Null,
            };
            negate(both, *negated)
        }
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
        } => match (eval(expr, lookup), eval(pattern, lookup)) {
            (Ev::Null, _) | (_, Ev::Null) => Ev::Null,
            (Ev::Str(s), Ev::Str(p)) => {
                let matched = if *case_insensitive {
                    like(&s.to_lowercase(), &p.to_lowercase())
                } else {
                    like(&s, &p)
                };
                Ev::Bool(matched != *negated)
            }
            _ => Ev::Unknown,
        },
        Expr::Regex(..) => Ev::Unknown,
        Expr::Quantified {
            expr,
            op,
            array,
            all,
        } => {
            let value = eval(expr, lookup);
            let Ev::Array(items) = eval(array, lookup) else {
                return Ev::Unknown;
            };
            if *all {
                let any_false = any_of(op.negated(), &value, &items);
                negate(any_false, true)
            } else {
                any_of(*op, &value, &items)
            }
        }
        Expr::Array(items) => Ev::Array(items.iter().map(|e| eval(e, lookup)).collect()),
        Expr::Arith(op, a, b) => arith(*op, eval(a, lookup), eval(b, lookup)),
        Expr::Neg(inner) => match eval(inner, lookup) {
            Ev::Num(n) => Ev::Num(-n),
            Ev::Null => Ev::Null,
            _ => Ev::Unknown,
        },
        Expr::Cast(inner, ty) => cast(eval(inner, lookup), ty),
        Expr::Func(name, args) => {
            let args: Vec<Ev> = args.iter().map(|e| eval(e, lookup)).collect();
            function(name, &args)
        }
    }
}

impl Cmp {
    fn negated(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::Lt => Cmp::Ge,
            Cmp::Le => Cmp::Gt,
            Cmp::Gt => Cmp::Le,
            Cmp::Ge => Cmp::Lt,
        }
    }
}

fn negate(ev: Ev, negated: bool) -> Ev {
    match ev {
        Ev::Bool(b) => Ev::Bool(b != negated),
        other => other,
    }
}

fn compare_values(op: Cmp, a: &Ev, b: &Ev) -> Ev {
    match (a, b) {
        (Ev::Unknown, _) | (_, Ev::Unknown) => Ev::Unknown,
        (Ev::Null, _) | (_, Ev::Null) => Ev::Null,
        _ => compare(a, b).map_or(Ev::Unknown, |o| Ev::Bool(op.holds(o))),
    }
}

/// SQL `x op ANY (items)`: true if any is true, else NULL if any is NULL, else false.
fn any_of(op: Cmp, value: &Ev, items: &[Ev]) -> Ev {
    let mut result = Ev::Bool(false);
    for item in items {
        match compare_values(op, value, item) {
            Ev::Bool(true) => return Ev::Bool(true),
            Ev::Bool(false) => {}
            Ev::Null => result = Ev::Null,
            _ => return Ev::Unknown,
        }
    }
    result
}

fn arith(op: Arith, a: Ev, b: Ev) -> Ev {
    match (op, a, b) {
        (_, Ev::Null, _) | (_, _, Ev::Null) => Ev::Null,
        (Arith::Concat, Ev::Str(x), Ev::Str(y)) => Ev::Str(x + &y),
        (Arith::Add, Ev::Num(x), Ev::Num(y)) => Ev::Num(x + y),
        (Arith::Sub, Ev::Num(x), Ev::Num(y)) => Ev::Num(x - y),
        (Arith::Mul, Ev::Num(x), Ev::Num(y)) => Ev::Num(x * y),
        (Arith::Div, Ev::Num(x), Ev::Num(y)) if y != 0.0 => Ev::Num(x / y),
        (Arith::Mod, Ev::Num(x), Ev::Num(y)) if y != 0.0 => Ev::Num(x % y),
        _ => Ev::Unknown,
    }
}

fn cast(value: Ev, ty: &str) -> Ev {
    let base = ty.trim_end_matches("[]");
    match value {
        Ev::Str(s)
            if matches!(
                base,
                "date"
                    | "timestamp"
                    | "timestamptz"
                    | "timestamp with time zone"
                    | "timestamp without time zone"
            ) =>
        {
            time::parse_timestamp(&s).map_or(Ev::Unknown, Ev::Time)
        }
        Ev::Str(s)
            if matches!(
                base,
                "integer"
                    | "int"
                    | "bigint"
                    | "smallint"
                    | "numeric"
                    | "real"
                    | "double precision"
                    | "decimal"
            ) =>
        {
            s.trim().parse().map_or(Ev::Unknown, Ev::Num)
        }
        Ev::Str(s) if matches!(base, "boolean" | "bool") => match s.as_str() {
            "t" | "true" => Ev::Bool(true),
            "f" | "false" => Ev::Bool(false),
            _ => Ev::Unknown,
        },
        Ev::Str(_) if matches!(base, "interval" | "regclass") => Ev::Unknown,
        Ev::Num(n)
            if matches!(
                base,
                "text" | "character varying" | "varchar" | "character" | "char"
            ) =>
        {
            Ev::Str(trim_float(n))
        }
        Ev::Time(_) if base == "date" => Ev::Unknown,
        other => other,
    }
}

fn trim_float(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn function(name: &str, args: &[Ev]) -> Ev {
    if args.contains(&Ev::Unknown) {
        return Ev::Unknown;
    }
    let first = args.first();
    match (name, first) {
        ("num_nonnulls", _) => Ev::Num(args.iter().filter(|a| **a != Ev::Null).count() as f64),
        ("num_nulls", _) => Ev::Num(args.iter().filter(|a| **a == Ev::Null).count() as f64),
        ("coalesce" | "ifnull", _) => args
            .iter()
            .find(|a| **a != Ev::Null)
            .cloned()
            .unwrap_or(Ev::Null),
        (_, Some(Ev::Null)) => Ev::Null,
        ("length" | "char_length" | "character_length" | "octet_length", Some(Ev::Str(s))) => {
            Ev::Num(if name == "octet_length" {
                s.len()
            } else {
                s.chars().count()
            } as f64)
        }
        ("lower", Some(Ev::Str(s))) => Ev::Str(s.to_lowercase()),
        ("upper", Some(Ev::Str(s))) => Ev::Str(s.to_uppercase()),
        ("btrim" | "trim", Some(Ev::Str(s))) if args.len() == 1 => Ev::Str(s.trim().to_string()),
        ("abs", Some(Ev::Num(n))) => Ev::Num(n.abs()),
        ("array_length", Some(Ev::Array(items))) if items.is_empty() => Ev::Null,
        ("array_length" | "cardinality", Some(Ev::Array(items))) => Ev::Num(items.len() as f64),
        ("jsonb_typeof" | "json_typeof" | "json_type", Some(Ev::Str(json))) => json_type(json),
        ("json_valid", Some(Ev::Str(json))) => {
            Ev::Bool(serde_json::from_str::<serde_json::Value>(json).is_ok())
        }
        _ => Ev::Unknown,
    }
}

fn json_type(json: &str) -> Ev {
    let kind = match json.trim_start().chars().next() {
        Some('{') => "object",
        Some('[') => "array",
        Some('"') => "string",
        Some('t') | Some('f') => "boolean",
        Some('n') => "null",
        Some(_) => "number",
        None => return Ev::Unknown,
    };
    Ev::Str(kind.to_string())
}

/// SQL LIKE with `%` and `_`, backslash escapes.
fn like(text: &str, pattern: &str) -> bool {
    fn go(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&t[i..], &p[1..])),
            Some('_') => !t.is_empty() && go(&t[1..], &p[1..]),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&t[1..], &p[2..]),
            Some(c) => t.first() == Some(c) && go(&t[1..], &p[1..]),
        }
    }
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&t, &p)
}

/// The top-level conjuncts of an expression.
pub(crate) fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::And(terms) => terms.iter().flat_map(conjuncts).collect(),
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, row: &[(&str, Value)]) -> Option<bool> {
        let expr = parse(text, None).unwrap_or_else(|e| panic!("{text}: {e}"));
        let lookup = |name: &str| row.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
        eval(&expr, &lookup).check_passes()
    }

    #[test]
    fn parses_postgres_canonical_spellings() {
        let score = |n| [("score", Value::Int(n))];
        assert_eq!(
            check("((score >= 1) AND (score <= 5))", &score(3)),
            Some(true)
        );
        assert_eq!(
            check("((score >= 1) AND (score <= 5))", &score(6)),
            Some(false)
        );
        let status = |s: &str| [("status", Value::Text(s.to_string()))];
        let any = "(status = ANY (ARRAY['a'::text, 'b'::text]))";
        assert_eq!(check(any, &status("a")), Some(true));
        assert_eq!(check(any, &status("c")), Some(false));
        let varchar = "((status)::text = ANY ((ARRAY['active'::character varying, 'done'::character varying])::text[]))";
        assert_eq!(check(varchar, &status("done")), Some(true));
        assert_eq!(
            check(
                "(char_length(name) <= 50)",
                &[("name", Value::Text("x".repeat(51)))]
            ),
            Some(false)
        );
        assert_eq!(
            check(
                "(length(code) > 3)",
                &[("code", Value::Text("abcd".into()))]
            ),
            Some(true)
        );
        assert_eq!(
            check(
                "(price > (0)::numeric)",
                &[("price", Value::Decimal("0.50".into()))]
            ),
            Some(true)
        );
        assert_eq!(
            check(
                "(price > (0)::numeric)",
                &[("price", Value::Decimal("0.00".into()))]
            ),
            Some(false)
        );
    }

    #[test]
    fn null_passes_and_column_comparisons_work() {
        let ts = |m| Value::Timestamp {
            micros: m,
            with_time_zone: true,
        };
        let text = "((ends_at IS NULL) OR (ends_at > starts_at))";
        assert_eq!(
            check(text, &[("ends_at", Value::Null), ("starts_at", ts(5))]),
            Some(true)
        );
        assert_eq!(
            check(text, &[("ends_at", ts(4)), ("starts_at", ts(5))]),
            Some(false)
        );
        assert_eq!(
            check(
                "(updated_at >= created_at)",
                &[("updated_at", Value::Null), ("created_at", ts(1))]
            ),
            Some(true)
        );
        let dates = "(d >= '2020-01-01'::date)";
        assert_eq!(check(dates, &[("d", Value::Date(0))]), Some(false));
        assert_eq!(check(dates, &[("d", Value::Date(20_000))]), Some(true));
    }

    #[test]
    fn parses_mysql_and_sqlite_spellings() {
        let row = [("x", Value::Text("b".into()))];
        assert_eq!(
            check("(`x` in (_utf8mb4'a',_utf8mb4'b'))", &row),
            Some(true)
        );
        assert_eq!(check("x IN ('a', 'c')", &row), Some(false));
        assert_eq!(
            check("rating BETWEEN 1 AND 5", &[("rating", Value::Int(0))]),
            Some(false)
        );
        assert_eq!(
            check("name LIKE 'a%'", &[("name", Value::Text("abc".into()))]),
            Some(true)
        );
    }

    #[test]
    fn what_cannot_be_evaluated_is_unknown() {
        let row = [("code", Value::Text("ab".into()))];
        assert_eq!(check("(code ~ '^[a-z]+$'::text)", &row), None);
        assert_eq!(
            check("(created_at <= now())", &[("created_at", Value::Int(1))]),
            None
        );
        assert!(parse("CASE WHEN a THEN b END", None).is_err());
        assert!(parse("(a >", None).is_err());
    }

    #[test]
    fn domain_checks_read_value_as_the_column() {
        let expr = parse("(VALUE > 0)", Some("amount")).unwrap();
        assert_eq!(
            expr,
            Expr::Compare(
                Cmp::Gt,
                Box::new(Expr::Column("amount".into())),
                Box::new(Expr::Literal(Lit::Num(0.0)))
            )
        );
    }
}
