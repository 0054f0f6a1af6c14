//! Charts as SVG drawn on the server: they print, go into reports and need
//! no script.

/// One bar of a coverage chart: label, part covered, whole.
pub struct Bar {
    pub label: String,
    pub href: Option<String>,
    pub value: usize,
    pub total: usize,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per row: the whole in grey, the covered part in
/// green, the figures at the end; the caption (source, date) below.
pub fn coverage_bars(
    title: &str,
    bars: &[Bar],
    value_label: &str,
    total_label: &str,
    caption: &str,
) -> String {
    let row_h = 26;
    let label_w = 150;
    let bar_w = 420;
    let top = 40;
    let height = top + bars.len() * row_h + 50;
    let width = label_w + bar_w + 150;
    let max = bars.iter().map(|b| b.total).max().unwrap_or(1).max(1);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}" class="chart"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"#,
        t = esc(title)
    );
    s.push_str(&format!(
        r#"<rect x="{label_w}" y="26" width="10" height="10" class="bar-total"/><text x="{}" y="35" class="chart-legend">{}</text><rect x="{}" y="26" width="10" height="10" class="bar-value"/><text x="{}" y="35" class="chart-legend">{}</text>"#,
        label_w + 14,
        esc(total_label),
        label_w + 120,
        label_w + 134,
        esc(value_label)
    ));
    for (i, b) in bars.iter().enumerate() {
        let y = top + i * row_h + 6;
        let w_total = (b.total as f64 / max as f64 * bar_w as f64).round();
        let w_value = (b.value as f64 / max as f64 * bar_w as f64).round();
        let label = match &b.href {
            Some(h) => format!(
                r#"<a href="{}"><text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text></a>"#,
                esc(h),
                label_w - 8,
                y + 14,
                esc(&b.label)
            ),
            None => format!(
                r#"<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>"#,
                label_w - 8,
                y + 14,
                esc(&b.label)
            ),
        };
        s.push_str(&label);
        s.push_str(&format!(
            r#"<rect x="{label_w}" y="{y}" width="{w_total}" height="18" class="bar-total"/>"#
        ));
        s.push_str(&format!(
            r#"<rect x="{label_w}" y="{y}" width="{w_value}" height="18" class="bar-value"/>"#
        ));
        s.push_str(&format!(
            r#"<text x="{}" y="{}" class="chart-figure">{} / {}</text>"#,
            label_w as f64 + w_total + 8.0,
            y + 14,
            b.value,
            b.total
        ));
    }
    s.push_str(&format!(
        r#"<text x="0" y="{}" class="chart-caption">{}</text></svg>"#,
        height - 12,
        esc(caption)
    ));
    s
}

/// A round axis for values up to `max`: (top of the axis, step between
/// ticks), the step being 1, 2 or 5 times a power of ten, 4–6 ticks.
pub fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.2);
    }
    let raw = max / 5.0;
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * pow)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * pow);
    let top = (max / step).ceil() * step;
    (top.max(step), step)
}

/// A tick label without trailing noise: 2.5 → "2.5", 10 → "10".
fn tick(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// One point of a line over years: its label and value (`None`: no data,
/// the line breaks there).
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    /// The figure written above the point.
    pub text: String,
}

/// A horizontal grid line of a line chart, with its value on the left.
fn grid_line(left: f64, plot_w: f64, y: f64, label: &str) -> String {
    format!(
        r#"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="chart-label" text-anchor="end">{label}</text>"#,
        left + plot_w,
        left - 6.0,
        y + 4.0,
    )
}

/// The line through the points, broken where a value is missing.
fn polylines(points: &[Point], at: impl Fn(usize, f64) -> (f64, f64)) -> String {
    let mut s = String::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, s: &mut String| {
        if run.len() > 1 {
            s.push_str(&format!(
                r#"<polyline points="{}" class="line"/>"#,
                run.join(" ")
            ));
        }
        run.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => {
                let (x, y) = at(i, v);
                run.push(format!("{x:.1},{y:.1}"));
            }
            None => flush(&mut run, &mut s),
        }
    }
    flush(&mut run, &mut s);
    s
}

