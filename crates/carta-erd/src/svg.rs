//! SVG drawn by Carta: boxes for tables, lines for relations.

use crate::mermaid::html_escape;
use crate::{Diagram, DiagramTable};
use carta_catalog::QualifiedName;
use std::collections::HashMap;
use std::fmt::Write as _;

const ROW_HEIGHT: f64 = 18.0;
const CHAR_WIDTH: f64 = 7.0;
const PADDING: f64 = 8.0;
const GAP: f64 = 60.0;

struct Placed<'a> {
    table: &'a DiagramTable,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl Diagram {
    /// The diagram as a standalone SVG document. `link` gives each table's
    /// page URL, if it has one; every table group also carries
    /// `data-table="schema.table"` for scripts.
    pub fn to_svg(&self, link: &dyn Fn(&QualifiedName) -> Option<String>) -> String {
        let placed = self.grid_layout();
        let width = placed.iter().map(|p| p.x + p.width).fold(0.0, f64::max) + GAP / 2.0;
        let height = placed.iter().map(|p| p.y + p.height).fold(0.0, f64::max) + GAP / 2.0;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        );
        let by_name: HashMap<&QualifiedName, &Placed> =
            placed.iter().map(|p| (&p.table.name, p)).collect();
        for edge in &self.edges {
            if let (Some(from), Some(to)) = (by_name.get(&edge.from), by_name.get(&edge.to)) {
                let dash = if edge.is_virtual {
                    " stroke-dasharray=\"4 3\""
                } else {
                    ""
                };
                let _ = writeln!(
                    svg,
                    "  <line class=\"relation\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#6b7a90\"{dash}/>",
                    from.x + from.width / 2.0,
                    from.y + from.height / 2.0,
                    to.x + to.width / 2.0,
                    to.y + to.height / 2.0
                );
            }
        }
        for p in &placed {
            draw_table(&mut svg, p, link(&p.table.name));
        }
        svg.push_str("</svg>\n");
        svg
    }

    fn grid_layout(&self) -> Vec<Placed<'_>> {
        let per_row = (self.tables.len() as f64).sqrt().ceil().max(1.0) as usize;
        let mut placed = Vec::with_capacity(self.tables.len());
        let mut y = GAP / 2.0;
        for row in self.tables.chunks(per_row) {
            let mut x = GAP / 2.0;
            let mut tallest: f64 = 0.0;
            for table in row {
                let (width, height) = box_size(table);
                placed.push(Placed {
                    table,
                    x,
                    y,
                    width,
                    height,
                });
                x += width + GAP;
                tallest = tallest.max(height);
            }
            y += tallest + GAP;
        }
        placed
    }
}

fn box_size(table: &DiagramTable) -> (f64, f64) {
    let widest = table
        .columns
        .iter()
        .map(|c| c.name.len() + c.data_type.len() + 4)
        .chain(std::iter::once(table.name.to_string().len()))
        .max()
        .unwrap_or(0);
    (
        widest as f64 * CHAR_WIDTH + 2.0 * PADDING,
        (table.columns.len() + 1) as f64 * ROW_HEIGHT + PADDING,
    )
}

fn draw_table(svg: &mut String, p: &Placed, link: Option<String>) {
    let name = p.table.name.to_string();
    if let Some(href) = &link {
        let _ = writeln!(svg, "  <a href=\"{}\">", html_escape(href));
    }
    let _ = writeln!(
        svg,
        "  <g class=\"table\" data-table=\"{}\">\n    <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" stroke=\"#34495e\"/>\n    <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ROW_HEIGHT}\" fill=\"{}\"/>\n    <text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
        html_escape(&name),
        p.x, p.y, p.width, p.height,
        p.x, p.y, p.width,
        if p.table.is_view { "#e8e0f5" } else { "#dbe7f5" },
        p.x + PADDING, p.y + ROW_HEIGHT - 5.0,
        html_escape(&name)
    );
    for (i, column) in p.table.columns.iter().enumerate() {
        let key = match (column.primary_key, column.foreign_key) {
            (true, _) => "PK ",
            (false, true) => "FK ",
            _ => "",
        };
        let _ = writeln!(
            svg,
            "    <text x=\"{:.1}\" y=\"{:.1}\">{}{} <tspan fill=\"#6b7a90\">{}</tspan></text>",
            p.x + PADDING,
            p.y + (i + 2) as f64 * ROW_HEIGHT - 5.0,
            key,
            html_escape(&column.name),
            html_escape(&column.data_type)
        );
    }
    svg.push_str("  </g>\n");
    if link.is_some() {
        svg.push_str("  </a>\n");
    }
}
