//! Layered (Sugiyama-style) layout of boxes and the relations between them.
//!
//! Parents go left of their children. Each connected component is laid out
//! on its own: cycles are broken by reversing depth-first back edges, nodes
//! get layers by longest path (then pulled right next to their children),
//! long edges get dummy nodes, barycenter sweeps reduce crossings (the best
//! ordering seen is kept), and vertical positions come from repeated
//! weighted isotonic regression, which keeps boxes apart while pulling each
//! towards the rows its edges attach to. Groups (schemas) are horizontal
//! bands inside a component. Components are packed in shelves and tables
//! without relations go into a compact grid per group.
//!
//! Everything is deterministic: ties break by input order, no hashing.

use std::collections::{BTreeMap, VecDeque};

/// Vertical space between boxes in one layer.
const NODE_GAP: f64 = 24.0;
/// Height reserved for an edge passing through a layer.
const DUMMY_HEIGHT: f64 = 4.0;
/// Vertical space next to a passing edge.
const DUMMY_GAP: f64 = 3.0;
/// Horizontal run of an edge where it meets a box, room for the end markers.
pub(crate) const STUB: f64 = 24.0;
/// How far a self-reference loops out to the right of its box.
const LOOP_REACH: f64 = 56.0;
const MIN_LAYER_GAP: f64 = 90.0;
const MAX_LAYER_GAP: f64 = 220.0;
/// Padding inside a group's background and the height of its label.
const GROUP_PAD: f64 = 14.0;
const GROUP_LABEL: f64 = 22.0;
const GROUP_GAP: f64 = 2.0 * GROUP_PAD + GROUP_LABEL + 24.0;
const BLOCK_GAP: f64 = 48.0;
const GRID_GAP: f64 = 36.0;
const MARGIN: f64 = 16.0;
/// Crossing reduction sweeps (down and up count separately) and coordinate
/// sweeps, at most; giant components get fewer, within a budget of node
/// and segment visits, so that they stay fast.
const ORDER_SWEEPS: usize = 12;
const COORDINATE_SWEEPS: usize = 8;
const SWEEP_BUDGET: usize = 1_000_000;
/// Stop sweeping after this many sweeps without fewer crossings.
const ORDER_PATIENCE: usize = 4;
/// Width over height that big components are laid out towards.
const ASPECT: f64 = 1.0;
/// Below this a group's part of a layer is never limited: small diagrams
/// read best with every table next to its parent.
const MIN_LAYER_HEIGHT: f64 = 1200.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            width: self.right().max(other.right()) - x,
            height: self.bottom().max(other.bottom()) - y,
        }
    }
}

/// A box to place. `group` is a band index (a schema).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutNode {
    pub width: f64,
    pub height: f64,
    pub group: usize,
}

/// A relation from `child` to `parent`; ports are vertical offsets from the
/// top of each box where the edge attaches (the rows of the columns).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutEdge {
    pub parent: usize,
    pub child: usize,
    pub parent_port: f64,
    pub child_port: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    Move(f64, f64),
    Line(f64, f64),
    Curve([f64; 6]),
}

/// The side of a box an edge leaves from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct End {
    pub x: f64,
    pub y: f64,
    pub side: Side,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    pub steps: Vec<Step>,
    pub parent_end: End,
    pub child_end: End,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupBox {
    pub group: usize,
    pub rect: Rect,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub nodes: Vec<Rect>,
    /// One route per input edge, in input order.
    pub routes: Vec<Route>,
    pub groups: Vec<GroupBox>,
    pub width: f64,
    pub height: f64,
}

/// Whether groups get backgrounds (and the space for them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutOptions {
    pub groups: bool,
}

/// A laid-out part of the picture, in its own coordinates.
struct Block {
    nodes: Vec<(usize, Rect)>,
    routes: Vec<(usize, Route)>,
    groups: Vec<GroupBox>,
}

impl Block {
    fn bounds(&self) -> Rect {
        let mut bounds: Option<Rect> = None;
        let mut add = |r: Rect| bounds = Some(bounds.map_or(r, |b| b.union(&r)));
        self.nodes.iter().for_each(|(_, r)| add(*r));
        self.groups.iter().for_each(|g| add(g.rect));
        for (_, route) in &self.routes {
            for step in &route.steps {
                let points: &[f64] = match step {
                    Step::Move(x, y) | Step::Line(x, y) => &[*x, *y],
                    Step::Curve(c) => c,
                };
                for p in points.chunks(2) {
                    add(Rect {
                        x: p[0],
                        y: p[1],
                        width: 0.0,
                        height: 0.0,
                    });
                }
            }
        }
        bounds.unwrap_or(Rect {
            x: 0.0,
            y: 0.0,
            width: 0.0,
            height: 0.0,
        })
    }

    fn translate(&mut self, dx: f64, dy: f64) {
        for (_, r) in &mut self.nodes {
            r.x += dx;
            r.y += dy;
        }
        for g in &mut self.groups {
            g.rect.x += dx;
            g.rect.y += dy;
        }
        for (_, route) in &mut self.routes {
            for step in &mut route.steps {
                match step {
                    Step::Move(x, y) | Step::Line(x, y) => {
                        *x += dx;
                        *y += dy;
                    }
                    Step::Curve(c) => {
                        for p in c.chunks_mut(2) {
                            p[0] += dx;
                            p[1] += dy;
                        }
                    }
                }
            }
            for end in [&mut route.parent_end, &mut route.child_end] {
                end.x += dx;
                end.y += dy;
            }
        }
    }
}

