//! The words a comment is about, for trending topics: its distinct stems, without the
//! little words every comment has (pronouns, prepositions, conjunctions, auxiliaries,
//! intensifiers and the like, per language, compared folded), numbers and one- or
//! two-letter words. Two comments that say "kurier" and "kuriera" count the same stem.

use crate::fold::Token;
use crate::language::Lang;

/// Little words of Polish, folded, sorted.
const STOP_PL: &[&str] = &[
    "a", "aby", "ale", "az", "bardzo", "bez", "bo", "by", "byc", "byl", "byla", "bylo", "byly",
    "bym", "chce", "co", "czy", "dla", "do", "dobrze", "gdy", "gdzie", "go", "i", "ich", "ile",
    "im", "innych", "ja", "jak", "jako", "jakos", "je", "jeden", "jednak", "jego", "jej", "jesli",
    "jest", "jestem", "jeszcze", "juz", "ktora", "ktore", "ktory", "ktorzy", "lub", "ma", "mam",
    "mi", "mialam", "mialem", "mnie", "moj", "moja", "moje", "mozna", "na", "nad", "nam", "nas",
    "nawet", "nic", "nie", "niz", "no", "o", "od", "oraz", "po", "pod", "przez", "przy", "sa",
    "sie", "sobie", "ta", "tak", "takze", "tam", "te", "tego", "tej", "ten", "to", "tu", "tutaj",
    "tylko", "tym", "u", "w", "wam", "was", "wiec", "wszystko", "wy", "z", "za", "ze", "zeby",
];

/// Little words of Czech, folded, sorted.
const STOP_CS: &[&str] = &[
    "a", "aby", "ale", "ani", "asi", "by", "bych", "byl", "byla", "bylo", "byly", "byt", "co",
    "do", "i", "ja", "jak", "jako", "je", "jeho", "jej", "jen", "jenom", "jeste", "jsem", "jsme",
    "jsou", "jste", "k", "kde", "kdy", "kdyz", "ktera", "ktere", "ktery", "me", "mi", "mne", "moc",
    "muj", "na", "nad", "nam", "nas", "ne", "nebo", "neni", "nez", "nic", "o", "od", "po", "pod",
    "pri", "pro", "proc", "protoze", "s", "se", "si", "sme", "so", "ta", "tak", "take", "tam",
    "ten", "tento", "to", "tu", "tuto", "u", "uz", "v", "ve", "velmi", "vsechno", "vy", "z", "za",
    "ze",
];

/// Little words of English, sorted.
const STOP_EN: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "get", "got",
    "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "is", "it", "its", "just",
    "me", "more", "my", "no", "not", "of", "on", "one", "or", "our", "out", "so", "some", "than",
    "that", "the", "their", "them", "then", "there", "they", "this", "to", "too", "up", "us",
    "very", "was", "we", "were", "what", "when", "which", "who", "will", "with", "would", "you",
    "your",
];

fn stop_words(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Pl => STOP_PL,
        Lang::Cs => STOP_CS,
        Lang::En => STOP_EN,
    }
}

/// The distinct stems of `tokens` worth counting, in the order they first appear.
pub fn terms(tokens: &[Token], lang: Lang) -> Vec<String> {
    terms_of(tokens, lang)
        .into_iter()
        .map(|i| tokens[i].stem.clone())
        .collect()
}

/// The distinct stems of `text` worth counting, each with the word it first came as
/// (lowercased, marks kept: what a reader is shown for the stem), as `stem|word` pairs.
pub fn stored_terms(text: &str, tokens: &[Token], lang: Lang) -> Vec<String> {
    let surface = lower_words(text);
    terms_of(tokens, lang)
        .into_iter()
        .map(|i| {
            let word = surface
                .get(i)
                .filter(|_| surface.len() == tokens.len())
                .unwrap_or(&tokens[i].folded);
            format!("{}|{word}", tokens[i].stem)
        })
        .collect()
}

/// The words of `text` as [`crate::fold::words`] splits them, lowercased but not folded.
fn lower_words(text: &str) -> Vec<String> {
    crate::fold::split_words(text, |c, out| out.push(c))
}

/// The positions in `tokens` of the first occurrence of each stem worth counting.
fn terms_of(tokens: &[Token], lang: Lang) -> Vec<usize> {
    let stop = stop_words(lang);
    let mut out: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.folded.chars().count() < 3
            || t.folded.chars().any(|c| c.is_ascii_digit())
            || stop.binary_search(&t.folded.as_str()).is_ok()
            || t.stem.is_empty()
        {
            continue;
        }
        if !out.iter().any(|&j| tokens[j].stem == t.stem) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_word_lists_are_sorted_for_binary_search() {
        for list in [STOP_PL, STOP_CS, STOP_EN] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", list);
        }
    }

    #[test]
    fn inflected_forms_count_once_and_little_words_not_at_all() {
        let text = "Kurier nie przyszedł, a kuriera nie było w domu 2 razy";
        let t = terms(&crate::fold::tokens(text, Lang::Pl), Lang::Pl);
        assert_eq!(
            t.iter().filter(|s| s.starts_with("kurier")).count(),
            1,
            "{t:?}"
        );
        assert!(
            !t.iter().any(|s| s == "nie" || s == "w" || s == "2"),
            "{t:?}"
        );
        let t = terms(
            &crate::fold::tokens("The courier was late again", Lang::En),
            Lang::En,
        );
        assert!(t.iter().any(|s| s.starts_with("courier")), "{t:?}");
        assert!(!t.iter().any(|s| s == "the" || s == "was"), "{t:?}");
        let text = "Kuriér přišel pozdě, kuriér nezavolal";
        let stored = stored_terms(text, &crate::fold::tokens(text, Lang::Cs), Lang::Cs);
        assert!(stored.iter().any(|s| s.ends_with("|kuriér")), "{stored:?}");
        assert_eq!(stored.iter().filter(|s| s.ends_with("|kuriér")).count(), 1);
    }
}
