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
    for (k, imp, perf) in pts {
        s.push_str(&format!(
            r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="5"><title>{}: {}, {}</title></circle><text class="lbl" x="{:.1}" y="{:.1}">{}</text>"#,
            x(*imp),
            y(*perf),
            escape(k),
            crate::format::number(lang, *imp, 3),
            crate::format::number(lang, *perf, 0),
            x(*imp) + 7.0,
            y(*perf) + 4.0,
            escape(k)
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