pub(crate) fn layout(nodes: &[LayoutNode], edges: &[LayoutEdge], options: LayoutOptions) -> Layout {
    let component = components(nodes.len(), edges);
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut index_of_root = vec![usize::MAX; nodes.len()];
    for (node, root) in component.iter().copied().enumerate() {
        if index_of_root[root] == usize::MAX {
            index_of_root[root] = members.len();
            members.push(Vec::new());
        }
        members[index_of_root[root]].push(node);
    }
    let mut member_edges: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    for (e, edge) in edges.iter().enumerate() {
        member_edges[index_of_root[component[edge.parent]]].push(e);
    }
    let mut blocks = Vec::new();
    // Tables without relations to others, by group, for the grids.
    let mut singles: Vec<(usize, Vec<usize>)> = Vec::new();
    for (list, own_edges) in members.iter().zip(&member_edges) {
        if list.len() == 1 {
            let group = nodes[list[0]].group;
            match singles.iter_mut().find(|(g, _)| *g == group) {
                Some((_, s)) => s.push(list[0]),
                None => singles.push((group, vec![list[0]])),
            }
        } else {
            blocks.push(Layered::new(nodes, edges, list, own_edges, options).run());
        }
    }
    singles.sort_by_key(|(g, _)| *g);
    for (group, list) in &singles {
        let loops: Vec<usize> = list
            .iter()
            .flat_map(|n| {
                let n = *n;
                member_edges[index_of_root[component[n]]].iter().copied()
            })
            .collect();
        blocks.push(grid(nodes, edges, *group, list, &loops, options));
    }
    pack(nodes.len(), edges.len(), blocks)
}

/// Union-find over the edges: the representative of each node's component.
fn components(count: usize, edges: &[LayoutEdge]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..count).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for edge in edges {
        let (a, b) = (
            find(&mut parent, edge.parent),
            find(&mut parent, edge.child),
        );
        if a != b {
            // The smaller index wins so representatives follow input order.
            let (low, high) = if a < b { (a, b) } else { (b, a) };
            parent[high] = low;
        }
    }
    (0..count).map(|n| find(&mut parent, n)).collect()
}

/// Tables without relations to other tables, in rows under a group box.
fn grid(
    nodes: &[LayoutNode],
    edges: &[LayoutEdge],
    group: usize,
    list: &[usize],
    loops: &[usize],
    options: LayoutOptions,
) -> Block {
    let columns = (list.len() as f64).sqrt().ceil().max(1.0) as usize;
    let mut column_widths = vec![0.0f64; columns];
    for (i, n) in list.iter().enumerate() {
        column_widths[i % columns] = column_widths[i % columns].max(nodes[*n].width);
    }
    let has_loop = |n: usize| loops.iter().any(|e| edges[*e].parent == n);
    let column_gap = if list.iter().any(|n| has_loop(*n)) {
        GRID_GAP + LOOP_REACH
    } else {
        GRID_GAP
    };
    let mut placed = Vec::with_capacity(list.len());
    let mut y = 0.0;
    for row in list.chunks(columns) {
        let mut x = 0.0;
        let mut tallest = 0.0f64;
        for (i, n) in row.iter().enumerate() {
            placed.push((
                *n,
                Rect {
                    x,
                    y,
                    width: nodes[*n].width,
                    height: nodes[*n].height,
                },
            ));
            x += column_widths[i] + column_gap;
            tallest = tallest.max(nodes[*n].height);
        }
        y += tallest + GRID_GAP;
    }
    let routes = loops
        .iter()
        .map(|e| {
            let edge = &edges[*e];
            let rect = placed
                .iter()
                .find(|(n, _)| *n == edge.parent)
                .map(|(_, r)| *r)
                .unwrap_or(Rect {
                    x: 0.0,
                    y: 0.0,
                    width: 0.0,
                    height: 0.0,
                });
            (*e, self_loop(&rect, edge))
        })
        .collect();
    let groups = if options.groups {
        vec![group_box(group, placed.iter().map(|(_, r)| r))]
    } else {
        Vec::new()
    };
    Block {
        nodes: placed,
        routes,
        groups,
    }
}

fn group_box<'a>(group: usize, rects: impl Iterator<Item = &'a Rect>) -> GroupBox {
    let bounds = rects.copied().reduce(|a, b| a.union(&b)).unwrap_or(Rect {
        x: 0.0,
        y: 0.0,
        width: 0.0,
        height: 0.0,
    });
    GroupBox {
        group,
        rect: Rect {
            x: bounds.x - GROUP_PAD,
            y: bounds.y - GROUP_PAD - GROUP_LABEL,
            width: bounds.width + 2.0 * GROUP_PAD,
            height: bounds.height + 2.0 * GROUP_PAD + GROUP_LABEL,
        },
    }
}

/// A relation from a table to itself: out of the left side at the
/// referencing row, back in at the key row. The left, because the right
/// side's key row is where relations to children leave.
fn self_loop(rect: &Rect, edge: &LayoutEdge) -> Route {
    let left = rect.x;
    let from = rect.y + edge.child_port;
    let mut to = rect.y + edge.parent_port;
    if (to - from).abs() < 8.0 {
        // The column references itself: loop through the header instead.
        to = rect.y + 8.0;
    }
    Route {
        steps: vec![
            Step::Move(left, from),
            Step::Line(left - STUB, from),
            Step::Curve([
                left - LOOP_REACH,
                from,
                left - LOOP_REACH,
                to,
                left - STUB,
                to,
            ]),
            Step::Line(left, to),
        ],
        child_end: End {
            x: left,
            y: from,
            side: Side::Left,
        },
        parent_end: End {
            x: left,
            y: to,
            side: Side::Left,
        },
    }
}

