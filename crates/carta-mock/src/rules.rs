//! What to generate for one column: its type, its CHECK facts, an override
//! and, for realism, its name, table and comment.

use crate::constraints::Facts;
use crate::expr::Lit;
use crate::hash::Permutation;
use crate::text::{unique_capacity, TextKind};
use crate::time::{days_from_civil, parse_timestamp, MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::values::{JsonShape, Kind};
use crate::words;
use crate::{ColumnOverride, MockError, Value};
use carta_catalog::{Column, LogicalType};

/// The fixed "now" of generated data: values never depend on the clock.
pub(crate) const NOW_DAYS: i64 = 20_089; // 2025-01-01
/// Generated creation times fall in the three years before [`NOW_DAYS`].
pub(crate) const WINDOW_DAYS: i64 = 3 * 365;

/// HTTP status codes, common ones first and repeated.
const HTTP_STATUSES: &[i64] = &[
    200, 200, 200, 200, 201, 204, 200, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503,
];

/// The named generators an override may ask for.
pub const GENERATORS: &[&str] = &[
    "email",
    "first_name",
    "last_name",
    "full_name",
    "username",
    "slug",
    "url",
    "url_path",
    "domain",
    "ipv4",
    "phone",
    "country_code",
    "country",
    "city",
    "street",
    "postal_code",
    "currency",
    "language",
    "locale",
    "timezone",
    "status",
    "role",
    "plan",
    "title",
    "company",
    "sentence",
    "paragraph",
    "markdown",
    "sql",
    "version",
    "hash",
    "token",
    "password_hash",
    "color",
    "mime_type",
    "file_name",
    "file_path",
    "user_agent",
    "code",
    "error",
    "phrase",
    "uuid",
    "integer",
    "decimal",
    "boolean",
    "timestamp",
    "date",
    "json",
];

pub(crate) struct ColumnInput<'a> {
    pub table: &'a str,
    pub column: &'a Column,
    /// The column's type, a domain resolved to its base type.
    pub logical: &'a LogicalType,
    pub facts: &'a Facts,
    pub unique: bool,
    pub rows: u64,
    pub stream: u64,
    pub overrides: Option<&'a ColumnOverride>,
    pub qualified: String,
}

impl ColumnInput<'_> {
    fn name(&self) -> String {
        self.column.name.to_lowercase()
    }

    fn too_small(&self, available: u64) -> MockError {
        let (table, column) = self
            .qualified
            .rsplit_once('.')
            .unwrap_or(("", &self.qualified));
        MockError::ValueSpaceTooSmall {
            table: table.to_string(),
            column: column.to_string(),
            needed: self.rows,
            available,
        }
    }

    fn invalid(&self, message: impl Into<String>) -> MockError {
        MockError::InvalidOverride {
            column: self.qualified.clone(),
            message: message.into(),
        }
    }

    /// A permutation of the rows when the column must be unique, after checking it fits.
    fn unique_perm(&self, capacity: u64) -> Result<Option<Permutation>, MockError> {
        if !self.unique {
            return Ok(None);
        }
        if self.rows > capacity {
            return Err(self.too_small(capacity));
        }
        Ok(Some(Permutation::new(self.rows, self.stream ^ 0x756e_6971)))
    }
}

fn has(name: &str, parts: &[&str]) -> bool {
    parts.iter().any(|p| name.contains(p))
}

fn is_word(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        name == *w || name.ends_with(&format!("_{w}")) || name.starts_with(&format!("{w}_"))
    })
}

/// The kind of a column, before keys and orderings are layered on by the planner.
pub(crate) fn kind(input: &ColumnInput) -> Result<Kind, MockError> {
    if let Some(overrides) = input.overrides {
        if let Some(values) = &overrides.values {
            if values.is_empty() {
                return Err(input.invalid("`values` is empty"));
            }
            let values = values
                .iter()
                .map(|v| json_to_value(v, input.logical))
                .collect::<Vec<_>>();
            let unique = input.unique_perm(values.len() as u64)?;
            return Ok(Kind::Choice { values, unique });
        }
        if let Some(generator) = &overrides.generator {
            return named(input, generator);
        }
    }
    if let Some(allowed) = &input.facts.allowed {
        if allowed.is_empty() {
            return Err(MockError::Unsupported {
                table: input.table.to_string(),
                column: input.column.name.clone(),
                reason: "its CHECK constraints allow no value".to_string(),
            });
        }
        let values: Vec<Value> = allowed
            .iter()
            .map(|lit| lit_to_value(lit, input.logical))
            .collect();
        let unique = input.unique_perm(values.len() as u64)?;
        return Ok(Kind::Choice { values, unique });
    }
    by_type(input, input.logical)
}

