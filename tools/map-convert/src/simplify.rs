//! Ring simplification in thousandths of a degree (Douglas–Peucker).

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

/// Douglas–Peucker of a closed ring: the first point and the point
/// farthest from it are kept, each half simplified to `tolerance`. The
/// result is closed; it may have fewer than three distinct points, which
/// the caller treats as a ring too small to keep.
pub fn simplify_ring(ring: &[Point], tolerance: f64) -> Vec<Point> {
    let ring = close(ring.to_vec());
    if ring.len() < 4 {
        return ring;
    }
    let first = ring[0];
    let far = (1..ring.len() - 1)
        .max_by_key(|&i| dist2(ring[i], first))
        .unwrap_or(1);
    let mut keep = vec![false; ring.len()];
    keep[0] = true;
    keep[far] = true;
    keep[ring.len() - 1] = true;
    mark(&ring, 0, far, tolerance, &mut keep);
    mark(&ring, far, ring.len() - 1, tolerance, &mut keep);
    ring.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| *p)
        .collect()
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
            .fold((a, -1.0), |m, x| if x.1 > m.1 { x } else { m });
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
pub fn simplify_county(rings: &[Vec<Point>], tolerance: f64, min_area: f64) -> Vec<Vec<Point>> {
    let kept: Vec<Vec<Point>> = rings
        .iter()
        .map(|r| simplify_ring(r, tolerance))
        .filter(|r| distinct(r) >= 3 && area(r) >= min_area)
        .collect();
    if !kept.is_empty() {
        return kept;
    }
    rings
        .iter()
        .filter(|r| distinct(r) >= 3)
        .max_by(|a, b| area(a).total_cmp(&area(b)))
        .map(|r| vec![close(r.clone())])
        .unwrap_or_default()
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
        let s = simplify_ring(&ring, 3.0);
        assert_eq!(s.first(), Some(&(0, 0)));
        assert_eq!(s.last(), Some(&(0, 0)));
        assert!(s.len() <= 6, "{s:?}");
        assert_eq!(distinct(&s), 4);
        assert!((area(&s) - 1_000_000.0).abs() < 5_000.0);
        // No tolerance: every corner of the wobble stays.
        assert!(simplify_ring(&ring, 0.0).len() > 300);
    }

    #[test]
    fn an_open_ring_comes_back_closed() {
        let s = simplify_ring(&[(0, 0), (10, 0), (10, 10), (0, 10)], 1.0);
        assert_eq!(s, vec![(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]);
        assert_eq!(
            quantize(&[(1.0, 2.0), (1.0004, 2.0), (1.5, 2.5)]),
            vec![(1000, 2000), (1500, 2500), (1000, 2000)]
        );
    }

    #[test]
    fn slivers_go_but_a_county_keeps_its_last_ring() {
        let big = wobbly_square();
        let islet = vec![(5000, 5000), (5001, 5000), (5001, 5001), (5000, 5000)];
        let kept = simplify_county(&[big, islet.clone()], 3.0, 10.0);
        assert_eq!(kept.len(), 1);
        assert_eq!(distinct(&kept[0]), 4);
        // Alone, the islet is kept as it is rather than leaving no shape.
        assert_eq!(
            simplify_county(std::slice::from_ref(&islet), 3.0, 10.0),
            vec![islet]
        );
    }
}
