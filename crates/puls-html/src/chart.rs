//! Charts as inline SVG, drawn on the server: no script, no network, a few kilobytes.
//!
//! A chart is an image for the eye (`role="img"` with a label) and always comes with the
//! same numbers as a table for everyone else; the page puts the table next to it.
//! Labels are escaped here, since the SVG is inserted as markup. Two charts: a trend line
//! with its interval band, and the key drivers' priority matrix.

use std::fmt::Write;

use crate::{Lang, Text};

/// One point of a trend: its label (a date), value and interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    /// A bucket cut by the period: drawn as a hollow dot, its tooltip this text (which days
    /// it holds) instead of the label.
    pub partial: Option<String>,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

// About the size a card shows it at, so text keeps its size (the image scales, unstretched).
const W: f64 = 320.0;
const H: f64 = 150.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A line of `points` with their intervals as a band, over the y range `y` (widened to the
/// data), with `ticks` labelled on the y axis by `fmt`. `label` names the image.
pub fn trend(points: &[Point], y: (f64, f64), label: &str, fmt: &dyn Fn(f64) -> String) -> String {
    let (mut lo, mut hi) = y;
    for p in points {
        for v in [p.value, p.low, p.high].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
        }
    };
    let yy = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        escape(label)
    );
    // Grid and y labels: the range's ends and middle.
    for v in [lo, (lo + hi) / 2.0, hi] {
        let py = yy(v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            escape(&fmt(v))
        );
    }
    // The band: the upper edge forward, the lower edge back, over runs of points that
    // have an interval.
    let mut run: Vec<(usize, f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(usize, f64, f64)>, s: &mut String| {
        if run.len() > 1 {
            s.push_str(r#"<path class="band" d=""#);
            for (k, (i, _, h)) in run.iter().enumerate() {
                let _ = write!(
                    s,
                    "{}{:.1},{:.1} ",
                    if k == 0 { 'M' } else { 'L' },
                    x(*i),
                    yy(*h)
                );
            }
            for (i, l, _) in run.iter().rev() {
                let _ = write!(s, "L{:.1},{:.1} ", x(*i), yy(*l));
            }
            s.push_str(r#"Z"/>"#);
        }
        run.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match (p.low, p.high) {
            (Some(l), Some(h)) => run.push((i, l, h)),
            _ => flush(&mut run, &mut s),
        }
    }
    flush(&mut run, &mut s);
    // The line, broken where a point has no value; and a dot per point.
    let mut d = String::new();
    let mut pen_down = false;
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1} ",
                    if pen_down { 'L' } else { 'M' },
                    x(i),
                    yy(v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !d.is_empty() {
        let _ = write!(s, r#"<path class="line" d="{}"/>"#, d.trim_end());
    }
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = p.value {
            let _ = write!(
                s,
                r#"<circle class="dot{}" cx="{:.1}" cy="{:.1}" r="3"><title>{}: {}</title></circle>"#,
                if p.partial.is_some() { " partial" } else { "" },
                x(i),
                yy(v),
                escape(p.partial.as_deref().unwrap_or(&p.label)),
                escape(&fmt(v))
            );
        }
    }
    // First and last x labels.
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            s,
            r#"<text class="axis" x="{LEFT}" y="{}">{}</text>"#,
            H - 6.0,
            escape(&first.label)
        );
        if points.len() > 1 {
            let _ = write!(
                s,
                r#"<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>"#,
                W - RIGHT,
                H - 6.0,
                escape(&last.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Longest label drawn in the matrix (the full text is in the dot's tooltip).
const LABEL_CHARS: usize = 24;
/// About the width of a character of an 11 px label, and a label's height.
const CHAR_W: f64 = 6.0;
const LABEL_H: f64 = 12.0;

/// Where each dot's label goes, so no two labels overlap and none covers a dot: beside
/// the dot on the right, else on the left, moved up or down a line at a time until it fits
/// (the first free place, nearest first). Long labels are cut at a word with "…".
/// Returns (x, baseline y, text-anchor, text) per point.
fn place_labels(
    pts: &[(&str, f64, f64)],
    dots: &[(f64, f64)],
    (w, h): (f64, f64),
) -> Vec<(f64, f64, &'static str, String)> {
    type Box4 = (f64, f64, f64, f64);
    let overlaps = |a: &Box4, b: &Box4| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let mut placed: Vec<Box4> = Vec::new();
    let mut out = Vec::with_capacity(pts.len());
    for ((k, _, _), &(cx, cy)) in pts.iter().zip(dots) {
        let short = cut_label(k, LABEL_CHARS);
        let lw = short.chars().count() as f64 * CHAR_W;
        let mut chosen = None;
        'search: for step in 0..12 {
            let dy = if step % 2 == 0 { 1.0 } else { -1.0 } * f64::from((step + 1) / 2) * LABEL_H;
            for right in [true, false] {
                let base = cy + 4.0 + dy;
                let (x0, x1) = if right {
                    (cx + 8.0, cx + 8.0 + lw)
                } else {
                    (cx - 8.0 - lw, cx - 8.0)
                };
                let b = (x0, base - LABEL_H + 2.0, x1, base + 2.0);
                let inside = b.0 >= 2.0 && b.2 <= w - 2.0 && b.1 >= 2.0 && b.3 <= h - 2.0;
                let free = !placed.iter().any(|p| overlaps(p, &b))
                    && !dots
                        .iter()
                        .any(|&(dx, dy)| overlaps(&(dx - 5.0, dy - 5.0, dx + 5.0, dy + 5.0), &b));
                if inside && free {
                    chosen = Some((b, if right { x0 } else { x1 }, base, right));
                    break 'search;
                }
            }
        }
        let (b, lx, base, right) = chosen.unwrap_or((
            (cx + 8.0, cy - 8.0, cx + 8.0 + lw, cy + 6.0),
            cx + 8.0,
            cy + 4.0,
            true,
        ));
        placed.push(b);
        out.push((lx, base, if right { "start" } else { "end" }, short));
    }
    out
}

/// `text` cut to at most `max` characters at a word boundary, with "…" when cut.
fn cut_label(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if next.chars().count() + 1 > max {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        out = text.chars().take(max - 1).collect();
    }
    format!("{}…", out.trim_end_matches([',', ';', ':', '?']))
}

/// The priority matrix: importance (share of R²) across, performance (0–100) up, the means
/// as the quadrant lines; each driver a labelled dot.
///
/// `points` are (label, importance, performance) of the drivers that have a performance.
pub fn priority_matrix(
    points: &[(&str, f64, f64)],
    mean_importance: f64,
    mean_performance: f64,
    lang: Lang,
) -> String {
    const W: f64 = 420.0;
    const H: f64 = 300.0;
    const PAD: f64 = 40.0;
    let pts = points;
    // Zoomed to the drivers: importance from 0, performance around the points (0–100).
    let max_i = pts
        .iter()
        .map(|p| p.1)
        .fold(mean_importance, f64::max)
        .max(1e-9)
        * 1.15;
    let (lo_p, hi_p) = pts
        .iter()
        .fold((mean_performance, mean_performance), |(a, b), p| {
            (a.min(p.2), b.max(p.2))
        });
    let (lo_p, hi_p) = (
        (lo_p - 5.0).max(0.0).floor(),
        (hi_p + 5.0).min(100.0).ceil(),
    );
    let span = (hi_p - lo_p).max(1.0);
    let x = |v: f64| PAD + (W - 2.0 * PAD) * (v / max_i).clamp(0.0, 1.0);
    let y = |v: f64| H - PAD - (H - 2.0 * PAD) * ((v - lo_p) / span).clamp(0.0, 1.0);
    let t = |text: Text| escape(lang.t(text));
    let mut s = format!(
        r#"<svg class="matrix" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        t(Text::PriorityMatrix)
    );
    s.push_str(&format!(
        r#"<rect x="{PAD}" y="{PAD}" width="{}" height="{}" class="frame"/>"#,
        W - 2.0 * PAD,
        H - 2.0 * PAD
    ));
    s.push_str(&format!(
        r#"<line class="mean" x1="{0:.1}" x2="{0:.1}" y1="{PAD}" y2="{1}"/><line class="mean" x1="{PAD}" x2="{2}" y1="{3:.1}" y2="{3:.1}"/>"#,
        x(mean_importance),
        H - PAD,
        W - PAD,
        y(mean_performance)
    ));
    // Quadrant names in the corners: high importance and low performance is "fix first".
    for (key, qx, qy, anchor) in [
        (Text::QuadrantFixFirst, W - PAD - 4.0, H - PAD - 6.0, "end"),
        (Text::QuadrantKeepUp, W - PAD - 4.0, PAD + 14.0, "end"),
        (
            Text::QuadrantLowerPriority,
            PAD + 4.0,
            H - PAD - 6.0,
            "start",
        ),
        (Text::QuadrantMaintain, PAD + 4.0, PAD + 14.0, "start"),
    ] {
        s.push_str(&format!(
            r#"<text class="quad" x="{qx}" y="{qy}" text-anchor="{anchor}">{}</text>"#,
            t(key)
        ));
    }
    let dots: Vec<(f64, f64)> = pts.iter().map(|p| (x(p.1), y(p.2))).collect();
    for ((k, imp, perf), (lx, ly, anchor, short)) in
        pts.iter().zip(place_labels(pts, &dots, (W, H)))
    {
        s.push_str(&format!(
            r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="5"><title>{}: {}, {}</title></circle><text class="lbl" x="{lx:.1}" y="{ly:.1}" text-anchor="{anchor}">{}</text>"#,
            x(*imp),
            y(*perf),
            escape(k),
            crate::format::number(lang, *imp, 3),
            crate::format::number(lang, *perf, 0),
            escape(&short)
        ));
    }
    s.push_str(&format!(
        r#"<text class="quad" x="{}" y="{}" text-anchor="end">{}</text><text class="quad" x="{}" y="{}" text-anchor="end">{}</text>"#,
        PAD - 4.0,
        PAD + 4.0,
        crate::format::number(lang, hi_p, 0),
        PAD - 4.0,
        H - PAD,
        crate::format::number(lang, lo_p, 0)
    ));
    s.push_str(&format!(
        r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text><text class="axis" x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle">{}</text></svg>"#,
        W / 2.0,
        H - 10.0,
        t(Text::Importance),
        H / 2.0,
        H / 2.0,
        t(Text::Performance)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: &str, v: Option<f64>, ci: Option<(f64, f64)>) -> Point {
        Point {
            label: label.into(),
            partial: None,
            value: v,
            low: ci.map(|c| c.0),
            high: ci.map(|c| c.1),
        }
    }

    #[test]
    fn matrix_labels_do_not_overlap_and_long_ones_are_cut_at_a_word() {
        // Five drivers close together, as the demo's are.
        let pts = [
            ("Jak oceniasz szybkość dostawy zamówienia?", 0.160, 72.0),
            ("Opakowanie", 0.149, 79.0),
            ("Kurier", 0.161, 71.0),
            ("Śledzenie przesyłki", 0.156, 72.0),
            ("Zadowolenie", 0.157, 73.0),
        ];
        let dots: Vec<(f64, f64)> = pts
            .iter()
            .map(|p| (40.0 + p.1 * 2000.0, 300.0 - p.2 * 3.0))
            .collect();
        let labels = place_labels(&pts, &dots, (420.0, 300.0));
        let boxes: Vec<(f64, f64, f64, f64)> = labels
            .iter()
            .map(|(x, y, anchor, t)| {
                let w = t.chars().count() as f64 * CHAR_W;
                let x0 = if *anchor == "start" { *x } else { x - w };
                (x0, y - LABEL_H + 2.0, x0 + w, y + 2.0)
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(
                    !(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3),
                    "{labels:?}"
                );
            }
        }
        assert_eq!(labels[0].3, "Jak oceniasz szybkość…");
        assert_eq!(cut_label("Kurier", 24), "Kurier");
    }

    #[test]
    fn draws_line_band_and_escapes() {
        let svg = trend(
            &[
                p("<w1>", Some(10.0), Some((5.0, 15.0))),
                p("w2", Some(20.0), Some((12.0, 28.0))),
                p("w3", None, None),
                p("w4", Some(-5.0), None),
            ],
            (-100.0, 100.0),
            "NPS \"trend\"",
            &|v| format!("{v:.0}"),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-label="NPS &quot;trend&quot;""#));
        assert_eq!(svg.matches("class=\"band\"").count(), 1);
        // The line breaks at the gap: two moves.
        let line = svg.split("class=\"line\" d=\"").nth(1).unwrap();
        assert_eq!(line.split('"').next().unwrap().matches('M').count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("&lt;w1&gt;") && !svg.contains("<w1>"));
    }

    #[test]
    fn one_point_and_none() {
        let one = trend(&[p("a", Some(1.0), None)], (0.0, 5.0), "x", &|v| {
            v.to_string()
        });
        assert_eq!(one.matches("<circle").count(), 1);
        let none = trend(&[], (0.0, 5.0), "x", &|v| v.to_string());
        assert!(none.ends_with("</svg>") && !none.contains("<circle"));
    }
}