fn named(input: &ColumnInput, generator: &str) -> Result<Kind, MockError> {
    let text = match generator {
        "uuid" => return Ok(Kind::Uuid),
        "integer" => {
            return by_type(
                input,
                &LogicalType::Integer {
                    bits: 64,
                    unsigned: false,
                },
            )
        }
        "decimal" => {
            return by_type(
                input,
                &LogicalType::Decimal {
                    precision: None,
                    scale: Some(2),
                },
            )
        }
        "boolean" => return Ok(Kind::Bool { true_ratio: 0.5 }),
        "timestamp" => {
            return by_type(
                input,
                &LogicalType::Timestamp {
                    with_time_zone: true,
                },
            )
        }
        "date" => return by_type(input, &LogicalType::Date),
        "json" => return Ok(Kind::Json(json_shape(input))),
        "email" => TextKind::Email,
        "first_name" => TextKind::FirstName,
        "last_name" => TextKind::LastName,
        "full_name" => TextKind::FullName,
        "username" => TextKind::Username,
        "slug" => TextKind::Slug,
        "url" => TextKind::Url,
        "url_path" => TextKind::UrlPath,
        "domain" => TextKind::Domain,
        "ipv4" => TextKind::Ipv4,
        "phone" => TextKind::Phone,
        "country_code" => TextKind::CountryCode { alpha3: false },
        "country" => TextKind::CountryName,
        "city" => TextKind::City,
        "street" => TextKind::Street,
        "postal_code" => TextKind::PostalCode,
        "currency" => TextKind::Currency,
        "language" => TextKind::Language,
        "locale" => TextKind::Locale,
        "timezone" => TextKind::Timezone,
        "status" => TextKind::Word(words::STATUSES),
        "role" => TextKind::Word(words::ROLES),
        "plan" => TextKind::Word(words::PLANS),
        "title" => TextKind::Title,
        "company" => TextKind::Company,
        "sentence" => TextKind::Sentence,
        "paragraph" => TextKind::Paragraph,
        "markdown" => TextKind::Markdown,
        "sql" => TextKind::Sql,
        "version" => TextKind::Version,
        "hash" => TextKind::Hex(64),
        "token" => TextKind::Token,
        "password_hash" => TextKind::PasswordHash,
        "color" => TextKind::Color,
        "mime_type" => TextKind::MimeType,
        "file_name" => TextKind::FileName,
        "file_path" => TextKind::FilePath,
        "user_agent" => TextKind::UserAgent,
        "code" => TextKind::Code,
        "error" => TextKind::ErrorMessage,
        "phrase" => TextKind::Phrase,
        other => {
            return Err(input.invalid(format!(
                "unknown generator `{other}` (known: {})",
                GENERATORS.join(", ")
            )))
        }
    };
    text_kind_with_limits(input, text)
}

