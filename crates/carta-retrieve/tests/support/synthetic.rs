//! A 1,000-table business schema, written as PostgreSQL DDL: 40 domains
//! (one schema each) of 5 entities, each entity with its categories, status
//! history, attachments and a many-to-many link to the next entity. Entities
//! reference their domain's central entity; every central entity references
//! `identity.accounts`, the hub most real schemas have.

use std::fmt::Write;

/// Domain, then its entities as `noun: description`; the first is central.
const DOMAINS: &[(&str, [&str; 5])] = &[
    (
        "identity",
        [
            "account: user accounts that sign in",
            "role: permission roles",
            "session: login sessions",
            "api_key: keys for programmatic access",
            "invitation: invites sent to new people",
        ],
    ),
    (
        "sales",
        [
            "order: customer orders",
            "customer: buyers of our products",
            "quote: price offers sent to prospects",
            "discount: price reductions",
            "sales_rep: salespeople",
        ],
    ),
    (
        "billing",
        [
            "invoice: bills sent to customers",
            "payment: money received",
            "refund: money returned",
            "credit_note: corrections of invoices",
            "tax_rate: tax percentages",
        ],
    ),
    (
        "inventory",
        [
            "product: items for sale",
            "warehouse: storage buildings",
            "stock_level: quantities on hand",
            "supplier: vendors of goods",
            "stock_movement: goods moved between warehouses",
        ],
    ),
    (
        "shipping",
        [
            "shipment: parcels sent",
            "carrier: delivery companies",
            "tracking_event: scans along the route",
            "package: boxes in a shipment",
            "delivery_zone: areas served",
        ],
    ),
    (
        "marketing",
        [
            "campaign: promotional campaigns",
            "audience: target segments",
            "email_blast: newsletters sent",
            "landing_page: web pages for campaigns",
            "lead: prospects who showed interest",
        ],
    ),
    (
        "support",
        [
            "ticket: customer support requests",
            "agent: support staff",
            "sla_policy: response time promises",
            "macro: canned replies",
            "satisfaction_survey: ratings customers give our support",
        ],
    ),
    (
        "finance",
        [
            "ledger_entry: bookkeeping lines",
            "account_code: chart of accounts",
            "budget: planned spending",
            "cost_center: departments that spend",
            "fiscal_period: accounting months",
        ],
    ),
    (
        "payroll",
        [
            "payslip: monthly pay statements",
            "salary: base pay of employees",
            "bonus: extra pay",
            "deduction: amounts withheld from pay",
            "pay_run: payroll batches",
        ],
    ),
    (
        "hr",
        [
            "employee: people we employ",
            "department: organizational units",
            "leave_request: vacation and sick leave",
            "performance_review: yearly appraisals",
            "job_position: roles in the org chart",
        ],
    ),
    (
        "crm",
        [
            "contact: people at client companies",
            "company: client organizations",
            "deal: sales opportunities",
            "activity: calls and meetings",
            "pipeline_stage: steps of the sales funnel",
        ],
    ),
    (
        "procurement",
        [
            "purchase_order: orders placed with vendors",
            "vendor: suppliers we buy from",
            "requisition: internal purchase requests",
            "contract: agreements with vendors",
            "goods_receipt: deliveries received",
        ],
    ),
    (
        "manufacturing",
        [
            "work_order: production jobs",
            "machine: factory equipment",
            "bill_of_material: parts lists",
            "production_line: assembly lines",
            "quality_inspection: checks of produced goods",
        ],
    ),
    (
        "fleet",
        [
            "vehicle: trucks and vans in service",
            "driver: people licensed to drive",
            "trip: journeys driven",
            "fuel_purchase: fuel bought at stations",
            "maintenance_job: repairs and servicing",
        ],
    ),
    (
        "healthcare",
        [
            "patient: people receiving care",
            "appointment: visits booked with doctors",
            "prescription: medicines prescribed",
            "diagnosis: conditions found",
            "physician: doctors",
        ],
    ),
    (
        "education",
        [
            "student: enrolled learners",
            "course: classes taught",
            "enrollment: registrations for classes",
            "grade: marks awarded",
            "teacher: instructors",
        ],
    ),
    (
        "insurance",
        [
            "policy: insurance contracts",
            "claim: requests for payout after a loss",
            "premium: amounts paid for cover",
            "policyholder: insured people",
            "adjuster: staff who assess claims",
        ],
    ),
    (
        "banking",
        [
            "bank_account: deposit accounts",
            "transaction: money transfers",
            "loan: money lent",
            "card: debit and credit cards",
            "branch: bank offices",
        ],
    ),
    (
        "real_estate",
        [
            "property: buildings and land",
            "lease: rental agreements",
            "tenant: renters",
            "viewing: visits by prospective buyers",
            "listing: properties on the market",
        ],
    ),
    (
        "hospitality",
        [
            "reservation: hotel room bookings",
            "room: hotel rooms",
            "guest: hotel visitors",
            "housekeeping_task: room cleaning",
            "minibar_charge: drinks and snacks consumed",
        ],
    ),
    (
        "travel",
        [
            "booking: trips booked",
            "flight: air travel legs",
            "itinerary: travel plans",
            "traveler: people travelling",
            "visa_application: entry permits applied for",
        ],
    ),
    (
        "legal",
        [
            "case_file: legal matters",
            "court_hearing: sessions in court",
            "attorney: lawyers",
            "legal_document: filings and briefs",
            "billable_hour: time charged to clients",
        ],
    ),
    (
        "compliance",
        [
            "audit: compliance reviews",
            "control: safeguards checked",
            "finding: issues found in audits",
            "remediation: fixes for findings",
            "regulation: laws and standards",
        ],
    ),
    (
        "analytics",
        [
            "dashboard: charts of key figures",
            "report: scheduled reports",
            "metric: measured figures",
            "data_source: where data comes from",
            "alert_rule: thresholds that notify",
        ],
    ),
    (
        "content",
        [
            "article: published blog posts",
            "author: writers",
            "comment: reader comments",
            "tag: topics labelling articles",
            "media_asset: images and videos",
        ],
    ),
    (
        "ecommerce",
        [
            "cart: shopping baskets",
            "wishlist: saved items",
            "review: product reviews with star ratings",
            "coupon: discount codes",
            "checkout_session: payment steps",
        ],
    ),
    (
        "logistics",
        [
            "route: planned delivery routes",
            "depot: distribution centres",
            "stop: delivery addresses on a route",
            "dispatch: routes handed to crews",
            "load: freight carried",
        ],
    ),
    (
        "energy",
        [
            "meter: electricity meters",
            "meter_reading: consumption measurements",
            "tariff: price plans for energy",
            "outage: power cuts",
            "power_plant: generation sites",
        ],
    ),
    (
        "telecom",
        [
            "subscription: phone and internet plans",
            "sim_card: mobile SIMs",
            "call_record: phone calls made",
            "data_usage: mobile data consumed",
            "number_port: numbers moved from other operators",
        ],
    ),
    (
        "agriculture",
        [
            "field: farmland plots",
            "crop: plants grown",
            "harvest: crops gathered",
            "irrigation_event: watering of fields",
            "soil_sample: soil tests",
        ],
    ),
    (
        "retail",
        [
            "store: shops",
            "cash_register: tills",
            "receipt: sales at the till",
            "shift: staff working hours",
            "price_tag: shelf prices",
        ],
    ),
    (
        "events",
        [
            "event: conferences and concerts",
            "ticket_sale: tickets sold",
            "venue: places events are held",
            "speaker: presenters",
            "sponsor: companies funding events",
        ],
    ),
    (
        "recruiting",
        [
            "candidate: job applicants",
            "job_opening: vacancies",
            "interview: conversations with applicants",
            "offer_letter: job offers",
            "referral: candidates recommended by staff",
        ],
    ),
    (
        "projects",
        [
            "project: planned pieces of work",
            "task: to-dos",
            "milestone: deadlines",
            "timesheet: hours worked",
            "risk: threats to delivery",
        ],
    ),
    (
        "assets",
        [
            "asset: company equipment",
            "asset_assignment: equipment handed to staff",
            "depreciation: loss of value",
            "license: software licenses",
            "repair_order: repairs of equipment",
        ],
    ),
    (
        "security",
        [
            "incident: security breaches",
            "vulnerability: weaknesses found",
            "firewall_rule: network filters",
            "access_review: checks of permissions",
            "threat_indicator: signs of attacks",
        ],
    ),
    (
        "iot",
        [
            "device: connected sensors",
            "sensor_reading: measurements sent by devices",
            "firmware_release: device software versions",
            "gateway: hubs connecting devices",
            "device_alert: warnings raised by devices",
        ],
    ),
    (
        "media",
        [
            "video: streamed videos",
            "playlist: ordered collections of videos",
            "subscriber: paying viewers",
            "watch_session: viewing history",
            "channel: publishers of videos",
        ],
    ),
    (
        "gaming",
        [
            "player: people who play",
            "match: games played",
            "achievement: rewards unlocked",
            "leaderboard: rankings",
            "in_game_purchase: items bought with real money",
        ],
    ),
    (
        "nonprofit",
        [
            "donor: people who give money",
            "donation: gifts received",
            "volunteer: people who help for free",
            "grant: funding from foundations",
            "fundraiser: campaigns to raise money",
        ],
    ),
];

