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
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}" class="chart"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"#,
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
}