fn by_type(input: &ColumnInput, logical: &LogicalType) -> Result<Kind, MockError> {
    let name = input.name();
    Ok(match logical {
        LogicalType::Boolean => {
            input.unique_perm(2)?;
            Kind::Bool {
                true_ratio: bool_ratio(&name),
            }
        }
        LogicalType::Integer { .. }
            if !input.unique && has(&name, &["status_code", "http_status"]) =>
        {
            Kind::Choice {
                values: HTTP_STATUSES.iter().map(|&s| Value::Int(s)).collect(),
                unique: None,
            }
        }
        LogicalType::Integer { bits, unsigned } => {
            let (type_min, type_max) = integer_range(*bits, *unsigned);
            let (realistic_min, realistic_max, skew) = integer_by_name(&name, input.table);
            let (min, max) = numeric_bounds(
                input,
                type_min as f64,
                type_max as f64,
                realistic_min,
                realistic_max,
                1.0,
            )?;
            let (min, max) = (min as i64, max as i64);
            if input.unique {
                let capacity = (max as i128 - min as i128 + 1).clamp(0, u64::MAX as i128) as u64;
                Kind::Int {
                    min,
                    max,
                    skew: false,
                    unique: input.unique_perm(capacity)?,
                }
            } else {
                Kind::Int {
                    min,
                    max,
                    skew,
                    unique: None,
                }
            }
        }
        LogicalType::Decimal { precision, scale } => {
            let scale = scale.unwrap_or(if precision.is_some() { 0 } else { 2 });
            let type_max = precision.map_or(1e15, |p| {
                10f64.powi(p as i32 - scale as i32) - 10f64.powi(-(scale as i32))
            });
            let (realistic_min, realistic_max) = decimal_by_name(&name);
            let step = 10f64.powi(-(scale as i32));
            let (min, max) = numeric_bounds(
                input,
                -type_max,
                type_max,
                realistic_min,
                realistic_max,
                step,
            )?;
            let factor = 10f64.powi(scale as i32);
            let (min, max) = (
                (min * factor).round() as i128,
                (max * factor).round() as i128,
            );
            let capacity = (max - min + 1).clamp(0, u64::MAX as i128) as u64;
            Kind::Decimal {
                min,
                max,
                scale,
                unique: input.unique_perm(capacity)?,
            }
        }
        LogicalType::Float { .. } => {
            let (realistic_min, realistic_max) = decimal_by_name(&name);
            let (min, max) =
                numeric_bounds(input, -1e12, 1e12, realistic_min, realistic_max, 0.001)?;
            Kind::Float {
                min,
                max,
                unique: input.unique_perm((max - min).max(0.0) as u64 + 1)?,
            }
        }
        LogicalType::Text { max_length, .. } => text_kind_with_limits(
            input,
            text_kind(
                &name,
                input.table,
                input.column.comment.as_deref(),
                max_length.or(input.facts.max_len),
            ),
        )?,
        LogicalType::Binary { max_length } => {
            let max_len = max_length.unwrap_or(64).min(64);
            let min_len = max_len.min(16);
            let capacity = 256u64.checked_pow(max_len).unwrap_or(u64::MAX);
            Kind::Bytes {
                min_len,
                max_len,
                unique: input.unique_perm(capacity)?,
            }
        }
        LogicalType::Uuid => Kind::Uuid,
        LogicalType::Json { .. } => {
            input.unique_perm(u64::MAX)?;
            Kind::Json(json_shape(input))
        }
        LogicalType::Date => {
            let (min, max) = time_bounds(input, date_window(&name))?;
            let (min, max) = ((min / MICROS_PER_DAY) as i32, (max / MICROS_PER_DAY) as i32);
            Kind::Date {
                min,
                max,
                unique: input.unique_perm((max - min).max(0) as u64 + 1)?,
            }
        }
        LogicalType::Timestamp { with_time_zone } => {
            let (min, max) = time_bounds(input, timestamp_window())?;
            let capacity = ((max - min) / MICROS_PER_SECOND).max(0) as u64 + 1;
            Kind::Timestamp {
                min,
                max,
                with_time_zone: *with_time_zone,
                unique: input.unique_perm(capacity)?,
            }
        }
        LogicalType::Time { .. } => {
            input.unique_perm(16 * 3600)?;
            Kind::Time
        }
        LogicalType::Interval => {
            input.unique_perm(0)?;
            Kind::Interval
        }
        LogicalType::Network { cidr } => Kind::Network {
            cidr: *cidr,
            unique: input.unique_perm(if *cidr { 1 << 24 } else { 1 << 32 })?,
        },
        LogicalType::MacAddress => Kind::MacAddress {
            unique: input.unique_perm(1 << 32)?,
        },
        LogicalType::Enum { values, .. } => {
            let values: Vec<Value> = values.iter().map(|v| Value::Text(v.clone())).collect();
            if values.is_empty() {
                return Err(input.too_small(0));
            }
            Kind::Choice {
                unique: input.unique_perm(values.len() as u64)?,
                values,
            }
        }
        LogicalType::Set { values } => {
            input.unique_perm(0)?;
            Kind::Set {
                values: values.clone(),
            }
        }
        LogicalType::Array { element } => {
            input.unique_perm(0)?;
            let element_kind = by_type(
                &ColumnInput {
                    unique: false,
                    ..clone_input(input)
                },
                element,
            )?;
            Kind::Array {
                element: Box::new(element_kind),
                max_len: 4,
            }
        }
        LogicalType::TextSearch | LogicalType::Geometric | LogicalType::Other => {
            return Err(MockError::Unsupported {
                table: input.table.to_string(),
                column: input.column.name.clone(),
                reason: format!("no generator for type {}", input.column.data_type),
            })
        }
    })
}

fn clone_input<'a>(input: &ColumnInput<'a>) -> ColumnInput<'a> {
    ColumnInput {
        table: input.table,
        column: input.column,
        logical: input.logical,
        facts: input.facts,
        unique: input.unique,
        rows: input.rows,
        stream: input.stream,
        overrides: input.overrides,
        qualified: input.qualified.clone(),
    }
}

fn text_kind_with_limits(input: &ColumnInput, kind: TextKind) -> Result<Kind, MockError> {
    let type_max = match input.logical {
        LogicalType::Text { max_length, .. } => *max_length,
        _ => None,
    };
    let max_len = match (type_max, input.facts.max_len) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let kind = match (kind, max_len) {
        (TextKind::Hex(len), Some(max)) => TextKind::Hex(len.min(max)),
        (kind, _) => kind,
    };
    let min_len = input
        .facts
        .min_len
        .unwrap_or(0)
        .min(max_len.unwrap_or(u32::MAX));
    let unique = input.unique_perm(unique_capacity(&kind, max_len))?;
    Ok(Kind::Text {
        kind,
        min_len,
        max_len,
        unique,
    })
}

