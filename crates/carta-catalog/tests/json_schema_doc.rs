//! docs/catalog.schema.json is generated from the Rust types; this test
//! fails when they drift apart. Regenerate with
//! `CARTA_BLESS=1 cargo test -p carta-catalog --test json_schema_doc`.

use carta_catalog::Catalog;
use std::path::Path;

#[test]
fn committed_json_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalog.schema.json");
    let generated = Catalog::json_schema();
    if std::env::var_os("CARTA_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run CARTA_BLESS=1 cargo test -p carta-catalog --test json_schema_doc",
        path.display()
    );
}