/// Blocks in shelves, tallest first, about as wide as a screen's proportions suggest.
fn pack(node_count: usize, edge_count: usize, mut blocks: Vec<Block>) -> Layout {
    let mut bounds: Vec<Rect> = blocks.iter().map(Block::bounds).collect();
    for (block, b) in blocks.iter_mut().zip(&bounds) {
        block.translate(-b.x, -b.y);
    }
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|a, b| {
        bounds[*b]
            .height
            .total_cmp(&bounds[*a].height)
            .then_with(|| first_node(&blocks[*a]).cmp(&first_node(&blocks[*b])))
    });
    let area: f64 = bounds
        .iter()
        .map(|b| (b.width + BLOCK_GAP) * (b.height + BLOCK_GAP))
        .sum();
    let widest = bounds.iter().map(|b| b.width).fold(0.0, f64::max);
    let shelf_width = widest.max((area * 1.6).sqrt());
    let (mut x, mut y, mut shelf_height) = (0.0f64, 0.0f64, 0.0f64);
    let mut width = 0.0f64;
    for i in &order {
        let b = &mut bounds[*i];
        if x > 0.0 && x + b.width > shelf_width {
            x = 0.0;
            y += shelf_height + BLOCK_GAP;
            shelf_height = 0.0;
        }
        blocks[*i].translate(x + MARGIN, y + MARGIN);
        b.x = x;
        b.y = y;
        width = width.max(x + b.width);
        x += b.width + BLOCK_GAP;
        shelf_height = shelf_height.max(b.height);
    }
    let height = y + shelf_height;
    let empty = Rect {
        x: 0.0,
        y: 0.0,
        width: 0.0,
        height: 0.0,
    };
    let mut nodes = vec![empty; node_count];
    let mut routes: Vec<Option<Route>> = vec![None; edge_count];
    let mut groups = Vec::new();
    for block in blocks {
        for (n, r) in block.nodes {
            nodes[n] = r;
        }
        for (e, route) in block.routes {
            routes[e] = Some(route);
        }
        groups.extend(block.groups);
    }
    Layout {
        nodes,
        // Every edge lies in exactly one component, so every route is set.
        routes: routes.into_iter().flatten().collect(),
        groups,
        width: width + 2.0 * MARGIN,
        height: height + 2.0 * MARGIN,
    }
}

fn first_node(block: &Block) -> usize {
    block
        .nodes
        .iter()
        .map(|(n, _)| *n)
        .min()
        .unwrap_or(usize::MAX)
}

/// A node of the layered graph: a box, or a dummy on a long edge.
struct LNode {
    /// The input node, or `None` for a dummy.
    real: Option<usize>,
    layer: usize,
    width: f64,
    height: f64,
    group: usize,
}

/// An edge between adjacent layers; `left` is in the left one.
struct Segment {
    left: usize,
    right: usize,
    left_port: f64,
    right_port: f64,
    weight: f64,
}

/// The layered nodes one input edge passes, from left to right.
struct Chain {
    edge: usize,
    nodes: Vec<usize>,
    /// The chain's segments are consecutive, starting here.
    first_segment: usize,
    /// The child is on the left: the edge was reversed to break a cycle.
    reversed: bool,
}

/// One component being laid out.
struct Layered<'a> {
    nodes: &'a [LayoutNode],
    edges: &'a [LayoutEdge],
    own_edges: &'a [usize],
    options: LayoutOptions,
    lnodes: Vec<LNode>,
    segments: Vec<Segment>,
    /// Segments to the left and right of each layered node.
    lefts: Vec<Vec<usize>>,
    rights: Vec<Vec<usize>>,
    /// Per input edge of this component: its layered nodes from left to
    /// right, and whether the child is on the left (the edge was reversed).
    chains: Vec<Chain>,
    layers: Vec<Vec<usize>>,
    y: Vec<f64>,
}

impl<'a> Layered<'a> {
    fn new(
        nodes: &'a [LayoutNode],
        edges: &'a [LayoutEdge],
        members: &[usize],
        own_edges: &'a [usize],
        options: LayoutOptions,
    ) -> Self {
        let mut local = BTreeMap::new();
        for (i, n) in members.iter().enumerate() {
            local.insert(*n, i);
        }
        let count = members.len();
        // Edges as (left, right, edge index) between local nodes, self-references left out.
        let graph: Vec<(usize, usize, usize)> = own_edges
            .iter()
            .filter(|e| edges[**e].parent != edges[**e].child)
            .filter_map(|e| {
                let edge = &edges[*e];
                Some((*local.get(&edge.parent)?, *local.get(&edge.child)?, *e))
            })
            .collect();
        let reversed = back_edges(count, &graph);
        let oriented: Vec<(usize, usize, usize, bool)> = graph
            .iter()
            .zip(&reversed)
            .map(|((p, c, e), r)| {
                if *r {
                    (*c, *p, *e, true)
                } else {
                    (*p, *c, *e, false)
                }
            })
            .collect();
        let capacity = Capacity::new(
            members.iter().map(|n| nodes[*n].height).collect(),
            &members.iter().map(|n| nodes[*n].width).collect::<Vec<_>>(),
            members
                .iter()
                .map(|n| if options.groups { nodes[*n].group } else { 0 })
                .collect(),
        );
        let layer = assign_layers(count, &oriented, &capacity);

        let mut lnodes: Vec<LNode> = members
            .iter()
            .zip(&layer)
            .map(|(n, l)| LNode {
                real: Some(*n),
                layer: *l,
                width: nodes[*n].width,
                height: nodes[*n].height,
                group: if options.groups { nodes[*n].group } else { 0 },
            })
            .collect();
        let mut segments = Vec::new();
        let mut chains = Vec::new();
        for (left, right, e, reversed) in oriented {
            let edge = &edges[e];
            let (left_port, right_port) = if reversed {
                (edge.child_port, edge.parent_port)
            } else {
                (edge.parent_port, edge.child_port)
            };
            let first_segment = segments.len();
            let mut chain = vec![left];
            for l in layer[left] + 1..layer[right] {
                chain.push(lnodes.len());
                lnodes.push(LNode {
                    real: None,
                    layer: l,
                    width: 0.0,
                    height: DUMMY_HEIGHT,
                    group: lnodes[if reversed { left } else { right }].group,
                });
            }
            chain.push(right);
            for (i, pair) in chain.windows(2).enumerate() {
                let dummies = usize::from(i > 0) + usize::from(i + 2 < chain.len());
                segments.push(Segment {
                    left: pair[0],
                    right: pair[1],
                    left_port: if i == 0 {
                        left_port
                    } else {
                        DUMMY_HEIGHT / 2.0
                    },
                    right_port: if i + 2 == chain.len() {
                        right_port
                    } else {
                        DUMMY_HEIGHT / 2.0
                    },
                    // Long edges stay straight: their inner segments pull hardest.
                    weight: [1.0, 2.0, 8.0][dummies],
                });
            }
            chains.push(Chain {
                edge: e,
                nodes: chain,
                first_segment,
                reversed,
            });
        }
        let mut lefts = vec![Vec::new(); lnodes.len()];
        let mut rights = vec![Vec::new(); lnodes.len()];
        for (s, segment) in segments.iter().enumerate() {
            rights[segment.left].push(s);
            lefts[segment.right].push(s);
        }
        let layer_count = lnodes.iter().map(|n| n.layer + 1).max().unwrap_or(0);
        let mut layers = vec![Vec::new(); layer_count];
        for (i, n) in lnodes.iter().enumerate() {
            layers[n.layer].push(i);
        }
        let y = vec![0.0; lnodes.len()];
        Layered {
            nodes,
            edges,
            own_edges,
            options,
            lnodes,
            segments,
            lefts,
            rights,
            chains,
            layers,
            y,
        }
    }