/// The realistic text of a column, by name first, then by table and comment.
pub(crate) fn text_kind(
    name: &str,
    table: &str,
    comment: Option<&str>,
    max_len: Option<u32>,
) -> TextKind {
    let name = name.to_lowercase();
    let n = name.as_str();
    let comment = comment.unwrap_or("").to_lowercase();
    let hash_len = if has(n, &["md5"]) {
        32
    } else if has(n, &["sha1"]) {
        40
    } else {
        64
    };
    match () {
        _ if has(n, &["email", "e_mail"]) => TextKind::Email,
        _ if has(n, &["password", "passwd"]) => TextKind::PasswordHash,
        _ if has(
            n,
            &["hash", "digest", "checksum", "fingerprint", "signature"],
        ) =>
        {
            TextKind::Hex(hash_len)
        }
        _ if has(n, &["trace_id", "span_id", "request_id", "correlation_id"]) => {
            TextKind::Hex(if n.starts_with("span") { 16 } else { 32 })
        }
        _ if n.ends_with("_key_id") => TextKind::Identifier("key".to_string()),
        _ if has(n, &["first_name", "firstname", "given_name"]) => TextKind::FirstName,
        _ if has(n, &["last_name", "lastname", "surname", "family_name"]) => TextKind::LastName,
        _ if has(
            n,
            &[
                "full_name",
                "fullname",
                "display_name",
                "author",
                "contact_name",
            ],
        ) =>
        {
            TextKind::FullName
        }
        _ if has(n, &["username", "user_name", "login", "handle", "nickname"]) => {
            TextKind::Username
        }
        _ if has(n, &["slug"]) => TextKind::Slug,
        _ if has(n, &["user_agent", "useragent"]) => TextKind::UserAgent,
        _ if has(n, &["url", "uri", "website", "link", "href", "avatar"]) => TextKind::Url,
        _ if has(n, &["endpoint", "route"]) => TextKind::UrlPath,
        _ if has(n, &["domain", "hostname"]) => TextKind::Domain,
        _ if is_word(n, &["ip", "ip_address", "ipaddr", "remote_addr"]) => TextKind::Ipv4,
        _ if has(n, &["phone", "mobile", "fax", "msisdn"]) => TextKind::Phone,
        _ if has(n, &["country"]) => match max_len {
            Some(2) => TextKind::CountryCode { alpha3: false },
            Some(3) => TextKind::CountryCode { alpha3: true },
            _ if has(n, &["code", "iso"]) => TextKind::CountryCode { alpha3: false },
            _ => TextKind::CountryName,
        },
        _ if has(n, &["city", "town"]) => TextKind::City,
        _ if has(n, &["street", "address"]) => TextKind::Street,
        _ if has(n, &["zip", "postal", "postcode"]) => TextKind::PostalCode,
        _ if has(n, &["currency"]) => TextKind::Currency,
        _ if has(n, &["locale"]) => TextKind::Locale,
        _ if has(n, &["language", "lang"]) => TextKind::Language,
        _ if has(n, &["timezone", "time_zone"]) || n == "tz" => TextKind::Timezone,
        _ if has(n, &["color", "colour"]) => TextKind::Color,
        _ if has(n, &["mime", "content_type", "media_type"]) => TextKind::MimeType,
        _ if has(n, &["file_name", "filename"]) => TextKind::FileName,
        _ if has(n, &["path"]) => TextKind::FilePath,
        _ if has(n, &["version"]) => TextKind::Version,
        _ if has(n, &["token", "secret", "api_key", "apikey"]) => TextKind::Token,
        _ if has(n, &["status", "state"]) => TextKind::Word(words::STATUSES),
        _ if has(n, &["role"]) => TextKind::Word(words::ROLES),
        _ if has(n, &["plan", "tier", "subscription"]) => TextKind::Word(words::PLANS),
        _ if has(n, &["level", "severity"]) => TextKind::Word(words::LEVELS),
        _ if has(n, &["priority"]) => TextKind::Word(words::PRIORITIES),
        _ if has(n, &["method", "verb"]) => TextKind::Word(words::HTTP_METHODS),
        _ if has(n, &["platform", "provider", "source", "channel"]) => {
            TextKind::Word(words::PLATFORMS)
        }
        _ if has(n, &["model"]) => TextKind::Word(words::MODELS),
        _ if is_word(
            n,
            &[
                "event",
                "events",
                "action",
                "actions",
                "trigger",
                "triggers",
                "operation",
                "activity",
            ],
        ) =>
        {
            TextKind::Word(words::EVENTS)
        }
        _ if matches!(n, "data_type" | "column_type" | "sql_type") => {
            TextKind::Word(words::SQL_TYPES)
        }
        _ if has(n, &["error", "failure", "reason"]) => TextKind::ErrorMessage,
        _ if has(n, &["sql", "query"]) => TextKind::Sql,
        _ if has(n, &["_md", "markdown", "content", "body"]) => TextKind::Markdown,
        _ if has(
            n,
            &[
                "description",
                "notes",
                "note",
                "comment",
                "summary",
                "bio",
                "message",
                "feedback",
                "prompt",
                "response",
                "text",
                "details",
            ],
        ) =>
        {
            if max_len.is_some_and(|m| m < 80) {
                TextKind::Phrase
            } else {
                TextKind::Sentence
            }
        }
        _ if has(n, &["code", "sku", "ref"]) => TextKind::Code,
        _ if has(n, &["title", "subject", "headline", "topic", "label"]) => TextKind::Title,
        _ if n == "name" || n.ends_with("_name") => {
            if has(
                table,
                &[
                    "user", "person", "people", "member", "customer", "employee", "author",
                    "contact", "account",
                ],
            ) {
                TextKind::FullName
            } else if has(
                table,
                &[
                    "org",
                    "compan",
                    "tenant",
                    "workspace",
                    "team",
                    "vendor",
                    "partner",
                    "client",
                ],
            ) {
                TextKind::Company
            } else {
                TextKind::Title
            }
        }
        _ if n == "id" || n.ends_with("_id") || n.ends_with("_key") => {
            let prefix = match n.strip_suffix("_id").or_else(|| n.strip_suffix("_key")) {
                Some(prefix) => prefix.to_string(),
                None => singular(table),
            };
            TextKind::Identifier(prefix)
        }
        _ if type_hint(&comment) => TextKind::Word(words::STATUSES),
        _ if has(n, &["type", "kind", "category", "mode", "group"]) => TextKind::Word(words::WORDS),
        _ => TextKind::Phrase,
    }
}