/// A line over the labels (years) with a vertical axis in `unit` (e.g.
/// "%"), a dot and the figure at each point, gaps where there is no data;
/// the caption (source, date) below.
pub fn line_chart(title: &str, points: &[Point], unit: &str, caption: &str) -> String {
    let left = 56.0;
    let top = 44.0;
    let plot_h = 200.0;
    // A steady size whatever the number of years (the SVG scales to the
    // page): points spread over 600 px, at least 44 px apart.
    let gaps = points.len().max(2) as f64 - 1.0;
    let plot_w = (gaps * 44.0 + 40.0).max(600.0);
    let step_x = (plot_w - 40.0) / gaps;
    let width = left + plot_w + 24.0;
    let height = top + plot_h + 70.0;
    let max = points.iter().filter_map(|p| p.value).fold(0.0, f64::max);
    let (axis_max, step) = nice_axis(max);
    let y_of = |v: f64| top + plot_h - v / axis_max * plot_h;
    let x_of = |i: usize| left + 20.0 + i as f64 * step_x;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}" class="chart"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"#,
        t = esc(title)
    );
    s.push_str(&format!(
        r#"<text x="0" y="36" class="chart-legend">{}</text>"#,
        esc(unit)
    ));
    let mut v = 0.0;
    while v <= axis_max + step / 2.0 {
        s.push_str(&grid_line(left, plot_w, y_of(v), &tick(v)));
        v += step;
    }
    s.push_str(&format!(
        r#"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" class="axis"/>"#,
        top + plot_h
    ));
    s.push_str(&polylines(points, |i, v| (x_of(i), y_of(v))));
    for (i, p) in points.iter().enumerate() {
        let x = x_of(i);
        if let Some(v) = p.value {
            let y = y_of(v);
            s.push_str(&format!(
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" class="dot"/><text x="{x:.1}" y="{:.1}" class="chart-figure" text-anchor="middle">{}</text>"#,
                y - 8.0,
                esc(&p.text)
            ));
        } else {
            s.push_str(&format!(
                r#"<text x="{x:.1}" y="{:.1}" class="chart-figure muted" text-anchor="middle">—</text>"#,
                top + plot_h - 6.0
            ));
        }
        s.push_str(&format!(
            r#"<text x="{x:.1}" y="{:.1}" class="chart-label" text-anchor="middle">{}</text>"#,
            top + plot_h + 18.0,
            esc(&p.label)
        ));
    }
    s.push_str(&format!(
        r#"<text x="0" y="{:.1}" class="chart-caption">{}</text></svg>"#,
        height - 12.0,
        esc(caption)
    ));
    s
}

/// One bar of a value chart: label (a link when `href`), value, and the
/// figure written after the bar.
pub struct ValueBar {
    pub label: String,
    pub href: Option<String>,
    pub value: f64,
    pub text: String,
}

/// Horizontal bars scaled to the largest value, with a labelled axis in
/// `unit` (e.g. "人"); the caption (source, date) below.
pub fn value_bars(title: &str, bars: &[ValueBar], unit: &str, caption: &str) -> String {
    let row_h = 24.0;
    let label_w = 170.0;
    let bar_w = 400.0;
    let top = 44.0;
    let plot_h = bars.len().max(1) as f64 * row_h;
    let height = top + plot_h + 64.0;
    let width = label_w + bar_w + 110.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (axis_max, step) = nice_axis(max);
    let w_of = |v: f64| (v.max(0.0) / axis_max * bar_w).round();
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}" class="chart"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"#,
        t = esc(title)
    );
    let mut v = 0.0;
    while v <= axis_max + step / 2.0 {
        let x = label_w + w_of(v);
        s.push_str(&format!(
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{:.1}" class="grid"/><text x="{x}" y="{:.1}" class="chart-label" text-anchor="middle">{}</text>"#,
            top - 4.0,
            top + plot_h,
            top + plot_h + 16.0,
            tick(v)
        ));
        v += step;
    }
    s.push_str(&format!(
        r#"<text x="{:.1}" y="{:.1}" class="chart-legend" text-anchor="end">{}</text>"#,
        label_w + bar_w,
        top + plot_h + 34.0,
        esc(unit)
    ));
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row_h + 3.0;
        let text = format!(
            r#"<text x="{}" y="{:.1}" class="chart-label" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 13.0,
            esc(&b.label)
        );
        match &b.href {
            Some(h) => s.push_str(&format!(r#"<a href="{}">{text}</a>"#, esc(h))),
            None => s.push_str(&text),
        }
        let w = w_of(b.value);
        s.push_str(&format!(
            r#"<rect x="{label_w}" y="{y:.1}" width="{w}" height="17" class="bar-value"/><text x="{:.1}" y="{:.1}" class="chart-figure">{}</text>"#,
            label_w + w + 6.0,
            y + 13.0,
            esc(&b.text)
        ));
    }
    s.push_str(&format!(
        r#"<text x="0" y="{:.1}" class="chart-caption">{}</text></svg>"#,
        height - 10.0,
        esc(caption)
    ));
    s
}

