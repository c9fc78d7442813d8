//! SVG drawn by Carta: tables as boxes with their columns, relations as
//! curves from the referencing column to the referenced key, with
//! crow's-foot ends, laid out by [`crate::layout`].

use crate::layout::{self, End, Layout, LayoutEdge, LayoutNode, LayoutOptions, Side, Step};
use crate::{Diagram, DiagramColumn, DiagramEdge, DiagramTable};
use carta_catalog::QualifiedName;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const FONT_SIZE: f64 = 12.0;
const HEADER_HEIGHT: f64 = 26.0;
const ROW_HEIGHT: f64 = 20.0;
const PADDING: f64 = 8.0;
const COLUMN_GAP: f64 = 10.0;
const MIN_WIDTH: f64 = 120.0;
/// Types longer than this are shortened with an ellipsis.
const MAX_TYPE_CHARS: usize = 32;
const NULL_MARK: &str = "null";

/// Relation colours, by parent table, so that lines into one parent read as one family.
const EDGE_COLOURS: [&str; 8] = [
    "#3b6ea8", "#c05621", "#2f855a", "#9b2c6f", "#6b46c1", "#a27c12", "#2c7a7b", "#c53030",
];

const STYLE: &str = "<style>\
.erd-bg{fill:#ffffff}\
.erd-schema rect{fill:#f2f5f9;stroke:#d3dbe6}\
.erd-schema text{fill:#52627a;font-size:13px;font-weight:bold}\
.table .erd-box{fill:#ffffff;stroke:#2b4a6f;stroke-width:1.2}\
.table .erd-head{fill:#2b4a6f}\
.table.erd-view .erd-box{stroke:#6b4f8a;stroke-dasharray:5 3}\
.table.erd-view .erd-head{fill:#6b4f8a}\
.table .erd-title{fill:#ffffff;font-weight:bold;font-size:13px}\
.table .erd-kind{fill:#e9e1f3;font-size:10px;font-style:italic}\
.table .erd-stripe{fill:#f3f5f8}\
.erd-pk{fill:#a86b00;font-weight:bold;font-size:10px}\
.erd-fk{fill:#2b6cb0;font-weight:bold;font-size:10px}\
.erd-name{fill:#1f2933}\
.erd-name.erd-key{font-weight:bold}\
.erd-type{fill:#6b7280}\
.erd-null{fill:#9aa3af;font-style:italic;font-size:10px}\
.relation path{fill:none;stroke-width:1.4}\
.relation .erd-dash{stroke-dasharray:6 4}\
.relation circle{fill:#ffffff;stroke-width:1.4}\
</style>\n";

/// A diagram laid out: `edges[i]` is `drawn[i]` in layout terms, routed by `layout.routes[i]`.
pub(crate) struct Drawing<'a> {
    diagram: &'a Diagram,
    schemas: Vec<&'a str>,
    metrics: Vec<BoxMetrics>,
    pub drawn: Vec<&'a DiagramEdge>,
    pub edges: Vec<LayoutEdge>,
    pub layout: Layout,
}

/// Where the parts of one table's box go, computed once for sizing and drawing.
struct BoxMetrics {
    width: f64,
    height: f64,
    key_x: f64,
    name_x: f64,
    type_x: f64,
    null_x: f64,
}

impl Diagram {
    /// The diagram as a standalone SVG document. `link` gives each table's
    /// page URL, if it has one; every table group also carries
    /// `data-table="schema.table"` and every relation `data-from` and
    /// `data-to` for scripts.
    pub fn to_svg(&self, link: &dyn Fn(&QualifiedName) -> Option<String>) -> String {
        self.drawing().render(link)
    }