/// A comment that lists states ("active/suspended/archived") names a status.
fn type_hint(comment: &str) -> bool {
    comment.contains("active/") || comment.contains("status")
}

fn singular(table: &str) -> String {
    let t = table.to_lowercase();
    t.strip_suffix("ies")
        .map(|s| format!("{s}y"))
        .or_else(|| t.strip_suffix('s').map(str::to_string))
        .unwrap_or(t)
}

fn bool_ratio(name: &str) -> f64 {
    if has(
        name,
        &[
            "deleted", "system", "dry_run", "archived", "blocked", "banned", "locked", "test",
        ],
    ) {
        0.1
    } else if has(
        name,
        &[
            "active", "enabled", "verified", "visible", "valid", "nullable",
        ],
    ) {
        0.85
    } else {
        0.5
    }
}

fn integer_range(bits: u8, unsigned: bool) -> (i128, i128) {
    let bits = u32::from(bits.clamp(8, 64));
    if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    }
}

/// A realistic range for an integer column, and whether small values are more common.
fn integer_by_name(name: &str, table: &str) -> (f64, f64, bool) {
    match () {
        _ if has(name, &["rating", "stars"]) => (1.0, 5.0, false),
        _ if has(name, &["percent", "pct"]) => (0.0, 100.0, false),
        _ if has(name, &["score"]) => (0.0, 100.0, false),
        _ if name.ends_with("_ms") || has(name, &["duration", "latency", "elapsed"]) => {
            (5.0, 30_000.0, true)
        }
        _ if has(name, &["token"]) => (10.0, 8_000.0, true),
        _ if has(name, &["used", "consumed", "spent"]) => (0.0, 1_000.0, true),
        _ if has(name, &["limit", "quota", "capacity", "max_"]) => (1_000.0, 100_000.0, true),
        _ if has(name, &["age"]) && !has(name, &["page", "usage", "image", "stage"]) => {
            (18.0, 90.0, false)
        }
        _ if has(name, &["year"]) => (1990.0, 2025.0, false),
        _ if has(name, &["port"]) => (1024.0, 65_535.0, false),
        _ if has(name, &["priority"]) => (1.0, 5.0, false),
        _ if has(name, &["size", "bytes", "length"]) => (100.0, 10_000_000.0, true),
        _ if has(name, &["position", "order", "sort", "rank", "index", "seq"]) => {
            (0.0, 100.0, false)
        }
        _ if has(
            name,
            &[
                "count", "quantity", "qty", "used", "total", "num_", "usage", "phases", "attempts",
                "retries",
            ],
        ) =>
        {
            (0.0, 1_000.0, true)
        }
        _ if name == "status" || name.ends_with("_status") => (1.0, 3.0, false),
        _ => {
            let _ = table;
            (1.0, 10_000.0, true)
        }
    }
}

