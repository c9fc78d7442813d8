//! Join paths: the tables that connect the picked ones along relations
//! (foreign keys and virtual relations), in either direction.

use carta_catalog::RelationGraph;
use std::collections::BTreeMap;

use crate::TableRef;

/// Per table position: its neighbours in either direction, and the tables
/// it references; both sorted.
pub(crate) fn adjacency(
    graph: &RelationGraph,
    positions: &BTreeMap<TableRef, usize>,
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut adjacent = vec![Vec::new(); positions.len()];
    let mut parents = vec![Vec::new(); positions.len()];
    for r in graph.all() {
        let ends = (
            positions.get(&TableRef::from(&r.from)),
            positions.get(&TableRef::from(&r.to)),
        );
        if let (Some(&a), Some(&b)) = ends {
            if a != b {
                adjacent[a].push(b);
                adjacent[b].push(a);
                parents[a].push(b);
            }
        }
    }
    for list in adjacent.iter_mut().chain(parents.iter_mut()) {
        list.sort_unstable();
        list.dedup();
    }
    (adjacent, parents)
}

/// The shortest path (at most `depth` relations) from `from` to any table
/// marked in `connected`, both ends included. Among paths of that length the
/// one through the highest total `weight` wins, then the lowest positions,
/// so the answer is the same on every run.
pub(crate) fn shortest_path(
    adjacent: &[Vec<usize>],
    from: usize,
    connected: &[bool],
    depth: usize,
    weight: &[f32],
) -> Option<Vec<usize>> {
    let mut distance = vec![usize::MAX; adjacent.len()];
    let mut best = vec![0.0f32; adjacent.len()];
    let mut parent = vec![usize::MAX; adjacent.len()];
    distance[from] = 0;
    let mut frontier = vec![from];
    for step in 1..=depth {
        let mut next = Vec::new();
        for &u in &frontier {
            for &v in &adjacent[u] {
                let through = best[u] + weight[v];
                if distance[v] == usize::MAX {
                    distance[v] = step;
                    best[v] = through;
                    parent[v] = u;
                    next.push(v);
                } else if distance[v] == step && through > best[v] {
                    best[v] = through;
                    parent[v] = u;
                }
            }
        }
        let end = next
            .iter()
            .copied()
            .filter(|&v| connected[v])
            .min_by(|&a, &b| best[b].total_cmp(&best[a]).then(a.cmp(&b)));
        if let Some(mut at) = end {
            let mut path = vec![at];
            while at != from {
                at = parent[at];
                path.push(at);
            }
            path.reverse();
            return Some(path);
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shortest_path;

    /// 0 - 1 - 2 and 0 - 3 - 2: two paths of two relations.
    fn diamond() -> Vec<Vec<usize>> {
        vec![vec![1, 3], vec![0, 2], vec![1, 3], vec![0, 2]]
    }

    #[test]
    fn the_heavier_of_equal_paths_wins() {
        let connected = [false, false, true, false];
        let plain = shortest_path(&diamond(), 0, &connected, 3, &[0.0; 4]);
        assert_eq!(plain, Some(vec![0, 1, 2]));
        let weighted = shortest_path(&diamond(), 0, &connected, 3, &[0.0, 0.0, 0.0, 1.0]);
        assert_eq!(weighted, Some(vec![0, 3, 2]));
    }

    #[test]
    fn paths_longer_than_the_depth_are_not_taken() {
        let chain = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        let connected = [false, false, false, true];
        assert_eq!(shortest_path(&chain, 0, &connected, 2, &[0.0; 4]), None);
        assert_eq!(
            shortest_path(&chain, 0, &connected, 3, &[0.0; 4]),
            Some(vec![0, 1, 2, 3])
        );
    }
}