    fn run(mut self) -> Block {
        self.order();
        self.coordinates();
        self.block()
    }

    /// Crossing reduction: barycenter sweeps, groups kept contiguous, the
    /// ordering with fewest crossings wins.
    fn order(&mut self) {
        let mut position = vec![0usize; self.lnodes.len()];
        self.initial_order();
        self.sort_by_group();
        self.record_positions(&mut position);
        let mut best = self.layers.clone();
        let mut best_crossings = self.crossings(&position);
        let mut since_better = 0;
        for sweep in 0..self.sweeps(ORDER_SWEEPS) {
            if best_crossings == 0 || since_better >= ORDER_PATIENCE {
                break;
            }
            let downward = sweep % 2 == 0;
            let count = self.layers.len();
            for step in 1..count {
                let l = if downward { step } else { count - 1 - step };
                self.sort_layer(l, downward, &position);
                for (i, n) in self.layers[l].iter().enumerate() {
                    position[*n] = i;
                }
            }
            let crossings = self.crossings(&position);
            if crossings < best_crossings {
                best_crossings = crossings;
                best = self.layers.clone();
                since_better = 0;
            } else {
                since_better += 1;
            }
        }
        self.layers = best;
    }

    /// `most` sweeps, fewer for giant components, never under two (one each way).
    fn sweeps(&self, most: usize) -> usize {
        (SWEEP_BUDGET / (self.lnodes.len() + self.segments.len()).max(1)).clamp(2, most)
    }

    /// A depth-first walk from the left layer gives each layer an order in
    /// which related nodes start close together.
    fn initial_order(&mut self) {
        let mut seen = vec![false; self.lnodes.len()];
        let mut order = Vec::with_capacity(self.lnodes.len());
        let mut roots: Vec<usize> = (0..self.lnodes.len())
            .filter(|n| self.lefts[*n].is_empty())
            .collect();
        roots.extend(0..self.lnodes.len());
        for root in roots {
            if seen[root] {
                continue;
            }
            let mut stack = vec![root];
            while let Some(n) = stack.pop() {
                if seen[n] {
                    continue;
                }
                seen[n] = true;
                order.push(n);
                for s in self.rights[n].iter().rev() {
                    let next = self.segments[*s].right;
                    if !seen[next] {
                        stack.push(next);
                    }
                }
                for s in self.lefts[n].iter().rev() {
                    let next = self.segments[*s].left;
                    if !seen[next] {
                        stack.push(next);
                    }
                }
            }
        }
        for layer in &mut self.layers {
            layer.clear();
        }
        for n in order {
            self.layers[self.lnodes[n].layer].push(n);
        }
    }

    fn sort_by_group(&mut self) {
        for layer in &mut self.layers {
            layer.sort_by_key(|n| self.lnodes[*n].group);
        }
    }

    fn record_positions(&self, position: &mut [usize]) {
        for layer in &self.layers {
            for (i, n) in layer.iter().enumerate() {
                position[*n] = i;
            }
        }
    }