fn decimal_by_name(name: &str) -> (f64, f64) {
    match () {
        _ if has(name, &["latitude", "lat"]) && !has(name, &["latency"]) => (-90.0, 90.0),
        _ if has(name, &["longitude", "lng", "lon"]) => (-180.0, 180.0),
        _ if has(name, &["percent", "rate", "ratio", "pct", "score"]) => (0.0, 100.0),
        _ if has(
            name,
            &[
                "price", "cost", "amount", "total", "balance", "fee", "usd", "eur", "salary",
                "budget",
            ],
        ) =>
        {
            (0.5, 500.0)
        }
        _ if has(name, &["weight", "height", "width"]) => (0.1, 200.0),
        _ => (0.0, 1_000.0),
    }
}

/// Intersects the type's range, the CHECK bounds and any override with the
/// realistic range; falls back to the hard range when they do not overlap.
fn numeric_bounds(
    input: &ColumnInput,
    type_min: f64,
    type_max: f64,
    realistic_min: f64,
    realistic_max: f64,
    step: f64,
) -> Result<(f64, f64), MockError> {
    let facts = input.facts;
    let mut hard_min = type_min;
    let mut hard_max = type_max;
    if let Some((v, inclusive)) = facts.min {
        let v = if inclusive { v } else { v + step };
        hard_min = hard_min.max(if step >= 1.0 { v.ceil() } else { v });
    }
    if let Some((v, inclusive)) = facts.max {
        let v = if inclusive { v } else { v - step };
        hard_max = hard_max.min(if step >= 1.0 { v.floor() } else { v });
    }
    if let Some(overrides) = input.overrides {
        if let Some(min) = &overrides.min {
            hard_min = hard_min.max(
                min.as_f64()
                    .ok_or_else(|| input.invalid("`min` must be a number"))?,
            );
        }
        if let Some(max) = &overrides.max {
            hard_max = hard_max.min(
                max.as_f64()
                    .ok_or_else(|| input.invalid("`max` must be a number"))?,
            );
        }
        if overrides.min.is_some() || overrides.max.is_some() {
            if hard_min > hard_max {
                return Err(
                    input.invalid("`min` is above `max` within the column's type and CHECKs")
                );
            }
            return Ok((hard_min, hard_max));
        }
    }
    if hard_min > hard_max {
        return Err(MockError::Unsupported {
            table: input.table.to_string(),
            column: input.column.name.clone(),
            reason: "its CHECK constraints allow no number".to_string(),
        });
    }
    let min = realistic_min.max(hard_min);
    let max = realistic_max.min(hard_max);
    if min <= max && (!input.unique || (max - min) / step + 1.0 >= input.rows as f64) {
        Ok((min, max))
    } else if input.unique && hard_min >= 0.0
        || hard_min > realistic_max
        || hard_max < realistic_min
    {
        // Unique keys need room: start at the realistic minimum and grow within the hard range.
        let start = if hard_min <= realistic_min && realistic_min <= hard_max {
            realistic_min
        } else {
            hard_min
        };
        Ok((start, hard_max))
    } else {
        Ok((hard_min, hard_max))
    }
}

fn timestamp_window() -> (i64, i64) {
    let end = (NOW_DAYS - 30) * MICROS_PER_DAY;
    (end - WINDOW_DAYS * MICROS_PER_DAY, end)
}

fn date_window(name: &str) -> (i64, i64) {
    if has(name, &["birth", "dob"]) {
        (
            days_from_civil(1950, 1, 1) * MICROS_PER_DAY,
            days_from_civil(2005, 12, 31) * MICROS_PER_DAY,
        )
    } else {
        timestamp_window()
    }
}