/// A responsibility letter's progress on one indicator: the bar filled to
/// the completion (capped at the end, red when `behind`), a mark at the
/// share of the year gone, the figure after the bar.
pub fn progress_bar(completion: f64, year_share: f64, behind: bool, text: &str) -> String {
    let w = 240.0;
    let fill = (completion.clamp(0.0, 1.0) * w).round();
    let mark = (year_share.clamp(0.0, 1.0) * w).round();
    let class = if behind { "bar-behind" } else { "bar-value" };
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 420 18" width="420" height="18" role="img" aria-label="{t}" class="chart progress"><rect x="0" y="3" width="{w}" height="12" class="bar-total"/><rect x="0" y="3" width="{fill}" height="12" class="{class}"/><line x1="{mark}" y1="0" x2="{mark}" y2="18" class="year-mark"/><text x="{:.0}" y="14" class="chart-figure">{t}</text></svg>"#,
        w + 8.0,
        t = esc(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_total_and_escape_labels() {
        let svg = coverage_bars(
            "覆盖 <情况>",
            &[
                Bar {
                    label: "甘肃省".into(),
                    href: Some("/areas/62".into()),
                    value: 1,
                    total: 2,
                },
                Bar {
                    label: "河北省".into(),
                    href: None,
                    value: 4,
                    total: 4,
                },
            ],
            "已结对",
            "重点县",
            "来源：dingdian",
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("覆盖 &lt;情况&gt;"));
        assert!(
            svg.contains(r#"width="420" height="18" class="bar-value""#),
            "the full row reaches the full width"
        );
        assert!(
            svg.contains(r#"width="210" height="18" class="bar-total""#),
            "half the largest total is half the width"
        );
        assert!(svg.contains("1 / 2") && svg.contains("4 / 4"));
        assert!(svg.contains(r#"<a href="/areas/62">"#));
    }

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(32.9), (40.0, 10.0));
        assert_eq!(nice_axis(4.2), (5.0, 1.0));
        assert_eq!(nice_axis(45_000.0), (50_000.0, 10_000.0));
        assert_eq!(nice_axis(0.0), (1.0, 0.2));
        let (top, step) = nice_axis(7.0);
        assert!(top >= 7.0 && (top / step) <= 6.0, "{top} {step}");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(0.0), "0");
    }

    #[test]
    fn a_line_breaks_where_data_is_missing_and_shows_its_unit() {
        let p = |label: &str, v: Option<f64>| Point {
            label: label.into(),
            value: v,
            text: v.map(|v| format!("{v:.1}%")).unwrap_or_default(),
        };
        let svg = line_chart(
            "贫困发生率 <舟曲县>",
            &[
                p("2012", Some(32.9)),
                p("2013", Some(25.0)),
                p("2014", None),
                p("2015", Some(15.9)),
            ],
            "单位：%",
            "来源：建档立卡",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("贫困发生率 &lt;舟曲县&gt;"));
        assert!(svg.contains("单位：%"));
        assert_eq!(
            svg.matches("<polyline").count(),
            1,
            "one run of two points; the lone 2015 point has no line"
        );
        assert_eq!(svg.matches("<circle").count(), 3, "a dot per known value");
        assert!(svg.contains("32.9%") && svg.contains("15.9%") && svg.contains(">—<"));
        assert!(svg.contains(">40<"), "the axis reaches a round 40");
        assert!(svg.contains("来源：建档立卡"));
        // The highest value sits at the top of a 40 axis: 32.9/40 of 200 px above the base.
        let y = 44.0 + 200.0 - 32.9 / 40.0 * 200.0;
        assert!(svg.contains(&format!("cy=\"{y:.1}\"")), "{svg}");
    }

    #[test]
    fn value_bars_scale_to_a_round_axis_and_link() {
        let svg = value_bars(
            "各乡镇贫困人口",
            &[
                ValueBar {
                    label: "城关镇".into(),
                    href: Some("/indicators?area=623023100".into()),
                    value: 50.0,
                    text: "50".into(),
                },
                ValueBar {
                    label: "大川镇".into(),
                    href: None,
                    value: 25.0,
                    text: "25".into(),
                },
            ],
            "单位：人",
            "来源",
        );
        assert!(svg.contains(r#"<a href="/indicators?area=623023100">"#));
        assert!(
            svg.contains(r#"width="400" height="17""#),
            "50 of a 50 axis is full width"
        );
        assert!(svg.contains(r#"width="200" height="17""#), "half is half");
        assert!(svg.contains("单位：人"));
        // No bars: still a valid, empty chart.
        let empty = value_bars("空", &[], "人", "来源");
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>"));
    }

    /// A chart is drawn at its own size (one SVG unit per CSS pixel): on a
    /// phone its box scrolls sideways instead of shrinking 12 px labels
    /// to 6 px.
    #[test]
    fn charts_keep_their_drawn_size_so_labels_stay_legible() {
        let bars = [ValueBar {
            label: "舟曲县".into(),
            href: None,
            value: 10.0,
            text: "10".into(),
        }];
        let points = [Point {
            label: "2016".into(),
            value: Some(1.0),
            text: "1".into(),
        }];
        for svg in [
            value_bars("t", &bars, "%", "c"),
            line_chart("t", &points, "%", "c"),
        ] {
            assert!(!svg.contains("100%"), "{svg}");
            let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
            let (w, rest) = view.split_once(' ').unwrap();
            let h = rest.split('"').next().unwrap();
            assert!(
                svg.contains(&format!("width=\"{w}\" height=\"{h}\" role")),
                "{svg}"
            );
        }
    }

    #[test]
    fn a_progress_bar_is_filled_to_the_completion_and_marks_the_year() {
        let svg = progress_bar(0.5, 0.75, true, "50 / 100");
        assert!(
            svg.contains(r#"width="120" height="12" class="bar-behind""#),
            "{svg}"
        );
        assert!(svg.contains(r#"x1="180""#), "{svg}");
        let over = progress_bar(1.7, 0.2, false, "<b>");
        assert!(
            over.contains(r#"width="240" height="12" class="bar-value""#)
                && over.contains("&lt;b&gt;")
        );
    }
}
