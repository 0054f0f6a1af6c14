//! Ring simplification in thousandths of a degree (Douglas–Peucker).

use std::collections::{HashMap, HashSet};

pub type Point = (i32, i32);

/// Degrees to thousandths of a degree, the unit of the shapes file.
pub fn quantize(ring: &[(f64, f64)]) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(ring.len() + 1);
    for &(x, y) in ring {
        let p = ((x * 1000.0).round() as i32, (y * 1000.0).round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    close(out)
}

/// Makes the last point equal the first (rings are stored closed).
fn close(mut ring: Vec<Point>) -> Vec<Point> {
    if let Some(&first) = ring.first()
        && ring.last() != Some(&first)
    {
        ring.push(first);
    }
    ring
}

/// How many rings pass through each point: a point of the border of two
/// counties is in both their rings, a junction in three or more.
#[derive(Debug, Default)]
pub struct Borders(HashMap<Point, u32>);

impl Borders {
    pub fn of<'a>(rings: impl IntoIterator<Item = &'a Vec<Point>>) -> Borders {
        let mut counts = HashMap::new();
        for ring in rings {
            let mut points = ring.clone();
            points.sort_unstable();
            points.dedup();
            for p in points {
                *counts.entry(p).or_insert(0) += 1;
            }
        }
        Borders(counts)
    }

    fn count(&self, p: Point) -> u32 {
        self.0.get(&p).copied().unwrap_or(0)
    }

    /// The points of a closed ring that must stay so that neighbours
    /// simplify their common border alike (no slivers or gaps between
    /// them): junctions, and the ends of every stretch shared or not.
    fn pinned(&self, ring: &[Point]) -> Vec<bool> {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let c = self.count(ring[i]);
                let prev = self.count(ring[if i == 0 { n - 2 } else { i - 1 }]);
                let next = self.count(ring[if i + 1 == n { 1 } else { i + 1 }]);
                c >= 3 || c != prev || c != next
            })
            .collect()
    }
}

/// A closed ring turned to start at one of its pinned points (see
/// `Borders`), with the points any simplification keeps: what does not
/// depend on the tolerance, worked out once.
#[derive(Debug, Clone)]
pub struct Prepared {
    ring: Vec<Point>,
    keep: Vec<bool>,
}

impl Borders {
    pub fn prepare(&self, ring: &[Point]) -> Prepared {
        let ring = close(ring.to_vec());
        if ring.len() < 4 {
            let keep = vec![true; ring.len()];
            return Prepared { ring, keep };
        }
        let ring = match self.pinned(&ring).iter().position(|p| *p) {
            Some(start) => close([&ring[start..ring.len() - 1], &ring[..start]].concat()),
            None => ring,
        };
        let mut keep = self.pinned(&ring);
        let last = ring.len() - 1;
        keep[0] = true;
        keep[last] = true;
        // A ring with no pinned point (an island) keeps the point farthest
        // from its first, so that it is never a single line.
        if !keep[1..last].contains(&true) {
            let far = (1..last)
                .max_by_key(|&i| dist2(ring[i], ring[0]))
                .unwrap_or(1);
            keep[far] = true;
        }
        Prepared { ring, keep }
    }
}

impl Prepared {
    /// Douglas–Peucker between the kept points. The result is closed; it
    /// may have fewer than three distinct points, which the caller treats
    /// as a ring too small to keep.
    pub fn simplify(&self, tolerance: f64) -> Vec<Point> {
        let mut keep = self.keep.clone();
        let ends: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
        for w in ends.windows(2) {
            mark(&self.ring, w[0], w[1], tolerance, &mut keep);
        }
        self.ring
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(p, _)| *p)
            .collect()
    }
}