fn time_bounds(
    input: &ColumnInput,
    (mut min, mut max): (i64, i64),
) -> Result<(i64, i64), MockError> {
    let facts = input.facts;
    if let Some((t, inclusive)) = facts.min_time {
        let t = if inclusive { t } else { t + MICROS_PER_DAY };
        if t > min {
            min = t;
            max = max.max(min + WINDOW_DAYS * MICROS_PER_DAY);
        }
    }
    if let Some((t, inclusive)) = facts.max_time {
        let t = if inclusive { t } else { t - MICROS_PER_DAY };
        if t < max {
            max = t;
            min = min.min(max - WINDOW_DAYS * MICROS_PER_DAY);
        }
    }
    if let Some(overrides) = input.overrides {
        let parse = |v: &serde_json::Value, what: &str| {
            v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                input.invalid(format!(
                    "`{what}` must be a date or timestamp like \"2024-01-31\""
                ))
            })
        };
        if let Some(v) = &overrides.min {
            min = parse(v, "min")?;
        }
        if let Some(v) = &overrides.max {
            max = parse(v, "max")?;
        }
        if min > max {
            return Err(input.invalid("`min` is after `max`"));
        }
    }
    Ok((min, max.max(min)))
}

/// The JSON of a column: shaped like the example in its comment, else by its name and default.
pub(crate) fn json_shape(input: &ColumnInput) -> JsonShape {
    if let Some(example) = input.column.comment.as_deref().and_then(comment_example) {
        return shape_of(&example, "");
    }
    let name = input.name();
    let default_is_array = input
        .column
        .default
        .as_deref()
        .is_some_and(|d| d.trim_start_matches(['(', '\'']).starts_with('['));
    let text = |key: &str, kind: TextKind| (key.to_string(), JsonShape::Text(kind, None));
    let int = |key: &str, max: i64| (key.to_string(), JsonShape::Int(max));
    if default_is_array
        || has(
            &name,
            &["permissions", "scopes", "tags", "labels", "events", "roles"],
        )
    {
        return JsonShape::Array(
            Box::new(JsonShape::Text(TextKind::Word(words::EVENTS), None)),
            4,
        );
    }
    JsonShape::Object(match () {
        _ if has(&name, &["setting", "config", "preference", "option"]) => vec![
            text("theme", TextKind::Word(&["light", "dark", "system"])),
            ("notifications".to_string(), JsonShape::Bool),
            text("language", TextKind::Language),
        ],
        _ if has(&name, &["token_usage", "usage"]) => vec![
            int("prompt_tokens", 2_000),
            int("completion_tokens", 1_000),
            int("total_tokens", 3_000),
            text("model", TextKind::Word(words::MODELS)),
            (
                "cost_usd".to_string(),
                JsonShape::Float {
                    max: 0.5,
                    decimals: 4,
                },
            ),
        ],
        _ if has(&name, &["credential", "secret", "auth"]) => vec![
            text("api_key", TextKind::Token),
            text("account", TextKind::Email),
        ],
        _ if has(&name, &["error"]) => vec![
            text(
                "code",
                TextKind::Word(&["timeout", "invalid_input", "not_found", "rate_limited"]),
            ),
            text("message", TextKind::ErrorMessage),
        ],
        _ if has(&name, &["result", "output", "response"]) => vec![
            text("status", TextKind::Word(words::STATUSES)),
            int("items", 500),
            int("duration_ms", 5_000),
        ],
        _ if has(&name, &["metadata", "meta"]) => vec![
            text("source", TextKind::Word(words::PLATFORMS)),
            text("version", TextKind::Version),
            (
                "tags".to_string(),
                JsonShape::Array(
                    Box::new(JsonShape::Text(TextKind::Word(words::WORDS), None)),
                    3,
                ),
            ),
        ],
        _ => vec![
            text("action", TextKind::Word(words::EVENTS)),
            text("ip", TextKind::Ipv4),
            int("count", 100),
        ],
    })
}

/// The first `{...}` or `[...]` in a comment that parses as JSON once
/// placeholder ellipses (`{...}`, `, ...`) are removed.
pub(crate) fn comment_example(comment: &str) -> Option<serde_json::Value> {
    let start = comment.find(['{', '['])?;
    let bytes = comment.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut end = None;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'"' => in_string = !in_string,
            b'{' | b'[' if !in_string => depth += 1,
            b'}' | b']' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let text = &comment[start..=end?];
    let cleaned = text
        .replace(", ...", "")
        .replace(",...", "")
        .replace("{...}", "{}")
        .replace("[...]", "[]")
        .replace("...", "");
    serde_json::from_str(&cleaned).ok()
}

