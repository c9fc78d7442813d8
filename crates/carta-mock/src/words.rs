//! Built-in word lists for realistic values. Written for Carta, kept small:
//! variety comes from combining them with per-row numbers.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Anika", "Arjun", "Astrid", "Bea", "Bruno", "Carmen", "Chen", "Clara",
    "Dario", "Diego", "Elena", "Emeka", "Emil", "Farah", "Felix", "Freya", "Grace", "Hana", "Hugo",
    "Ines", "Ivan", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina", "Luca", "Maya", "Mei",
    "Mila", "Nadia", "Nia", "Noah", "Olga", "Omar", "Oskar", "Priya", "Rafael", "Rosa", "Sami",
    "Sara", "Sofia", "Tariq", "Theo", "Tomas", "Uma", "Vera", "Wen", "Yara", "Yusuf", "Zara",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Abe", "Adeyemi", "Almeida", "Andersen", "Bauer", "Becker", "Bianchi", "Costa", "Dubois",
    "Eriksen", "Fischer", "Garcia", "Haddad", "Hansen", "Ivanova", "Jensen", "Kato", "Khan",
    "Kowalski", "Lam", "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Mwangi", "Nakamura",
    "Novak", "Okafor", "Olsen", "Park", "Patel", "Perez", "Petrov", "Quinn", "Rossi", "Santos",
    "Schmidt", "Silva", "Singh", "Sato", "Tanaka", "Torres", "Varga", "Weber", "Wong", "Yilmaz",
    "Zhang",
];

/// Everyday words for sentences, titles, slugs and names of things.
pub(crate) const WORDS: &[&str] = &[
    "account",
    "action",
    "agent",
    "alert",
    "analysis",
    "archive",
    "audit",
    "backup",
    "batch",
    "billing",
    "board",
    "budget",
    "build",
    "cache",
    "campaign",
    "channel",
    "check",
    "client",
    "cloud",
    "cluster",
    "config",
    "contract",
    "customer",
    "dashboard",
    "data",
    "deploy",
    "design",
    "device",
    "digest",
    "draft",
    "engine",
    "event",
    "export",
    "feature",
    "feed",
    "filter",
    "flow",
    "forecast",
    "gateway",
    "graph",
    "guide",
    "import",
    "index",
    "insight",
    "invoice",
    "job",
    "ledger",
    "level",
    "library",
    "link",
    "list",
    "log",
    "market",
    "metric",
    "model",
    "monitor",
    "network",
    "note",
    "order",
    "panel",
    "partner",
    "payment",
    "pipeline",
    "plan",
    "policy",
    "portal",
    "process",
    "product",
    "profile",
    "project",
    "queue",
    "quote",
    "record",
    "release",
    "report",
    "request",
    "review",
    "route",
    "rule",
    "sample",
    "schedule",
    "search",
    "segment",
    "service",
    "session",
    "signal",
    "source",
    "stage",
    "storage",
    "stream",
    "summary",
    "survey",
    "sync",
    "task",
    "team",
    "template",
    "ticket",
    "track",
    "update",
    "upload",
    "usage",
    "vendor",
    "view",
    "widget",
    "window",
    "workflow",
    "zone",
];

pub(crate) const ADJECTIVES: &[&str] = &[
    "active", "annual", "basic", "bright", "central", "clear", "daily", "direct", "early", "easy",
    "final", "first", "fresh", "global", "green", "initial", "internal", "key", "large", "live",
    "local", "main", "manual", "monthly", "new", "open", "primary", "quick", "rapid", "regional",
    "secure", "shared", "simple", "smart", "solid", "steady", "swift", "united", "weekly",
];

pub(crate) const VERBS: &[&str] = &[
    "adds", "builds", "checks", "collects", "covers", "creates", "defines", "handles", "keeps",
    "lists", "loads", "marks", "moves", "opens", "records", "sends", "shows", "stores", "tracks",
    "updates",
];

pub(crate) const COMPANY_SUFFIXES: &[&str] = &[
    "Labs",
    "Systems",
    "Group",
    "Works",
    "Analytics",
    "Cloud",
    "Studio",
    "Partners",
    "Digital",
    "Networks",
    "Logistics",
    "Health",
    "Energy",
    "Foods",
    "Media",
];

pub(crate) const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.test",
    "inbox.test",
    "corp.test",
];

pub(crate) const TLDS: &[&str] = &["com", "io", "net", "org", "dev", "app", "co"];