/// Keeps the farthest point between `a` and `b` if it lies farther than
/// `tolerance` from the chord, and recurses (with an explicit stack).
fn mark(ring: &[Point], a: usize, b: usize, tolerance: f64, keep: &mut [bool]) {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (i, d) = (a + 1..b)
            .map(|i| (i, off_chord(ring[i], ring[a], ring[b])))
            // Ties go to the smaller point, not the earlier one, so that a
            // border walked the other way by the neighbour keeps the same.
            .fold((a, -1.0), |m, x| {
                if x.1 > m.1 || (x.1 == m.1 && ring[x.0] < ring[m.0]) {
                    x
                } else {
                    m
                }
            });
        if d > tolerance {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
}

fn dist2(p: Point, q: Point) -> i64 {
    let (dx, dy) = (i64::from(p.0 - q.0), i64::from(p.1 - q.1));
    dx * dx + dy * dy
}

/// Distance of `p` from the segment `a`–`b`.
fn off_chord(p: Point, a: Point, b: Point) -> f64 {
    let (px, py, ax, ay, bx, by) = (
        f64::from(p.0),
        f64::from(p.1),
        f64::from(a.0),
        f64::from(a.1),
        f64::from(b.0),
        f64::from(b.1),
    );
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return ((px - ax).powi(2) + (py - ay).powi(2)).sqrt();
    }
    let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
    ((px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)).sqrt()
}

/// Area of a closed ring in square units (shoelace, unsigned).
pub fn area(ring: &[Point]) -> f64 {
    let twice: i64 = ring
        .windows(2)
        .map(|w| i64::from(w[0].0) * i64::from(w[1].1) - i64::from(w[1].0) * i64::from(w[0].1))
        .sum();
    twice.abs() as f64 / 2.0
}

