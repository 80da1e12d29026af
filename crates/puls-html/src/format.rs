//! Numbers and dates the way each language writes them.
//!
//! English: `12,345.7`, `30 Nov 2026`. Polish: `12 345,7` (no grouping below 10,000),
//! `30.11.2026`. Czech: `1 234,5`, `30. 11. 2026`. Groups are separated by a no-break space
//! so a number never wraps; negatives take a real minus sign (U+2212).

use crate::{Lang, Text};

const NBSP: char = '\u{a0}';
const MINUS: char = '\u{2212}';

/// `v` with `decimals` digits after the separator.
pub fn number(lang: Lang, v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (group, point, min_group) = match lang {
        Lang::En => (',', '.', 4),
        Lang::Pl => (NBSP, ',', 5),
        Lang::Cs => (NBSP, ',', 4),
    };
    let mut out = String::with_capacity(s.len() + 4);
    // "-0.0" is zero.
    if v < 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push(MINUS);
    }
    if int.len() >= min_group {
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(c);
        }
    } else {
        out.push_str(int);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// `v` with its sign: `+3.2`, `−1.0`, `0.0`.
pub fn signed(lang: Lang, v: f64, decimals: usize) -> String {
    let s = number(lang, v, decimals);
    if v > 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        format!("+{s}")
    } else {
        s
    }
}

/// A p-value to three decimals, as `p = 0.023`; below 0.001 as `p < 0.001`, never as a
/// `p = 0.000` that reads as "impossible".
pub fn p_value(lang: Lang, p: f64) -> String {
    const FLOOR: f64 = 0.001;
    if p < FLOOR {
        lang.fill(Text::PValueBelow, &[&number(lang, FLOOR, 3)])
    } else {
        lang.fill(Text::PValue, &[&number(lang, p, 3)])
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date given as `YYYY-MM-DD` (or an RFC 3339 time, whose date part is taken);
/// anything else is returned as it came.
pub fn date(lang: Lang, iso: &str) -> String {
    let d = iso.get(..10).unwrap_or(iso);
    let mut parts = d.splitn(3, '-');
    let (Some(y), Some(m), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    let (Ok(y), Ok(m), Ok(day)) = (y.parse::<u32>(), m.parse::<usize>(), day.parse::<u32>()) else {
        return iso.to_string();
    };
    if !(1..=12).contains(&m) {
        return iso.to_string();
    }
    match lang {
        Lang::En => format!("{day} {} {y}", MONTHS_EN[m - 1]),
        Lang::Pl => format!("{day:02}.{m:02}.{y}"),
        Lang::Cs => format!("{day}. {m}. {y}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(Lang::En, 1234567.891, 2), "1,234,567.89");
        assert_eq!(number(Lang::Pl, 1234.5, 1), "1234,5");
        assert_eq!(number(Lang::Pl, 12345.0, 0), "12\u{a0}345");
        assert_eq!(number(Lang::Cs, 1234.5, 1), "1\u{a0}234,5");
        assert_eq!(number(Lang::En, -0.04, 1), "0.0");
        assert_eq!(number(Lang::Cs, -23.24, 1), "−23,2");
        assert_eq!(number(Lang::En, f64::NAN, 1), "–");
        assert_eq!(signed(Lang::En, 11.66, 1), "+11.7");
        assert_eq!(signed(Lang::Pl, -1.0, 1), "−1,0");
        assert_eq!(signed(Lang::En, 0.0, 1), "0.0");
    }

    #[test]
    fn p_values_below_a_thousandth_are_not_written_as_zero() {
        // No-break spaces keep "p" with its value.
        assert_eq!(p_value(Lang::En, 0.0234), "p\u{a0}=\u{a0}0.023");
        assert_eq!(p_value(Lang::Pl, 0.0234), "p\u{a0}=\u{a0}0,023");
        assert_eq!(p_value(Lang::Cs, 1.0), "p\u{a0}=\u{a0}1,000");
        assert_eq!(p_value(Lang::Pl, 0.0004), "p\u{a0}<\u{a0}0,001");
        assert_eq!(p_value(Lang::En, 0.0), "p\u{a0}<\u{a0}0.001");
        assert_eq!(p_value(Lang::En, 0.001), "p\u{a0}=\u{a0}0.001");
    }

    #[test]
    fn dates() {
        assert_eq!(date(Lang::En, "2026-03-05"), "5 Mar 2026");
        assert_eq!(date(Lang::Pl, "2026-03-05T10:00:00Z"), "05.03.2026");
        assert_eq!(date(Lang::Cs, "2026-03-05"), "5. 3. 2026");
        assert_eq!(date(Lang::Cs, "yesterday"), "yesterday");
    }
}
