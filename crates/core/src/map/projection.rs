//! An Albers equal-area conic projection (standard parallels 25°N and
//! 47°N, central meridian 105°E — the usual one for maps of China, which
//! keeps the areas of counties comparable), fitted to a view's box.
//! Projected points are in tenths of a pixel, so they round to 0.1 px and
//! compare exactly.

use super::shapes::{CountyShape, UNITS_PER_DEGREE};

const PARALLEL_1: f64 = 25.0;
const PARALLEL_2: f64 = 47.0;
const CENTRAL_MERIDIAN: f64 = 105.0;

/// The projection on a unit sphere (x east, y north).
pub fn albers(lon: f64, lat: f64) -> (f64, f64) {
    let (p1, p2) = (PARALLEL_1.to_radians(), PARALLEL_2.to_radians());
    let n = (p1.sin() + p2.sin()) / 2.0;
    let c = p1.cos().powi(2) + 2.0 * n * p1.sin();
    let rho = |phi: f64| (c - 2.0 * n * phi.sin()).max(0.0).sqrt() / n;
    let theta = n * (lon - CENTRAL_MERIDIAN).to_radians();
    let r = rho(lat.to_radians());
    // The reference latitude is the equator; the fit removes the offset.
    (r * theta.sin(), rho(0.0) - r * theta.cos())
}

/// A projection fitted to a box of `width` pixels (the height follows the
/// shapes' aspect) with `margin` pixels on every side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    min_x: f64,
    max_y: f64,
    scale: f64,
    margin: f64,
    /// The left margin, centring a view narrower than the box.
    left: f64,
    pub width: f64,
    pub height: f64,
}

fn degrees(p: (i32, i32)) -> (f64, f64) {
    (p.0 as f64 / UNITS_PER_DEGREE, p.1 as f64 / UNITS_PER_DEGREE)
}

impl Fit {
    /// Fits the shapes; `None` when there is no point at all.
    pub fn to<'a>(
        shapes: impl IntoIterator<Item = &'a CountyShape>,
        width: f64,
        margin: f64,
    ) -> Option<Fit> {
        let mut bounds: Option<(f64, f64, f64, f64)> = None;
        for p in shapes.into_iter().flat_map(|s| s.rings.iter().flatten()) {
            let (lon, lat) = degrees(*p);
            let (x, y) = albers(lon, lat);
            let b = bounds.get_or_insert((x, y, x, y));
            *b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        let (min_x, min_y, max_x, max_y) = bounds?;
        let inner = (width - 2.0 * margin).max(1.0);
        let span_x = (max_x - min_x).max(1e-9);
        let span_y = (max_y - min_y).max(1e-9);
        // A tall view is fitted by its height (at most the width again) so
        // one narrow prefecture does not become a very long image.
        let scale = (inner / span_x).min(inner / span_y);
        Some(Fit {
            min_x,
            max_y,
            scale,
            margin,
            left: margin + (inner - span_x * scale) / 2.0,
            width,
            height: (span_y * scale + 2.0 * margin).round(),
        })
    }

    /// A point in tenths of a pixel, y downwards.
    pub fn point(&self, p: (i32, i32)) -> (i32, i32) {
        let (lon, lat) = degrees(p);
        let (x, y) = albers(lon, lat);
        let px = (x - self.min_x) * self.scale + self.left;
        let py = (self.max_y - y) * self.scale + self.margin;
        ((px * 10.0).round() as i32, (py * 10.0).round() as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: i32, y: i32, d: i32) -> CountyShape {
        CountyShape {
            code: "620000".into(),
            name: "t".into(),
            rings: vec![vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d)]],
        }
    }

    #[test]
    fn the_central_meridian_is_straight_and_north_is_up() {
        let (x0, y0) = albers(105.0, 30.0);
        let (x1, y1) = albers(105.0, 40.0);
        assert!(x0.abs() < 1e-12 && x1.abs() < 1e-12);
        assert!(y1 > y0);
        assert!(albers(110.0, 30.0).0 > 0.0);
    }

    #[test]
    fn equal_areas_stay_equal_across_latitudes() {
        // Two 1°×1° cells at the same latitude band but far apart in
        // longitude have the same projected area (a conic is symmetric).
        let area = |lon: f64, lat: f64| {
            let a = albers(lon, lat);
            let b = albers(lon + 1.0, lat);
            let c = albers(lon, lat + 1.0);
            ((b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)).abs()
        };
        let (w, e) = (area(80.0, 35.0), area(125.0, 35.0));
        assert!((w - e).abs() / w < 0.01, "{w} {e}");
    }

    #[test]
    fn a_fit_fills_the_box_within_the_margin() {
        let s = square(104_000, 33_000, 1_000);
        let f = Fit::to([&s], 800.0, 10.0).unwrap();
        let pts: Vec<(i32, i32)> = s.rings[0].iter().map(|p| f.point(*p)).collect();
        let (min_x, max_x) = (pts.iter().map(|p| p.0).min(), pts.iter().map(|p| p.0).max());
        let (min_y, max_y) = (pts.iter().map(|p| p.1).min(), pts.iter().map(|p| p.1).max());
        let (min_x, max_x, min_y, max_y) = (
            min_x.unwrap(),
            max_x.unwrap(),
            min_y.unwrap(),
            max_y.unwrap(),
        );
        assert!(
            min_x >= 99 && max_x <= 7901 && min_y >= 99,
            "{min_x} {max_x} {min_y}"
        );
        // Centred: as much room left as right.
        assert!((min_x - (8000 - max_x)).abs() <= 2, "{min_x} {max_x}");
        // The view's height is fitted exactly: the margin above and below.
        assert!((min_y - 100).abs() <= 1, "{min_y}");
        assert!(
            (max_y as f64 - (f.height * 10.0 - 100.0)).abs() <= 5.0,
            "{max_y}"
        );
        // North (a larger latitude) is drawn higher (a smaller y).
        assert!(f.point((104_000, 34_000)).1 < f.point((104_000, 33_000)).1);
        assert!(Fit::to([], 800.0, 10.0).is_none());
    }
}