/// Distinct points of a ring.
pub fn distinct(ring: &[Point]) -> usize {
    let mut v = ring.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// A county's rings simplified: slivers (fewer than three distinct points
/// or under `min_area`) dropped, but never all of them — a county whose
/// every ring vanishes keeps its largest ring unsimplified.
pub fn simplify_county(rings: &[Prepared], tolerance: f64, min_area: f64) -> Vec<Vec<Point>> {
    let kept: Vec<Vec<Point>> = rings
        .iter()
        .map(|r| r.simplify(tolerance))
        .filter(|r| distinct(r) >= 3 && area(r) >= min_area)
        .collect();
    if !kept.is_empty() {
        return kept;
    }
    rings
        .iter()
        .map(|r| &r.ring)
        .filter(|r| distinct(r) >= 3)
        .max_by(|a, b| area(a).total_cmp(&area(b)))
        .map(|r| vec![r.clone()])
        .unwrap_or_default()
}

/// A context region's rings (Taiwan, the islands…) simplified without
/// losing any: every island is territory, however small, so where a county
/// drops a sliver a ring here falls back to the source's resolution, then
/// to no simplification, and a rock under the file's resolution (fewer
/// than three distinct thousandths of a degree) becomes a dot: a triangle
/// of one unit at its place. Identical rings are kept once, as drawing a
/// ring twice would cancel it (even-odd).
pub fn simplify_keeping_islands(rings: &[Prepared], tolerance: f64) -> Vec<Vec<Point>> {
    let mut seen = HashSet::new();
    rings
        .iter()
        .filter_map(|r| {
            let &(x, y) = r.ring.first()?;
            let dot = vec![(x, y), (x + 1, y), (x, y + 1), (x, y)];
            let kept = [tolerance, 1.0, 0.0]
                .into_iter()
                .map(|t| r.simplify(t))
                .find(|s| distinct(s) >= 3);
            Some(kept.unwrap_or(dot))
        })
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of side 1000 with a point every 10 units and a little noise.
    fn wobbly_square() -> Vec<Point> {
        let mut ring = Vec::new();
        let side = |i: i32| if i % 2 == 0 { 0 } else { 1 };
        for i in 0..100 {
            ring.push((i * 10, side(i)));
        }
        for i in 0..100 {
            ring.push((1000 + side(i), i * 10));
        }
        for i in 0..100 {
            ring.push((1000 - i * 10, 1000 + side(i)));
        }
        for i in 0..100 {
            ring.push((side(i), 1000 - i * 10));
        }
        ring.push((0, 0));
        ring
    }

    #[test]
    fn simplification_keeps_the_ends_and_closure_and_drops_points() {
        let ring = wobbly_square();
        let s = Borders::default().prepare(&ring).simplify(3.0);
        assert_eq!(s.first(), Some(&(0, 0)));
        assert_eq!(s.last(), Some(&(0, 0)));
        assert!(s.len() <= 6, "{s:?}");
        assert_eq!(distinct(&s), 4);
        assert!((area(&s) - 1_000_000.0).abs() < 5_000.0);
        // No tolerance: every corner of the wobble stays.
        assert!(Borders::default().prepare(&ring).simplify(0.0).len() > 300);
    }

    #[test]
    fn an_open_ring_comes_back_closed() {
        let s = Borders::default()
            .prepare(&[(0, 0), (10, 0), (10, 10), (0, 10)])
            .simplify(1.0);
        assert_eq!(s, vec![(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]);
        assert_eq!(
            quantize(&[(1.0, 2.0), (1.0004, 2.0), (1.5, 2.5)]),
            vec![(1000, 2000), (1500, 2500), (1000, 2000)]
        );
    }

    #[test]
    fn neighbours_simplify_their_common_border_alike() {
        // A wobbly border x = 1000 shared by A (west, walking it north) and
        // B (east, walking it south and starting halfway along it).
        let border: Vec<Point> = (0..=100).map(|i| (1000 + i % 2, i * 10)).collect();
        let mut a = vec![(0, 0)];
        a.extend(&border);
        a.extend([(0, 1000), (0, 0)]);
        let mut b: Vec<Point> = border[..=50].iter().rev().copied().collect();
        b.extend([(2000, 0), (2000, 1000)]);
        b.extend(border[50..].iter().rev());
        let borders = Borders::of([&a, &b]);
        let on_border = |r: Vec<Point>| {
            let mut v: Vec<Point> = r
                .into_iter()
                .filter(|p| (999..=1001).contains(&p.0))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let sa = on_border(borders.prepare(&a).simplify(3.0));
        let sb = on_border(borders.prepare(&b).simplify(3.0));
        assert_eq!(sa, vec![(1000, 0), (1000, 1000)]);
        assert_eq!(sa, sb);
        // Without knowing the border, B keeps its starting point halfway.
        let alone = on_border(Borders::default().prepare(&b).simplify(3.0));
        assert!(alone.contains(&(1000, 500)), "{alone:?}");
    }

    #[test]
    fn slivers_go_but_a_county_keeps_its_last_ring() {
        let big = wobbly_square();
        let islet = vec![(5000, 5000), (5001, 5000), (5001, 5001), (5000, 5000)];
        let none = Borders::default();
        let kept = simplify_county(&[none.prepare(&big), none.prepare(&islet)], 3.0, 10.0);
        assert_eq!(kept.len(), 1);
        assert_eq!(distinct(&kept[0]), 4);
        // Alone, the islet is kept as it is rather than leaving no shape.
        assert_eq!(
            simplify_county(&[none.prepare(&islet)], 3.0, 10.0),
            vec![islet]
        );
    }

    #[test]
    fn context_regions_keep_every_island_and_rocks_become_dots() {
        let big = wobbly_square();
        // A thin islet the county rule would drop (area 2 < 10).
        let islet = vec![(5000, 5000), (5004, 5000), (5004, 5001), (5000, 5000)];
        // A rock under the resolution: two distinct points, given twice.
        let rock = vec![(7000, 7000), (7001, 7000), (7000, 7000)];
        let none = Borders::default();
        let rings: Vec<Prepared> = [&big, &islet, &rock, &rock]
            .iter()
            .map(|r| none.prepare(r))
            .collect();
        assert_eq!(simplify_county(&rings, 3.0, 10.0).len(), 1);
        let kept = simplify_keeping_islands(&rings, 3.0);
        assert_eq!(kept.len(), 3, "{kept:?}");
        assert_eq!(distinct(&kept[0]), 4);
        assert_eq!(kept[1], islet);
        assert_eq!(
            kept[2],
            vec![(7000, 7000), (7001, 7000), (7000, 7001), (7000, 7000)]
        );
        assert!(
            kept.iter()
                .all(|r| distinct(r) >= 3 && r.first() == r.last())
        );
    }
}