    /// Box sizes, relation ports and the layout, ready to draw.
    pub(crate) fn drawing(&self) -> Drawing<'_> {
        let schemas = self.schema_names();
        let metrics: Vec<BoxMetrics> = self.tables.iter().map(box_metrics).collect();
        let positions: BTreeMap<&QualifiedName, usize> = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (&t.name, i))
            .collect();
        let index = |name: &QualifiedName| positions.get(name).copied();
        let nodes: Vec<LayoutNode> = self
            .tables
            .iter()
            .zip(&metrics)
            .map(|(t, m)| LayoutNode {
                width: m.width,
                height: m.height,
                group: schemas.binary_search(&t.name.schema.as_str()).unwrap_or(0),
            })
            .collect();
        let mut drawn: Vec<&DiagramEdge> = Vec::with_capacity(self.edges.len());
        let mut edges = Vec::with_capacity(self.edges.len());
        for edge in &self.edges {
            if let (Some(child), Some(parent)) = (index(&edge.from), index(&edge.to)) {
                drawn.push(edge);
                edges.push(LayoutEdge {
                    parent,
                    child,
                    parent_port: port(&self.tables[parent], &edge.to_columns),
                    child_port: port(&self.tables[child], &edge.from_columns),
                });
            }
        }
        let options = LayoutOptions {
            groups: schemas.len() > 1,
        };
        let layout = layout::layout(&nodes, &edges, options);
        Drawing {
            diagram: self,
            schemas,
            metrics,
            drawn,
            edges,
            layout,
        }
    }

    /// Distinct schema names, sorted: the group index of each table.
    pub(crate) fn schema_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tables.iter().map(|t| t.name.schema.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// The vertical middle of the row of the first of `columns`, or of the
/// header when that column is not shown (keys-only diagrams).
fn port(table: &DiagramTable, columns: &[String]) -> f64 {
    columns
        .first()
        .and_then(|c| table.columns.iter().position(|col| &col.name == c))
        .map_or(HEADER_HEIGHT / 2.0, |row| {
            HEADER_HEIGHT + (row as f64 + 0.5) * ROW_HEIGHT
        })
}

fn key_mark(column: &DiagramColumn) -> &'static str {
    match (column.primary_key, column.foreign_key) {
        (true, true) => "PK FK",
        (true, false) => "PK",
        (false, true) => "FK",
        (false, false) => "",
    }
}

fn shown_type(data_type: &str) -> String {
    if data_type.chars().count() > MAX_TYPE_CHARS {
        let mut short: String = data_type.chars().take(MAX_TYPE_CHARS - 1).collect();
        short.push('…');
        short
    } else {
        data_type.to_string()
    }
}

fn box_metrics(table: &DiagramTable) -> BoxMetrics {
    let key_width = table
        .columns
        .iter()
        .map(|c| text_width(key_mark(c), 10.0, true))
        .fold(0.0, f64::max);
    let name_width = table
        .columns
        .iter()
        .map(|c| text_width(&c.name, FONT_SIZE, c.primary_key || c.foreign_key))
        .fold(0.0, f64::max);
    let type_width = table
        .columns
        .iter()
        .map(|c| text_width(&shown_type(&c.data_type), FONT_SIZE, false))
        .fold(0.0, f64::max);
    let null_width = if table.columns.iter().any(|c| c.nullable) {
        text_width(NULL_MARK, 10.0, false) + COLUMN_GAP
    } else {
        0.0
    };
    let key_x = PADDING;
    let name_x = key_x
        + if key_width > 0.0 {
            key_width + 6.0
        } else {
            0.0
        };
    let type_x = name_x + name_width + COLUMN_GAP;
    let null_x = type_x + type_width + COLUMN_GAP;
    let title = text_width(&table.name.name, 13.0, true)
        + if table.is_view {
            text_width("view", 10.0, false) + COLUMN_GAP
        } else {
            0.0
        };
    let width = (null_x + null_width - COLUMN_GAP + PADDING)
        .max(title + 2.0 * PADDING)
        .max(MIN_WIDTH)
        .ceil();
    BoxMetrics {
        width,
        height: HEADER_HEIGHT + table.columns.len() as f64 * ROW_HEIGHT + 4.0,
        key_x,
        name_x,
        type_x,
        null_x,
    }
}

/// Advance widths of printable ASCII (space to tilde) in thousandths of
/// an em, from DejaVu Sans: the widest of the usual sans-serif fallbacks,
/// so text fits whichever of them the viewer has.
const WIDTHS: [[u16; 95]; 2] = [REGULAR, BOLD];
/// DejaVu Sans Book.
const REGULAR: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];
/// DejaVu Sans Bold.
const BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/// The width of `text` at `size` pixels.
fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let table = &WIDTHS[usize::from(bold)];
    let thousandths: f64 = text
        .chars()
        .map(|c| match u32::from(c) {
            code @ 32..=126 => f64::from(table[(code - 32) as usize]),
            // Accented Latin letters are about as wide as an average letter; other scripts, an em.
            0x80..=0x2FF => 700.0,
            _ => 1000.0,
        })
        .sum();
    thousandths / 1000.0 * size
}