    fn sort_layer(&mut self, l: usize, downward: bool, position: &[usize]) {
        let fixed = if downward { l - 1 } else { l + 1 };
        let scale = self.layers[fixed].len() as f64 / self.layers[l].len().max(1) as f64;
        let mut keyed: Vec<(usize, f64, usize, usize)> = self.layers[l]
            .iter()
            .map(|n| {
                let (sum, count) =
                    self.neighbour_segments(*n, downward)
                        .fold((0.0, 0usize), |(sum, count), s| {
                            let segment = &self.segments[s];
                            // The port's place in its box breaks ties between rows.
                            let (other, port) = if downward {
                                (segment.left, segment.left_port)
                            } else {
                                (segment.right, segment.right_port)
                            };
                            let fraction = port / self.lnodes[other].height.max(1.0);
                            (sum + position[other] as f64 + 0.9 * fraction, count + 1)
                        });
                // Nodes without neighbours on that side keep their relative place.
                let key = if count == 0 {
                    position[*n] as f64 * scale
                } else {
                    sum / count as f64
                };
                (self.lnodes[*n].group, key, position[*n], *n)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        self.layers[l] = keyed.into_iter().map(|k| k.3).collect();
    }

    fn neighbour_segments(&self, n: usize, towards_left: bool) -> impl Iterator<Item = usize> + '_ {
        let list = if towards_left {
            &self.lefts[n]
        } else {
            &self.rights[n]
        };
        list.iter().copied()
    }

    /// Crossings between every pair of adjacent layers (Barth, Jünger and
    /// Mutzel's accumulator tree).
    fn crossings(&self, position: &[usize]) -> usize {
        // Where a segment ends: the node's place in its layer, then the row
        // (ports to half a pixel), so edges into two rows of one box can cross.
        let key =
            |node: usize, port: f64| (position[node] as u64) << 32 | (port * 2.0).round() as u64;
        let mut total = 0;
        for l in 0..self.layers.len().saturating_sub(1) {
            let mut pairs: Vec<(u64, u64)> = self.layers[l]
                .iter()
                .flat_map(|n| {
                    self.rights[*n].iter().map(|s| {
                        let segment = &self.segments[*s];
                        (
                            key(segment.left, segment.left_port),
                            key(segment.right, segment.right_port),
                        )
                    })
                })
                .collect();
            pairs.sort_unstable();
            let mut ranks: Vec<u64> = pairs.iter().map(|(_, right)| *right).collect();
            ranks.sort_unstable();
            ranks.dedup();
            let size = ranks.len().next_power_of_two();
            let mut tree = vec![0usize; 2 * size];
            for (_, right) in pairs {
                let mut index = ranks.partition_point(|r| *r < right) + size;
                tree[index] += 1;
                while index > 1 {
                    if index.is_multiple_of(2) {
                        total += tree[index + 1];
                    }
                    index /= 2;
                    tree[index] += 1;
                }
            }
        }
        total
    }

    /// Vertical positions: each sweep places a layer's nodes as near the
    /// weighted mean of their neighbours' ports as the order and gaps allow.
    /// Groups are placed each in its own frame, from relations inside the
    /// group only, then stacked as bands: a relation into another schema
    /// must not stretch its band towards that schema.
    fn coordinates(&mut self) {
        for l in 0..self.layers.len() {
            for run in self.runs(l) {
                let mut y = 0.0;
                for (i, n) in run.iter().enumerate() {
                    if i > 0 {
                        y += self.separation(run[i - 1], *n);
                    }
                    self.y[*n] = y;
                    y += self.lnodes[*n].height;
                }
            }
        }
        for sweep in 0..self.sweeps(COORDINATE_SWEEPS) {
            let count = self.layers.len();
            for step in 0..count {
                let l = if sweep % 2 == 0 {
                    step
                } else {
                    count - 1 - step
                };
                for run in self.runs(l) {
                    self.place_run(&run);
                }
            }
        }
        self.straighten();
        self.stack_groups();
    }

    /// Puts the dummies of each long edge on one level where their layers
    /// have room there, so that the edge crosses them as one straight line
    /// instead of wavering by a few pixels. Levels tried: the child's row,
    /// the parent's row, the dummies' own.
    fn straighten(&mut self) {
        let mut index = vec![0usize; self.lnodes.len()];
        self.record_positions(&mut index);
        for chain in &self.chains {
            let dummies = &chain.nodes[1..chain.nodes.len() - 1];
            if dummies.is_empty() {
                continue;
            }
            let first = &self.segments[chain.first_segment];
            let last = &self.segments[chain.first_segment + dummies.len()];
            let group = self.lnodes[dummies[0]].group;
            let mut levels = Vec::with_capacity(3);
            for (node, port) in [(last.right, last.right_port), (first.left, first.left_port)] {
                // A row in another group's frame says nothing about this one.
                if self.lnodes[node].group == group {
                    levels.push(self.y[node] + port);
                }
            }
            // Then the dummies' own levels, a few of them on long chains.
            let step = dummies.len().div_ceil(8);
            levels.extend(
                dummies
                    .iter()
                    .step_by(step)
                    .map(|d| self.y[*d] + DUMMY_HEIGHT / 2.0),
            );
            let fits = |y: f64, d: usize| {
                let layer = &self.layers[self.lnodes[d].layer];
                let i = index[d];
                let above = i
                    .checked_sub(1)
                    .map(|j| layer[j])
                    .filter(|a| self.lnodes[*a].group == group)
                    .is_none_or(|a| self.y[a] + self.lnodes[a].height + self.separation(a, d) <= y);
                let below = layer
                    .get(i + 1)
                    .filter(|b| self.lnodes[**b].group == group)
                    .is_none_or(|b| y + DUMMY_HEIGHT + self.separation(d, *b) <= self.y[*b]);
                above && below
            };
            if let Some(level) = levels
                .into_iter()
                .find(|level| dummies.iter().all(|d| fits(level - DUMMY_HEIGHT / 2.0, *d)))
            {
                for d in dummies {
                    self.y[*d] = level - DUMMY_HEIGHT / 2.0;
                }
            }
        }
    }

    /// The nodes of layer `l`, split where the group changes.
    fn runs(&self, l: usize) -> Vec<Vec<usize>> {
        let mut runs: Vec<Vec<usize>> = Vec::new();
        for n in &self.layers[l] {
            match runs.last_mut() {
                Some(run) if self.lnodes[run[0]].group == self.lnodes[*n].group => run.push(*n),
                _ => runs.push(vec![*n]),
            }
        }
        runs
    }

    fn separation(&self, upper: usize, lower: usize) -> f64 {
        if self.lnodes[upper].real.is_none() || self.lnodes[lower].real.is_none() {
            DUMMY_GAP
        } else {
            NODE_GAP
        }
    }

    fn place_run(&mut self, run: &[usize]) {
        let mut targets = Vec::with_capacity(run.len());
        let mut weights = Vec::with_capacity(run.len());
        let mut offsets = Vec::with_capacity(run.len());
        let mut offset = 0.0;
        for (i, n) in run.iter().enumerate() {
            if i > 0 {
                offset += self.lnodes[run[i - 1]].height + self.separation(run[i - 1], *n);
            }
            offsets.push(offset);
            let group = self.lnodes[*n].group;
            let (mut sum, mut weight) = (0.0, 0.0);
            for s in self.lefts[*n].iter().chain(&self.rights[*n]) {
                let segment = &self.segments[*s];
                let (other, other_port, own_port) = if segment.right == *n {
                    (segment.left, segment.left_port, segment.right_port)
                } else {
                    (segment.right, segment.right_port, segment.left_port)
                };
                if self.lnodes[other].group == group {
                    sum += segment.weight * (self.y[other] + other_port - own_port);
                    weight += segment.weight;
                }
            }
            // Nodes without neighbours stay where they are, lightly held.
            const HOLD: f64 = 1e-3;
            targets.push((sum + HOLD * self.y[*n]) / (weight + HOLD));
            weights.push(weight + HOLD);
        }
        let placed = isotonic(&targets, &weights, &offsets);
        for (n, y) in run.iter().zip(placed) {
            self.y[*n] = y;
        }
    }

    /// Moves each group into a band below the previous group's, so that
    /// group backgrounds never overlap; the first starts at 0.
    fn stack_groups(&mut self) {
        let mut spans: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
        for (n, y) in self.lnodes.iter().zip(&self.y) {
            let span = spans
                .entry(n.group)
                .or_insert((f64::INFINITY, f64::NEG_INFINITY));
            span.0 = span.0.min(*y);
            span.1 = span.1.max(y + n.height);
        }
        let mut shifts = BTreeMap::new();
        let mut top = 0.0;
        for (group, (first, last)) in spans {
            shifts.insert(group, top - first);
            top += last - first + GROUP_GAP;
        }
        for (n, y) in self.lnodes.iter().zip(self.y.iter_mut()) {
            *y += shifts.get(&n.group).copied().unwrap_or(0.0);
        }
    }

    fn block(&self) -> Block {
        let widths: Vec<f64> = self
            .layers
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|n| self.lnodes[*n].width)
                    .fold(0.0, f64::max)
            })
            .collect();
        // Steeper jumps between layers get more room to curve.
        let mut gaps = vec![MIN_LAYER_GAP; self.layers.len()];
        for segment in &self.segments {
            let rise = ((self.y[segment.left] + segment.left_port)
                - (self.y[segment.right] + segment.right_port))
                .abs();
            let gap = &mut gaps[self.lnodes[segment.left].layer];
            *gap = gap.max((MIN_LAYER_GAP * 0.5 + rise * 0.1).min(MAX_LAYER_GAP));
        }
        let mut xs = Vec::with_capacity(self.layers.len());
        let mut x = 0.0;
        for (width, gap) in widths.iter().zip(&gaps) {
            xs.push(x);
            x += width + gap;
        }
        let rect = |n: usize| Rect {
            x: xs[self.lnodes[n].layer],
            y: self.y[n],
            width: self.lnodes[n].width,
            height: self.lnodes[n].height,
        };
        let nodes: Vec<(usize, Rect)> = self
            .lnodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.real.map(|real| (real, rect(i))))
            .collect();
        let mut routes = Vec::with_capacity(self.own_edges.len());
        for chain in &self.chains {
            routes.push((chain.edge, self.route(chain, &xs, &widths, &rect)));
        }
        for e in self.own_edges {
            let edge = &self.edges[*e];
            if edge.parent == edge.child {
                if let Some((_, r)) = nodes.iter().find(|(n, _)| *n == edge.parent) {
                    routes.push((*e, self_loop(r, edge)));
                }
            }
        }
        let mut groups = Vec::new();
        if self.options.groups {
            let mut present: Vec<usize> = nodes.iter().map(|(n, _)| self.nodes[*n].group).collect();
            present.sort_unstable();
            present.dedup();
            for g in present {
                groups.push(group_box(
                    g,
                    nodes
                        .iter()
                        .filter(|(n, _)| self.nodes[*n].group == g)
                        .map(|(_, r)| r),
                ));
            }
        }
        Block {
            nodes,
            routes,
            groups,
        }
    }

    /// Out of the left node's right side, across each layer a dummy holds,
    /// into the right node's left side; curves only between layers.
    fn route(
        &self,
        chain: &Chain,
        xs: &[f64],
        widths: &[f64],
        rect: &dyn Fn(usize) -> Rect,
    ) -> Route {
        let (first, last) = (chain.nodes[0], chain.nodes[chain.nodes.len() - 1]);
        let start = rect(first);
        // The port of the segment from the chain's i-th node to the next.
        let segment_port = |i: usize, left: bool| {
            let s = &self.segments[chain.first_segment + i];
            if left {
                s.left_port
            } else {
                s.right_port
            }
        };
        let mut y = start.y + segment_port(0, true);
        let start_end = End {
            x: start.right(),
            y,
            side: Side::Right,
        };
        let mut steps = vec![Step::Move(start.right(), y)];
        let mut x = xs[self.lnodes[first].layer] + widths[self.lnodes[first].layer];
        let mut end = start_end;
        for (i, node) in chain.nodes.iter().copied().enumerate().skip(1) {
            let target = rect(node);
            let ty = target.y + segment_port(i - 1, false);
            let tx = target.x;
            if (ty - y).abs() < LEVEL {
                line_to(&mut steps, tx, ty);
            } else {
                let middle = (x + tx) / 2.0;
                line_to(&mut steps, x + STUB, y);
                steps.push(Step::Curve([middle, y, middle, ty, tx - STUB, ty]));
                steps.push(Step::Line(tx, ty));
            }
            y = ty;
            x = xs[self.lnodes[node].layer] + widths[self.lnodes[node].layer];
            if node == last {
                end = End {
                    x: tx,
                    y: ty,
                    side: Side::Left,
                };
            } else {
                line_to(&mut steps, x, y);
            }
        }
        let (parent_end, child_end) = if chain.reversed {
            (end, start_end)
        } else {
            (start_end, end)
        };
        Route {
            steps,
            parent_end,
            child_end,
        }
    }
}