fn shape_of(example: &serde_json::Value, key: &str) -> JsonShape {
    use serde_json::Value as J;
    match example {
        J::Null => JsonShape::Null,
        J::Bool(_) => JsonShape::Bool,
        J::Number(n) => match n.as_i64() {
            Some(i) => JsonShape::Int((i.saturating_mul(2)).max(10)),
            None => {
                let f = n.as_f64().unwrap_or(1.0);
                let decimals = n
                    .to_string()
                    .split('.')
                    .nth(1)
                    .map_or(2, |d| d.len() as u32);
                JsonShape::Float {
                    max: (f * 2.0).max(1.0),
                    decimals,
                }
            }
        },
        J::String(s) => {
            let kind = text_kind(key, "", None, None);
            let kind = if kind == TextKind::Phrase && !s.contains(' ') && s.len() < 24 {
                TextKind::Word(words::WORDS)
            } else {
                kind
            };
            JsonShape::Text(kind, Some(s.clone()))
        }
        J::Array(items) => match items.first() {
            Some(first) => JsonShape::Array(
                Box::new(shape_of(first, key)),
                items.len().clamp(1, 5) as u32,
            ),
            None => JsonShape::Array(
                Box::new(JsonShape::Text(TextKind::Word(words::WORDS), None)),
                3,
            ),
        },
        J::Object(fields) => JsonShape::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), shape_of(v, k)))
                .collect(),
        ),
    }
}

/// A CHECK constant as a value of the column's type.
fn lit_to_value(lit: &Lit, logical: &LogicalType) -> Value {
    match (lit, logical) {
        (Lit::Num(n), LogicalType::Integer { .. }) => Value::Int(*n as i64),
        (Lit::Num(n), LogicalType::Decimal { scale, .. }) => {
            let scale = scale.unwrap_or(0);
            Value::Decimal(crate::values::decimal_text(
                (n * 10f64.powi(scale as i32)).round() as i128,
                scale,
            ))
        }
        (Lit::Num(n), LogicalType::Float { .. }) => Value::Float(*n),
        (Lit::Num(n), _) => Value::Text(if n.fract() == 0.0 {
            format!("{}", *n as i64)
        } else {
            n.to_string()
        }),
        (Lit::Bool(b), _) => Value::Bool(*b),
        (Lit::Str(s), LogicalType::Integer { .. }) => s
            .parse()
            .map_or_else(|_| Value::Text(s.clone()), Value::Int),
        (Lit::Str(s), _) => Value::Text(s.clone()),
        (Lit::Null, _) => Value::Null,
    }
}

/// An override's value as a value of the column's type.
fn json_to_value(json: &serde_json::Value, logical: &LogicalType) -> Value {
    use serde_json::Value as J;
    match (json, logical) {
        (J::Null, _) => Value::Null,
        (_, LogicalType::Json { .. }) => Value::Json(json.to_string()),
        (J::Bool(b), _) => Value::Bool(*b),
        (J::Number(n), LogicalType::Decimal { .. }) => Value::Decimal(n.to_string()),
        (J::Number(n), LogicalType::Float { .. }) => Value::Float(n.as_f64().unwrap_or(0.0)),
        (J::Number(n), _) if n.is_i64() => Value::Int(n.as_i64().unwrap_or(0)),
        (J::Number(n), _) => Value::Float(n.as_f64().unwrap_or(0.0)),
        (J::String(s), LogicalType::Date) => parse_timestamp(s).map_or_else(
            || Value::Text(s.clone()),
            |t| Value::Date((t / MICROS_PER_DAY) as i32),
        ),
        (J::String(s), LogicalType::Timestamp { with_time_zone }) => parse_timestamp(s)
            .map_or_else(
                || Value::Text(s.clone()),
                |micros| Value::Timestamp {
                    micros,
                    with_time_zone: *with_time_zone,
                },
            ),
        (J::String(s), _) => Value::Text(s.clone()),
        (other, _) => Value::Text(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pick_realistic_text() {
        assert_eq!(text_kind("email", "users", None, None), TextKind::Email);
        assert_eq!(text_kind("name", "users", None, None), TextKind::FullName);
        assert_eq!(
            text_kind("name", "organizations", None, None),
            TextKind::Company
        );
        assert_eq!(text_kind("token_hash", "t", None, None), TextKind::Hex(64));
        assert_eq!(
            text_kind("country", "t", None, Some(2)),
            TextKind::CountryCode { alpha3: false }
        );
        assert_eq!(text_kind("country", "t", None, None), TextKind::CountryName);
        assert_eq!(
            text_kind("id", "tenants", None, None),
            TextKind::Identifier("tenant".into())
        );
        assert_eq!(
            text_kind("status", "t", None, None),
            TextKind::Word(words::STATUSES)
        );
    }

    #[test]
    fn comment_examples_parse_with_placeholders() {
        let comment =
            r#"Flexible settings, e.g. {"model": "gpt-4", "on": true, "nested": {...}, "n": 5}."#;
        let example = comment_example(comment).unwrap();
        assert_eq!(example["model"], "gpt-4");
        assert!(example["nested"].is_object());
        let list = comment_example(r#"Granted, e.g. ["a.b", "c.d"]."#).unwrap();
        assert!(list.is_array());
        assert!(comment_example("no json here").is_none());
    }
}