impl Drawing<'_> {
    fn render(&self, link: &dyn Fn(&QualifiedName) -> Option<String>) -> String {
        let (diagram, schemas, metrics, placed, drawn, edges) = (
            self.diagram,
            &self.schemas,
            &self.metrics,
            &self.layout,
            &self.drawn,
            &self.edges,
        );
        let rows: usize = diagram.tables.iter().map(|t| t.columns.len() + 4).sum();
        let mut svg = String::with_capacity(1024 + rows * 200 + edges.len() * 400);
        let (w, h) = (Num(placed.width.ceil()), Num(placed.height.ceil()));
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{FONT_SIZE}\">",
        );
        svg.push_str(STYLE);
        svg.push_str("<rect class=\"erd-bg\" width=\"100%\" height=\"100%\"/>\n");
        for group in &placed.groups {
            let r = &group.rect;
            let name = Escaped(schemas.get(group.group).copied().unwrap_or_default());
            let _ = writeln!(
                svg,
                "<g class=\"erd-schema\" data-schema=\"{name}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/><text x=\"{}\" y=\"{}\">{name}</text></g>",
                Num(r.x),
                Num(r.y),
                Num(r.width),
                Num(r.height),
                Num(r.x + 10.0),
                Num(r.y + 19.0),
            );
        }
        for ((edge, layout_edge), route) in drawn.iter().zip(edges).zip(&placed.routes) {
            let colour = EDGE_COLOURS[layout_edge.parent % EDGE_COLOURS.len()];
            draw_relation(&mut svg, edge, route, colour);
        }
        for ((table, m), rect) in diagram.tables.iter().zip(metrics).zip(&placed.nodes) {
            draw_table(&mut svg, table, m, rect.x, rect.y, link(&table.name));
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// A coordinate, to a tenth of a pixel, written without float formatting:
/// giant diagrams hold millions of them.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let (whole, fraction) = (tenths / 10, (tenths % 10).abs());
        if tenths < 0 && whole == 0 {
            f.write_str("-")?;
        }
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{fraction}")
        }
    }
}

/// Text escaped for XML content and attribute values, written without
/// allocating.
struct Escaped<'a>(&'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                _ => "&quot;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

fn draw_relation(svg: &mut String, edge: &DiagramEdge, route: &layout::Route, colour: &str) {
    let _ = write!(
        svg,
        "<g class=\"relation\" data-from=\"{from}\" data-to=\"{to}\" stroke=\"{colour}\"><title>{from} ({}) → {to} ({})</title><path{} d=\"",
        Escaped(&edge.from_columns.join(", ")),
        Escaped(&edge.to_columns.join(", ")),
        if edge.is_virtual {
            " class=\"erd-dash\""
        } else {
            ""
        },
        from = Escaped(&edge.from.to_string()),
        to = Escaped(&edge.to.to_string()),
    );
    for step in &route.steps {
        let _ = match *step {
            Step::Move(x, y) => write!(svg, "M{} {}", Num(x), Num(y)),
            Step::Line(x, y) => write!(svg, "L{} {}", Num(x), Num(y)),
            Step::Curve([a, b, c, d, x, y]) => write!(
                svg,
                "C{} {} {} {} {} {}",
                Num(a),
                Num(b),
                Num(c),
                Num(d),
                Num(x),
                Num(y)
            ),
        };
    }
    svg.push_str("\"/>");
    many_end(svg, &route.child_end);
    one_end(svg, &route.parent_end, edge.required);
    svg.push_str("</g>\n");
}

/// Away from the box: +1 when the edge leaves to the right.
fn direction(end: &End) -> f64 {
    match end.side {
        Side::Right => 1.0,
        Side::Left => -1.0,
    }
}

/// A vertical bar across the line, `at` pixels out from the box.
fn bar(svg: &mut String, end: &End, at: f64) {
    let x = Num(end.x + direction(end) * at);
    let _ = write!(svg, "M{x} {}L{x} {}", Num(end.y - 6.0), Num(end.y + 6.0));
}