pub(crate) const CITIES: &[&str] = &[
    "Lisbon", "Nairobi", "Osaka", "Toronto", "Lyon", "Bergen", "Porto", "Austin", "Seoul", "Cusco",
    "Accra", "Krakow", "Dublin", "Hanoi", "Perth", "Quito", "Tbilisi", "Utrecht", "Valencia",
    "Zurich", "Montreal", "Chennai", "Busan", "Leeds", "Graz",
];

/// ISO 3166-1 alpha-2, alpha-3 and English short name.
pub(crate) const COUNTRIES: &[(&str, &str, &str)] = &[
    ("US", "USA", "United States"),
    ("GB", "GBR", "United Kingdom"),
    ("DE", "DEU", "Germany"),
    ("FR", "FRA", "France"),
    ("ES", "ESP", "Spain"),
    ("PT", "PRT", "Portugal"),
    ("IT", "ITA", "Italy"),
    ("NL", "NLD", "Netherlands"),
    ("SE", "SWE", "Sweden"),
    ("NO", "NOR", "Norway"),
    ("PL", "POL", "Poland"),
    ("CA", "CAN", "Canada"),
    ("MX", "MEX", "Mexico"),
    ("BR", "BRA", "Brazil"),
    ("AR", "ARG", "Argentina"),
    ("JP", "JPN", "Japan"),
    ("KR", "KOR", "South Korea"),
    ("IN", "IND", "India"),
    ("AU", "AUS", "Australia"),
    ("KE", "KEN", "Kenya"),
    ("NG", "NGA", "Nigeria"),
    ("ZA", "ZAF", "South Africa"),
    ("EG", "EGY", "Egypt"),
    ("VN", "VNM", "Vietnam"),
];

pub(crate) const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "NOK", "BRL", "MXN", "INR", "KRW",
    "ZAR",
];

pub(crate) const LANGUAGES: &[&str] = &["en", "es", "fr", "de", "pt", "it", "nl", "ja", "ko", "sv"];

pub(crate) const LOCALES: &[&str] = &[
    "en-US", "en-GB", "es-ES", "es-MX", "fr-FR", "de-DE", "pt-BR", "it-IT", "nl-NL", "ja-JP",
];

pub(crate) const TIMEZONES: &[&str] = &[
    "UTC",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Africa/Nairobi",
    "Australia/Sydney",
];

pub(crate) const STATUSES: &[&str] = &["active", "pending", "completed", "failed", "archived"];
pub(crate) const ROLES: &[&str] = &["member", "admin", "viewer", "editor", "owner"];
pub(crate) const PLANS: &[&str] = &["free", "pro", "team", "enterprise"];
pub(crate) const LEVELS: &[&str] = &["info", "info", "info", "warning", "error", "debug"];
pub(crate) const PRIORITIES: &[&str] = &["low", "medium", "high", "urgent"];
pub(crate) const HTTP_METHODS: &[&str] = &[
    "GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE",
];
pub(crate) const EVENTS: &[&str] = &[
    "user.login",
    "user.logout",
    "user.created",
    "project.created",
    "project.updated",
    "run.started",
    "run.completed",
    "run.failed",
    "token.issued",
    "token.revoked",
    "settings.changed",
    "file.uploaded",
];
pub(crate) const PLATFORMS: &[&str] = &[
    "web", "ios", "android", "slack", "google", "github", "stripe", "meta",
];
pub(crate) const MIME_TYPES: &[&str] = &[
    "application/json",
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/html",
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "application/zip",
    "video/mp4",
];
pub(crate) const FILE_EXTENSIONS: &[&str] =
    &["pdf", "csv", "json", "png", "txt", "md", "xlsx", "zip"];
pub(crate) const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.5.0",
    "python-requests/2.31.0",
];
pub(crate) const MODELS: &[&str] = &["gpt-4", "gpt-4o", "claude-3", "llama-3", "mistral-large"];
pub(crate) const ERRORS: &[&str] = &[
    "connection timed out",
    "permission denied",
    "rate limit exceeded",
    "invalid input",
    "upstream returned 502",
    "record not found",
    "quota exceeded",
];
pub(crate) const SQL_TYPES: &[&str] = &[
    "text",
    "integer",
    "uuid",
    "timestamptz",
    "boolean",
    "bigint",
    "jsonb",
    "varchar(255)",
    "numeric(10,2)",
    "date",
];
