//! The HTML site in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), opening the site from disk through `file://` exactly as a
//! user would. Exercises search, diagram zoom (buttons and wheel), panning by
//! dragging, click-through from the diagram to a table page, and foreign-key
//! links in both directions.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `scripts/test` installs
//! them. Set `CARTA_SCREENSHOTS=DIR` to keep screenshots of the pages.

use carta_catalog::{
    Catalog, Column, Dialect, EnumType, ForeignKey, LogicalType, MatchType, PrimaryKey,
    QualifiedName, ReferentialAction, Schema, Table,
};
use carta_doc::html::{render, HtmlOptions};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, WheelAction, WheelActions};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The whole browser session; a hung browser fails the test instead of hanging it.
const TEST_TIMEOUT: Duration = Duration::from_secs(180);
const STEP_TIMEOUT: Duration = Duration::from_secs(15);

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("carta-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// chromedriver in its own process group, so the browsers it starts are
/// ended with it even when the test fails half-way.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start(log: &Path) -> Chromedriver {
        use std::os::unix::process::CommandExt;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("find a free localhost port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let driver = Chromedriver { child, port };
        let deadline = Instant::now() + STEP_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {STEP_TIMEOUT:?}; log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // chromedriver leads its own process group (see `start`), whose id is
        // its pid; ending the group also ends the browsers it started. Never
        // signal group 0 or 1: that would reach this process or everything.
        if let Ok(group) = libc::pid_t::try_from(self.child.id()) {
            if group > 1 {
                // SAFETY: killpg only sends a signal; the group is ours.
                unsafe {
                    libc::killpg(group, libc::SIGKILL);
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_browser() {
    for path in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: the HTML site's browser test needs Debian's `chromium` and \
             `chromium-driver`. Run scripts/test, which installs them \
             (or: apt-get install chromium chromium-driver)."
        );
    }
}

/// A small multi-tenant schema shaped like seed 000 (ORKO AI): six tables
/// with foreign keys in several directions, comments and an enum.
fn orko_catalog() -> Catalog {
    let column = |name: &str, data_type: &str, comment: &str| Column {
        name: name.into(),
        data_type: data_type.into(),
        logical_type: LogicalType::Other,
        nullable: name.ends_with("_at") || name == "comment",
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: Some(comment.into()),
    };
    let fk = |column: &str, parent: &str| ForeignKey {
        name: Some(format!("{column}_fkey")),
        columns: vec![column.into()],
        referenced_table: QualifiedName::new("orko", parent),
        referenced_columns: vec!["id".into()],
        on_update: ReferentialAction::NoAction,
        on_delete: ReferentialAction::Cascade,
        match_type: MatchType::Simple,
        deferrable: false,
        initially_deferred: false,
        comment: None,
    };
    let table = |name: &str, comment: &str, columns: Vec<Column>, fks: Vec<ForeignKey>| Table {
        name: name.into(),
        comment: Some(comment.into()),
        primary_key: Some(PrimaryKey {
            name: Some(format!("{name}_pkey")),
            columns: vec!["id".into()],
            comment: None,
        }),
        columns,
        foreign_keys: fks,
        ..Table::default()
    };
    let tables = vec![
        table(
            "orgs",
            "Companies or workspaces using ORKO.",
            vec![
                column("id", "uuid", "Primary key."),
                column("name", "text", "Organization name."),
                column("plan", "text", "Subscription plan."),
            ],
            vec![],
        ),
        table(
            "users",
            "Everyone registered in ORKO: admins, operators, viewers.",
            vec![
                column("id", "uuid", "Primary key."),
                column("org_id", "uuid", "Organization the user belongs to."),
                column("email", "text", "Login email address."),
                column(
                    "hashed_password",
                    "text",
                    "Password hash (never the password).",
                ),
                column("role", "orko.user_role", "Role within the organization."),
            ],
            vec![fk("org_id", "orgs")],
        ),
        table(
            "auth_tokens",
            "Login sessions and API authentication tokens.",
            vec![
                column("id", "uuid", "Primary key."),
                column("user_id", "uuid", "User the token authenticates."),
                column("token_hash", "text", "Hash of the token."),
                column(
                    "expires_at",
                    "timestamp with time zone",
                    "The token stops working at this time.",
                ),
            ],
            vec![fk("user_id", "users")],
        ),
        table(
            "automations",
            "User-created automation rules.",
            vec![
                column("id", "uuid", "Primary key."),
                column("user_id", "uuid", "User who created the automation."),
                column("config", "jsonb", "Parameters of the trigger and action."),
            ],
            vec![fk("user_id", "users")],
        ),
        table(
            "logs",
            "User and system activity, for analytics, audit and debugging.",
            vec![
                column("id", "bigint", "Primary key."),
                column("org_id", "uuid", "Organization the event belongs to."),
                column("user_id", "uuid", "User who caused the event."),
                column("event", "text", "Recorded event or system action."),
            ],
            vec![fk("org_id", "orgs"), fk("user_id", "users")],
        ),
        table(
            "feedback",
            "User feedback and ratings: captures user sentiment.",
            vec![
                column("id", "uuid", "Primary key."),
                column("user_id", "uuid", "User who submitted the feedback."),
                column("rating", "smallint", "Rating from 1 (worst) to 5 (best)."),
                column("comment", "text", "Free-text improvement suggestion."),
            ],
            vec![fk("user_id", "users")],
        ),
    ];
    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas.push(Schema {
        name: "orko".into(),
        comment: Some(
            "ORKO AI: organizations, users, tokens, automations, logs and feedback.".into(),
        ),
        tables,
        enums: vec![EnumType {
            name: "user_role".into(),
            values: vec!["admin".into(), "operator".into(), "viewer".into()],
            comment: Some("Role of a user within an organization.".into()),
        }],
        ..Schema::default()
    });
    catalog.finish()
}

/// The diagram canvas's transform as (scale, x, y).
async fn view(client: &Client) -> Result<(f64, f64, f64)> {
    let value = client
        .execute(
            "const m = new DOMMatrix(getComputedStyle(document.querySelector('.diagram-canvas')).transform);
             return [m.a, m.e, m.f];",
            vec![],
        )
        .await?;
    let number = |i: usize| value[i].as_f64().ok_or("transform is not numeric");
    Ok((number(0)?, number(1)?, number(2)?))
}

async fn result_names(client: &Client) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for li in client
        .find_all(Locator::Css("#search-results li[data-name]"))
        .await?
    {
        if li.is_displayed().await? {
            names.push(li.attr("data-name").await?.unwrap_or_default());
        }
    }
    Ok(names)
}

async fn search(client: &Client, query: &str) -> Result<Vec<String>> {
    let input = client.find(Locator::Id("search")).await?;
    input.clear().await?;
    input.send_keys(query).await?;
    client
        .wait()
        .at_most(STEP_TIMEOUT)
        .for_element(Locator::Css("#search-results li"))
        .await?;
    result_names(client).await
}

async fn wait_for_page(client: &Client, suffix: &str) -> Result<()> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let url = client.current_url().await?;
        if url.as_str().ends_with(suffix) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("expected a page ending in {suffix}, still at {url}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(client: &Client, name: &str) -> Result<()> {
    if let Some(dir) = std::env::var_os("CARTA_SCREENSHOTS") {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(Path::new(&dir).join(name), client.screenshot().await?)?;
    }
    Ok(())
}

async fn exercise(client: &Client, site: &Path) -> Result<()> {
    let index = format!("file://{}/index.html", site.display());
    client.goto(&index).await?;
    assert_eq!(client.title().await?, "ORKO");
    screenshot(client, "index.png").await?;

    // Search: a table by name, a column by name, a table by its comment.
    let hits = search(client, "auth_tok").await?;
    assert_eq!(hits.first().map(String::as_str), Some("orko.auth_tokens"));
    assert!(!hits.iter().any(|h| h == "orko.orgs" || h == "orko.users"));
    assert!(
        client
            .find(Locator::Id("search-results"))
            .await?
            .is_displayed()
            .await?
    );
    let hits = search(client, "hashed_pass").await?;
    assert_eq!(hits, ["orko.users.hashed_password"]);
    let hits = search(client, "sentiment").await?;
    assert_eq!(hits, ["orko.feedback"]);
    screenshot(client, "search.png").await?;
    let input = client.find(Locator::Id("search")).await?;
    let escape = char::from(fantoccini::key::Key::Escape).to_string();
    input.send_keys(&escape).await?;
    assert!(
        !client
            .find(Locator::Id("search-results"))
            .await?
            .is_displayed()
            .await?
    );

    // Zoom with the button, then with the wheel over the diagram.
    let viewport = client.find(Locator::Css(".diagram-viewport")).await?;
    let (scale0, _, _) = view(client).await?;
    client
        .find(Locator::Css(".diagram [data-zoom='in']"))
        .await?
        .click()
        .await?;
    let (scale1, _, _) = view(client).await?;
    assert!(scale1 > scale0 * 1.2, "zoom in: {scale0} -> {scale1}");
    let (x, y, w, h) = viewport.rectangle().await?;
    let mut wheel = WheelActions::new("wheel".into());
    wheel.push(WheelAction::Scroll {
        duration: None,
        x: (x + w / 2.0) as i64,
        y: (y + h / 2.0) as i64,
        delta_x: 0,
        delta_y: 300,
    });
    client.perform_actions(wheel).await?;
    let (scale2, _, _) = view(client).await?;
    assert!(
        scale2 < scale1 * 0.8,
        "wheel zoom out: {scale1} -> {scale2}"
    );

    // Drag to pan, starting on a table: the drag must pan, not open the table.
    client
        .find(Locator::Css(".diagram [data-zoom='fit']"))
        .await?
        .click()
        .await?;
    let (_, x0, y0) = view(client).await?;
    let users = client
        .find(Locator::Css("g.table[data-table='orko.users']"))
        .await?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: users.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 60.0,
            y: 40.0,
        })
        .then(PointerAction::Up {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(drag).await?;
    client.release_actions().await?;
    let (_, x1, y1) = view(client).await?;
    assert!(
        (x1 - x0 - 60.0).abs() < 2.0 && (y1 - y0 - 40.0).abs() < 2.0,
        "drag by (60, 40) moved the diagram from ({x0}, {y0}) to ({x1}, {y1})"
    );
    assert!(client
        .current_url()
        .await?
        .as_str()
        .ends_with("/index.html"));

    // Click a table in the diagram: its page opens.
    client
        .find(Locator::Css(".diagram [data-zoom='fit']"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css("g.table[data-table='orko.users']"))
        .await?
        .click()
        .await?;
    wait_for_page(client, "/tables/orko.users.html").await?;
    let heading = client.find(Locator::Css("h1")).await?.text().await?;
    assert!(heading.contains("users"), "heading {heading:?}");
    client
        .find(Locator::Css("g.table.current[data-table='orko.users']"))
        .await?;
    screenshot(client, "table.png").await?;

    // Foreign key out to orgs, then orgs' "referenced by" link back.
    client
        .find(Locator::Css("a.fk-link[href='orko.orgs.html']"))
        .await?
        .click()
        .await?;
    wait_for_page(client, "/tables/orko.orgs.html").await?;
    client
        .find(Locator::Css("a.ref-link[href='orko.users.html']"))
        .await?
        .click()
        .await?;
    wait_for_page(client, "/tables/orko.users.html").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_searches_zooms_pans_and_navigates_in_chromium() {
    require_browser();
    let temp = TempDir::new("browser");
    let site = temp.0.join("site");
    let catalog = orko_catalog();
    let options = HtmlOptions {
        title: Some("ORKO".into()),
        ..HtmlOptions::default()
    };
    render(&catalog, &catalog.relations(), &options)
        .expect("render the site")
        .write_to(&site)
        .expect("write the site");

    let driver = Chromedriver::start(&temp.0.join("chromedriver.log"));
    let profile = temp.0.join("profile");
    let args = [
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1400,1000".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let capabilities = json!({
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let client = tokio::time::timeout(
        STEP_TIMEOUT * 2,
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port)),
    )
    .await
    .expect("chromedriver did not open a Chromium session in time")
    .expect("open a Chromium session");

    let outcome = tokio::time::timeout(TEST_TIMEOUT, exercise(&client, &site)).await;
    let _ = tokio::time::timeout(STEP_TIMEOUT, client.close()).await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("browser test failed: {e}"),
        Err(_) => panic!("browser test did not finish within {TEST_TIMEOUT:?}"),
    }
}