fn circle(svg: &mut String, end: &End, at: f64) {
    let _ = write!(
        svg,
        "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\"/>",
        Num(end.x + direction(end) * at),
        Num(end.y)
    );
}

/// Zero or more: a circle and a crow's foot opening onto the box.
fn many_end(svg: &mut String, end: &End) {
    let (x, y) = (Num(end.x), Num(end.y));
    let toe = Num(end.x + direction(end) * 11.0);
    let _ = write!(
        svg,
        "<path d=\"M{toe} {y}L{x} {}M{toe} {y}L{x} {y}M{toe} {y}L{x} {}\"/>",
        Num(end.y - 6.0),
        Num(end.y + 6.0)
    );
    circle(svg, end, 17.0);
}

/// Exactly one (two bars) when the child's columns are NOT NULL, else
/// zero or one (a bar and a circle).
fn one_end(svg: &mut String, end: &End, required: bool) {
    svg.push_str("<path d=\"");
    bar(svg, end, 6.0);
    if required {
        bar(svg, end, 11.0);
        svg.push_str("\"/>");
    } else {
        svg.push_str("\"/>");
        circle(svg, end, 14.0);
    }
}

fn draw_table(
    svg: &mut String,
    table: &DiagramTable,
    m: &BoxMetrics,
    x: f64,
    y: f64,
    link: Option<String>,
) {
    let qualified = table.name.to_string();
    let qualified = Escaped(&qualified);
    if let Some(href) = &link {
        let _ = writeln!(svg, "<a href=\"{}\">", Escaped(href));
    }
    let (w, h) = (Num(m.width), Num(m.height));
    let _ = write!(
        svg,
        "<g class=\"table{}\" data-table=\"{qualified}\" transform=\"translate({} {})\"><title>{qualified}</title>\
<rect class=\"erd-box\" width=\"{w}\" height=\"{h}\" rx=\"4\"/>\
<path class=\"erd-head\" d=\"M0 {HEADER_HEIGHT}V4Q0 0 4 0H{}Q{w} 0 {w} 4V{HEADER_HEIGHT}Z\"/>\
<text class=\"erd-title\" x=\"{PADDING}\" y=\"17.5\">{}</text>",
        if table.is_view { " erd-view" } else { "" },
        Num(x),
        Num(y),
        Num(m.width - 4.0),
        Escaped(&table.name.name),
    );
    if table.is_view {
        let _ = write!(
            svg,
            "<text class=\"erd-kind\" x=\"{}\" y=\"17\" text-anchor=\"end\">view</text>",
            Num(m.width - PADDING)
        );
    }
    let (key_x, name_x, type_x, null_x) =
        (Num(m.key_x), Num(m.name_x), Num(m.type_x), Num(m.null_x));
    for (i, column) in table.columns.iter().enumerate() {
        let top = HEADER_HEIGHT + i as f64 * ROW_HEIGHT;
        if i % 2 == 1 {
            let _ = write!(
                svg,
                "<rect class=\"erd-stripe\" x=\"1\" y=\"{}\" width=\"{}\" height=\"{ROW_HEIGHT}\"/>",
                Num(top),
                Num(m.width - 2.0)
            );
        }
        let baseline = Num(top + 14.0);
        let key = column.primary_key || column.foreign_key;
        if key {
            let class = if column.primary_key {
                "erd-pk"
            } else {
                "erd-fk"
            };
            let _ = write!(
                svg,
                "<text class=\"{class}\" x=\"{key_x}\" y=\"{baseline}\">{}</text>",
                key_mark(column)
            );
        }
        let _ = write!(
            svg,
            "<text class=\"erd-name{}\" x=\"{name_x}\" y=\"{baseline}\">{}</text><text class=\"erd-type\" x=\"{type_x}\" y=\"{baseline}\">{}</text>",
            if key { " erd-key" } else { "" },
            Escaped(&column.name),
            Escaped(&shown_type(&column.data_type)),
        );
        if column.nullable {
            let _ = write!(
                svg,
                "<text class=\"erd-null\" x=\"{null_x}\" y=\"{baseline}\">{NULL_MARK}</text>"
            );
        }
    }
    svg.push_str("</g>\n");
    if link.is_some() {
        svg.push_str("</a>\n");
    }
}