/// Status labels, one set per domain in turn.
const STATUSES: &[&[&str]] = &[
    &["draft", "active", "suspended", "archived"],
    &["pending", "approved", "rejected"],
    &["open", "in_progress", "resolved", "closed"],
    &["scheduled", "in_transit", "delivered", "returned"],
    &["planned", "running", "completed", "cancelled"],
];

/// The English plural of the last word of a snake_case noun.
fn plural(noun: &str) -> String {
    if let Some(stem) = noun.strip_suffix("is") {
        format!("{stem}es")
    } else if noun.ends_with('y') && !noun.ends_with("ay") && !noun.ends_with("ey") {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// The DDL of the whole schema; the same text on every call.
pub fn ddl() -> String {
    let mut out = String::new();
    for (d, (domain, entities)) in DOMAINS.iter().enumerate() {
        let labels: Vec<String> = STATUSES[d % STATUSES.len()]
            .iter()
            .map(|l| format!("'{l}'"))
            .collect();
        let _ = writeln!(out, "CREATE SCHEMA {domain};");
        let _ = writeln!(
            out,
            "CREATE TYPE {domain}.status AS ENUM ({});",
            labels.join(", ")
        );
        let nouns: Vec<(&str, &str)> = entities
            .iter()
            .map(|e| e.split_once(": ").expect("noun: description"))
            .collect();
        let (central, _) = nouns[0];
        for (k, &(noun, description)) in nouns.iter().enumerate() {
            let table = plural(noun);
            let words = table.replace('_', " ");
            let _ = writeln!(
                out,
                "CREATE TABLE {domain}.{noun}_categories (id bigint PRIMARY KEY, name text NOT NULL, description text);\n\
                 COMMENT ON TABLE {domain}.{noun}_categories IS 'Categories of {words}.';"
            );
            let mut columns = vec![
                "id bigint PRIMARY KEY".to_string(),
                "code varchar(40) NOT NULL UNIQUE".to_string(),
                "name text NOT NULL".to_string(),
                format!("status {domain}.status NOT NULL"),
                format!("category_id bigint REFERENCES {domain}.{noun}_categories (id)"),
            ];
            if k > 0 {
                columns.push(format!(
                    "{central}_id bigint NOT NULL REFERENCES {domain}.{} (id)",
                    plural(central)
                ));
            } else if d > 0 {
                columns.push("account_id bigint NOT NULL REFERENCES identity.accounts (id)".into());
            }
            columns.extend([
                "amount numeric(12,2)".to_string(),
                "created_at timestamptz NOT NULL DEFAULT now()".to_string(),
                "updated_at timestamptz".to_string(),
                "notes text".to_string(),
            ]);
            let _ = writeln!(
                out,
                "CREATE TABLE {domain}.{table} ({});\n\
                 COMMENT ON TABLE {domain}.{table} IS '{}.';\n\
                 COMMENT ON COLUMN {domain}.{table}.code IS 'Business code of the {}.';",
                columns.join(", "),
                capitalized(description),
                noun.replace('_', " ")
            );
            let _ = writeln!(
                out,
                "CREATE TABLE {domain}.{noun}_status_history (id bigint PRIMARY KEY, \
                 {noun}_id bigint NOT NULL REFERENCES {domain}.{table} (id), \
                 from_status {domain}.status, to_status {domain}.status NOT NULL, \
                 changed_at timestamptz NOT NULL, changed_by text);\n\
                 COMMENT ON TABLE {domain}.{noun}_status_history IS 'Status changes of {words} over time.';"
            );
            let _ = writeln!(
                out,
                "CREATE TABLE {domain}.{noun}_attachments (id bigint PRIMARY KEY, \
                 {noun}_id bigint NOT NULL REFERENCES {domain}.{table} (id), \
                 file_name text NOT NULL, mime_type text, size_bytes bigint, uploaded_at timestamptz);\n\
                 COMMENT ON TABLE {domain}.{noun}_attachments IS 'Files attached to {words}.';"
            );
        }
        for (k, &(noun, _)) in nouns.iter().enumerate() {
            let (next, _) = nouns[(k + 1) % nouns.len()];
            let _ = writeln!(
                out,
                "CREATE TABLE {domain}.{noun}_{next}_links (id bigint PRIMARY KEY, \
                 {noun}_id bigint NOT NULL REFERENCES {domain}.{} (id), \
                 {next}_id bigint NOT NULL REFERENCES {domain}.{} (id), \
                 role text, created_at timestamptz NOT NULL DEFAULT now());\n\
                 COMMENT ON TABLE {domain}.{noun}_{next}_links IS 'Which {} belong to which {}.';",
                plural(noun),
                plural(next),
                plural(next).replace('_', " "),
                plural(noun).replace('_', " ")
            );
        }
    }
    out
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