/// Closer than this (in pixels) counts as level: no curve is drawn.
const LEVEL: f64 = 0.5;

/// A line to `(x, y)`, extending the last step instead when both are level,
/// so that a long straight edge is one line however many layers it crosses.
fn line_to(steps: &mut Vec<Step>, x: f64, y: f64) {
    let end_y = |step: &Step| match step {
        Step::Move(_, y) | Step::Line(_, y) => *y,
        Step::Curve(c) => c[5],
    };
    if let [.., before, Step::Line(last_x, last_y)] = steps.as_mut_slice() {
        if (end_y(before) - *last_y).abs() < LEVEL && (*last_y - y).abs() < LEVEL {
            *last_x = x;
            *last_y = y;
            return;
        }
    }
    steps.push(Step::Line(x, y));
}

/// Depth-first search from the sources: edges that close a cycle are
/// marked to be drawn reversed.
fn back_edges(count: usize, graph: &[(usize, usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); count];
    let mut indegree = vec![0usize; count];
    for (i, (from, to, _)) in graph.iter().enumerate() {
        out[*from].push((*to, i));
        indegree[*to] += 1;
    }
    let mut state = vec![0u8; count];
    let mut reversed = vec![false; graph.len()];
    let starts = (0..count)
        .filter(|n| indegree[*n] == 0)
        .chain(0..count)
        .collect::<Vec<_>>();
    for start in starts {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some((to, i)) = out[*node].get(*next).copied() {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => reversed[i] = true,
                    _ => {}
                }
            } else {
                state[*node] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// How much of each group one layer may hold, so that big components come
/// out about as wide as tall instead of a few very tall layers.
struct Capacity {
    heights: Vec<f64>,
    groups: Vec<usize>,
    /// Per group: the most height its boxes may take in one layer.
    bounds: Vec<f64>,
}

impl Capacity {
    fn new(heights: Vec<f64>, widths: &[f64], groups: Vec<usize>) -> Self {
        let group_count = groups.iter().map(|g| g + 1).max().unwrap_or(0);
        let mut areas = vec![0.0; group_count];
        for ((h, w), g) in heights.iter().zip(widths).zip(&groups) {
            areas[*g] += (h + NODE_GAP) * (w + MIN_LAYER_GAP);
        }
        let total: f64 = areas.iter().sum();
        let height = (total / ASPECT).sqrt();
        let bounds = areas
            .iter()
            .map(|a| (height * a / total.max(1.0)).max(MIN_LAYER_HEIGHT))
            .collect();
        Capacity {
            heights,
            groups,
            bounds,
        }
    }

    /// Whether node `n` fits into a layer whose boxes of its group already take `used`.
    /// An empty layer takes any box.
    fn fits(&self, used: f64, n: usize) -> bool {
        used < 1.0 || used + self.heights[n] <= self.bounds[self.groups[n]]
    }
}

/// Layers over the acyclic edges: in topological order each node takes the
/// first layer after its parents where its group has room. Then every node
/// with children moves right towards its nearest child, where there is
/// room, which shortens edges from widely used parents.
fn assign_layers(
    count: usize,
    oriented: &[(usize, usize, usize, bool)],
    capacity: &Capacity,
) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut indegree = vec![0usize; count];
    for (from, to, _, _) in oriented {
        out[*from].push(*to);
        indegree[*to] += 1;
    }
    let mut layer = vec![0usize; count];
    let mut earliest = vec![0usize; count];
    // Height taken per (layer, group).
    let mut used: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let space = |n: usize| capacity.heights[n] + NODE_GAP;
    let mut queue: VecDeque<usize> = (0..count).filter(|n| indegree[*n] == 0).collect();
    let mut topological = Vec::with_capacity(count);
    while let Some(n) = queue.pop_front() {
        let group = capacity.groups[n];
        let mut l = earliest[n];
        while !capacity.fits(used.get(&(l, group)).copied().unwrap_or(0.0), n) {
            l += 1;
        }
        layer[n] = l;
        *used.entry((l, group)).or_default() += space(n);
        topological.push(n);
        for to in &out[n] {
            earliest[*to] = earliest[*to].max(l + 1);
            indegree[*to] -= 1;
            if indegree[*to] == 0 {
                queue.push_back(*to);
            }
        }
    }
    for n in topological.iter().rev() {
        let Some(nearest) = out[*n].iter().map(|c| layer[*c]).min() else {
            continue;
        };
        let group = capacity.groups[*n];
        let room = (layer[*n] + 1..nearest)
            .rev()
            .find(|l| capacity.fits(used.get(&(*l, group)).copied().unwrap_or(0.0), *n));
        if let Some(l) = room {
            *used.entry((layer[*n], group)).or_default() -= space(*n);
            *used.entry((l, group)).or_default() += space(*n);
            layer[*n] = l;
        }
    }
    layer
}

/// Weighted isotonic regression with gaps: positions as close as possible
/// (least squares) to `targets` while `y[i + 1] - y[i] >= offsets[i + 1] - offsets[i]`.
fn isotonic(targets: &[f64], weights: &[f64], offsets: &[f64]) -> Vec<f64> {
    // Pools of (total weight, weighted sum, member count).
    let mut pools: Vec<(f64, f64, usize)> = Vec::with_capacity(targets.len());
    for ((t, w), o) in targets.iter().zip(weights).zip(offsets) {
        pools.push((*w, w * (t - o), 1));
        while pools.len() >= 2 {
            let (w2, s2, c2) = pools[pools.len() - 1];
            let (w1, s1, c1) = pools[pools.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            pools.pop();
            let last = pools.len() - 1;
            pools[last] = (w1 + w2, s1 + s2, c1 + c2);
        }
    }
    let mut y = Vec::with_capacity(targets.len());
    for (w, s, c) in pools {
        for _ in 0..c {
            y.push(s / w + offsets[y.len()]);
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> LayoutNode {
        LayoutNode {
            width: 100.0,
            height: 60.0,
            group: 0,
        }
    }

    fn edge(parent: usize, child: usize) -> LayoutEdge {
        LayoutEdge {
            parent,
            child,
            parent_port: 30.0,
            child_port: 40.0,
        }
    }

    const NO_GROUPS: LayoutOptions = LayoutOptions { groups: false };

    #[test]
    fn isotonic_pools_targets_that_would_overlap() {
        // The second wants to be above the first; both meet halfway, 5 apart.
        assert_eq!(isotonic(&[10.0, 0.0], &[1.0, 1.0], &[0.0, 5.0]), [2.5, 7.5]);
        // Heavier weight wins more of the way.
        assert_eq!(
            isotonic(&[10.0, 0.0], &[3.0, 1.0], &[0.0, 4.0]),
            [6.5, 10.5]
        );
        // Targets already apart stay put.
        assert_eq!(
            isotonic(&[0.0, 50.0], &[1.0, 1.0], &[0.0, 5.0]),
            [0.0, 50.0]
        );
    }

    #[test]
    fn layers_follow_relations_and_parents_move_next_to_children() {
        // a -> b -> c, a -> c, and d -> c with d a source.
        let oriented = [
            (0, 1, 0, false),
            (1, 2, 1, false),
            (0, 2, 2, false),
            (3, 2, 3, false),
        ];
        let capacity = Capacity::new(vec![60.0; 4], &[100.0; 4], vec![0; 4]);
        assert_eq!(assign_layers(4, &oriented, &capacity), [0, 1, 2, 1]);
    }

    #[test]
    fn back_edges_break_every_cycle() {
        // a -> b -> c -> a, and b <-> d.
        let graph = [(0, 1, 0), (1, 2, 1), (2, 0, 2), (1, 3, 3), (3, 1, 4)];
        let reversed = back_edges(4, &graph);
        assert_eq!(reversed.iter().filter(|r| **r).count(), 2, "{reversed:?}");
        let oriented: Vec<_> = graph
            .iter()
            .zip(&reversed)
            .map(|((a, b, e), r)| {
                if *r {
                    (*b, *a, *e, true)
                } else {
                    (*a, *b, *e, false)
                }
            })
            .collect();
        let capacity = Capacity::new(vec![60.0; 4], &[100.0; 4], vec![0; 4]);
        let layer = assign_layers(4, &oriented, &capacity);
        for (from, to, _, _) in oriented {
            assert!(layer[from] < layer[to], "{layer:?}");
        }
    }

    #[test]
    fn crossing_reduction_untangles_a_tree_given_in_scrambled_order() {
        // A binary tree of 31 nodes whose indices are shuffled, so that the
        // input order alone would cross edges.
        let count = 31;
        let label = |i: usize| (i * 17) % count;
        let nodes = vec![node(); count];
        let edges: Vec<LayoutEdge> = (1..count)
            .map(|i| edge(label((i - 1) / 2), label(i)))
            .collect();
        let members: Vec<usize> = (0..count).collect();
        let own: Vec<usize> = (0..edges.len()).collect();
        let mut layered = Layered::new(&nodes, &edges, &members, &own, NO_GROUPS);
        layered.order();
        let mut position = vec![0; layered.lnodes.len()];
        layered.record_positions(&mut position);
        assert_eq!(layered.crossings(&position), 0);
    }

    #[test]
    fn long_edges_pass_through_layers_as_one_straight_line_where_level() {
        // a -> b -> c -> d, and a -> d across two layers.
        let nodes = vec![node(); 4];
        let edges = [edge(0, 1), edge(1, 2), edge(2, 3), edge(0, 3)];
        let layout = layout(&nodes, &edges, NO_GROUPS);
        assert_eq!(layout.routes.len(), 4);
        let long = &layout.routes[3];
        assert!(layout.nodes[0].right() < layout.nodes[1].x);
        assert!(layout.nodes[2].right() < layout.nodes[3].x);
        assert_eq!(long.parent_end.x, layout.nodes[0].right());
        assert_eq!(long.child_end.x, layout.nodes[3].x);
        let curves = long
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Curve(_)))
            .count();
        assert!(curves <= 2, "{long:?}");
    }

    #[test]
    fn isolated_nodes_fill_a_square_grid() {
        let nodes = vec![node(); 16];
        let layout = layout(&nodes, &[], NO_GROUPS);
        let columns: BTreeMap<i64, usize> =
            layout.nodes.iter().fold(BTreeMap::new(), |mut m, r| {
                *m.entry(r.x as i64).or_default() += 1;
                m
            });
        assert_eq!(columns.len(), 4);
        assert!(columns.values().all(|c| *c == 4));
    }
}
