//! The dominant emotion of a comment (anger, joy, sadness, fear, surprise, gratitude or
//! none), from cue words per language (folded and stemmed, like the aspects' keywords),
//! emoji and punctuation, weighed by the comment's sentiment (an input: the sentiment
//! model's label).
//!
//! A cue that contradicts the sentiment counts less or not at all: anger needs a negative
//! comment; joy and gratitude need a positive or neutral one (a "dziękuję" in a negative
//! comment is usually sarcasm); sadness and fear count less in a positive one. A joy or
//! gratitude cue right after a negation ("nie jestem zadowolony", "not happy") does not
//! count. The emotion with the highest score wins when it reaches [`MIN_SCORE`]; otherwise
//! the answer is [`Emotion::None`].

use std::fmt;
use std::sync::LazyLock;

use crate::fold::{self, Keyword, Token};
use crate::language::Lang;

/// The lowest score that names an emotion.
pub const MIN_SCORE: f32 = 1.0;

/// A comment's dominant emotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Emotion {
    Anger,
    Joy,
    Sadness,
    Fear,
    Surprise,
    Gratitude,
    None,
}

impl Emotion {
    /// Every emotion, `None` last.
    pub const ALL: [Emotion; 7] = [
        Emotion::Anger,
        Emotion::Joy,
        Emotion::Sadness,
        Emotion::Fear,
        Emotion::Surprise,
        Emotion::Gratitude,
        Emotion::None,
    ];

    /// The name used in the API: `anger`, `joy`, `sadness`, `fear`, `surprise`,
    /// `gratitude` or `none`.
    pub fn name(self) -> &'static str {
        match self {
            Emotion::Anger => "anger",
            Emotion::Joy => "joy",
            Emotion::Sadness => "sadness",
            Emotion::Fear => "fear",
            Emotion::Surprise => "surprise",
            Emotion::Gratitude => "gratitude",
            Emotion::None => "none",
        }
    }

    /// The emotion of a name, as [`Emotion::name`] writes it.
    pub fn from_name(name: &str) -> Option<Emotion> {
        Emotion::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl fmt::Display for Emotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A comment's overall sentiment, as the sentiment model labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sentiment {
    Negative,
    Neutral,
    Positive,
}

impl Sentiment {
    /// `neg`, `neu` or `pos` (also `negative`, `neutral`, `positive`).
    pub fn from_label(label: &str) -> Option<Sentiment> {
        match label {
            "neg" | "negative" => Some(Sentiment::Negative),
            "neu" | "neutral" => Some(Sentiment::Neutral),
            "pos" | "positive" => Some(Sentiment::Positive),
            _ => None,
        }
    }

    /// `neg`, `neu` or `pos`.
    pub fn label(self) -> &'static str {
        match self {
            Sentiment::Negative => "neg",
            Sentiment::Neutral => "neu",
            Sentiment::Positive => "pos",
        }
    }
}

/// How much a cue of `e` counts in a comment of sentiment `s`.
fn gate(e: Emotion, s: Sentiment) -> f32 {
    use Emotion as E;
    use Sentiment as S;
    match (e, s) {
        (E::Anger, S::Negative) => 1.0,
        (E::Anger, _) => 0.0,
        (E::Joy | E::Gratitude, S::Negative) => 0.0,
        (E::Joy, S::Neutral) => 0.6,
        (E::Joy | E::Gratitude, _) => 1.0,
        (E::Sadness, S::Positive) => 0.2,
        (E::Sadness, S::Neutral) => 0.7,
        (E::Fear, S::Positive) => 0.3,
        (E::Sadness | E::Fear, _) => 1.0,
        (E::Surprise, _) => 1.0,
        (E::None, _) => 0.0,
    }
}

/// When two emotions score the same, the first of these wins.
const TIE_ORDER: [Emotion; 6] = [
    Emotion::Gratitude,
    Emotion::Fear,
    Emotion::Surprise,
    Emotion::Sadness,
    Emotion::Anger,
    Emotion::Joy,
];

/// Emoji and the emotion each signals.
const EMOJI: &[(char, Emotion)] = &[
    ('😡', Emotion::Anger),
    ('🤬', Emotion::Anger),
    ('😠', Emotion::Anger),
    ('😤', Emotion::Anger),
    ('👎', Emotion::Anger),
    ('🙄', Emotion::Anger),
    ('😢', Emotion::Sadness),
    ('😭', Emotion::Sadness),
    ('😞', Emotion::Sadness),
    ('😔', Emotion::Sadness),
    ('☹', Emotion::Sadness),
    ('🙁', Emotion::Sadness),
    ('💔', Emotion::Sadness),
    ('😱', Emotion::Fear),
    ('😨', Emotion::Fear),
    ('😰', Emotion::Fear),
    ('😟', Emotion::Fear),
    ('😬', Emotion::Fear),
    ('😮', Emotion::Surprise),
    ('😲', Emotion::Surprise),
    ('😯', Emotion::Surprise),
    ('😳', Emotion::Surprise),
    ('🤯', Emotion::Surprise),
    ('🙏', Emotion::Gratitude),
    ('😊', Emotion::Joy),
    ('😍', Emotion::Joy),
    ('🙂', Emotion::Joy),
    ('😀', Emotion::Joy),
    ('😃', Emotion::Joy),
    ('😄', Emotion::Joy),
    ('😁', Emotion::Joy),
    ('🥰', Emotion::Joy),
    ('🤩', Emotion::Joy),
    ('❤', Emotion::Joy),
    ('🎉', Emotion::Joy),
    ('👍', Emotion::Joy),
    ('👏', Emotion::Joy),
    ('😂', Emotion::Joy),
    ('😋', Emotion::Joy),
    ('🥳', Emotion::Joy),
];

/// What an emoji counts.
const EMOJI_WEIGHT: f32 = 2.0;

/// Words that negate the cue right after them (folded).
const NEGATORS: &[&str] = &[
    "nie", "ani", "nigdy", "ne", "nejsem", "nebyl", "nebyla", "nebylo", "neni", "nikdy", "not",
    "no", "never", "isnt", "wasnt", "arent", "werent", "dont", "didnt", "doesnt", "hardly", "nor",
];

/// A cue: keyword (see [`Keyword`]), emotion, weight. Weight 2 is a cue that names the
/// emotion by itself ("wściekły", "děkuji", "disappointed"); weight 1 needs company
/// ("niestety", "super").
type Cue = (&'static str, Emotion, f32);

use Emotion::{Anger as A, Fear as F, Gratitude as G, Joy as J, Sadness as S, Surprise as U};

const CUES_PL: &[Cue] = &[
    // anger
    ("skandal*", A, 2.0),
    ("żenad*", A, 2.0),
    ("żenując*", A, 2.0),
    ("wkurz*", A, 2.0),
    ("wkurw*", A, 2.0),
    ("wściek*", A, 2.0),
    ("złość*", A, 2.0),
    ("złości*", A, 2.0),
    ("oburz*", A, 2.0),
    ("denerw*", A, 2.0),
    ("zdenerw*", A, 2.0),
    ("iryt*", A, 2.0),
    ("ziryt*", A, 2.0),
    ("frustr*", A, 1.5),
    ("mam dość", A, 2.0),
    ("mam dosyć", A, 2.0),
    ("dość tego", A, 2.0),
    ("nigdy więcej", A, 2.0),
    ("ostatni raz", A, 2.0),
    ("oszu*", A, 2.0),
    ("złodziej*", A, 2.0),
    ("kpin*", A, 2.0),
    ("bezczeln*", A, 2.0),
    ("chamst*", A, 2.0),
    ("chamsk*", A, 1.5),
    ("porażk*", A, 1.5),
    ("dno", A, 2.0),
    ("tragiczn*", A, 1.0),
    ("tragedi*", A, 1.0),
    ("beznadziej*", A, 1.0),
    ("koszmar*", A, 1.5),
    ("masakr*", A, 1.5),
    ("brak słów", A, 2.0),
    ("jak można", A, 2.0),
    ("nie do przyjęcia", A, 2.0),
    ("bandyt*", A, 2.0),
    ("szlag*", A, 2.0),
    ("cholern*", A, 2.0),
    ("cholera", A, 2.0),
    ("kurw*", A, 2.0),
    ("kurde", A, 1.5),
    ("idiot*", A, 2.0),
    ("debil*", A, 2.0),
    ("naciąg*", A, 2.0),
    ("olewa*", A, 1.0),
    ("lekceważ*", A, 1.5),
    ("brawo", A, 1.5),
    ("gratuluj*", A, 1.0),
    ("śmiech", A, 1.0),
    ("żart*", A, 1.0),
    ("absurd*", A, 2.0),
    ("niedopuszczaln*", A, 2.0),
    ("haniebn*", A, 2.0),
    ("wstyd*", A, 1.5),
    ("omijajcie", A, 2.0),
    ("omijać", A, 1.5),
    ("nie polecam", A, 1.0),
    ("odradzam", A, 1.5),
    ("uczciw*", A, 1.0),
    ("ile można", A, 2.0),
    ("znowu", A, 1.0),
    ("znów", A, 1.0),
    ("po raz kolejny", A, 1.0),
    ("trzeci raz", A, 1.0),
    ("kolejny raz", A, 1.0),
    // joy
    ("super", J, 1.0),
    ("świetn*", J, 1.0),
    ("rewelac*", J, 1.5),
    ("rewelka", J, 1.5),
    ("genialn*", J, 1.5),
    ("doskonał*", J, 1.0),
    ("znakomit*", J, 1.0),
    ("wspania*", J, 1.5),
    ("cudown*", J, 1.5),
    ("idealn*", J, 1.0),
    ("perfekc*", J, 1.0),
    ("zachwyc*", J, 2.0),
    ("szczęśliw*", J, 2.0),
    ("cieszę", J, 2.0),
    ("cieszy*", J, 1.5),
    ("radoś*", J, 2.0),
    ("uwielbia*", J, 2.0),
    ("kocha*", J, 2.0),
    ("bomba", J, 1.5),
    ("petard*", J, 1.5),
    ("sztos*", J, 1.5),
    ("ekstra", J, 1.0),
    ("bajka", J, 1.5),
    ("bajecz*", J, 1.5),
    ("fajn*", J, 1.0),
    ("zadowolon*", J, 1.0),
    ("polecam", J, 0.5),
    ("przyjemn*", J, 0.5),
    ("mega", J, 0.5),
    ("najlepsz*", J, 1.0),
    ("jestem zachwycon*", J, 2.0),
    ("hurra", J, 2.0),
    ("jupi", J, 2.0),
    ("radosn*", J, 2.0),
    ("uradowan*", J, 2.0),
    ("miłe", J, 0.5),
    // gratitude
    ("dziękuj*", G, 2.0),
    ("dzięki -temu -czemu -któr* -niemu -niej -nim", G, 2.0),
    ("podziękow*", G, 2.0),
    ("wdzięczn*", G, 2.0),
    ("thx", G, 2.0),
    ("thanks", G, 2.0),
    ("dzk", G, 2.0),
    ("ukłon*", G, 2.0),
    ("brawa dla", G, 2.0),
    ("pochwał*", G, 1.0),
    ("uratowa*", G, 1.5),
    ("ratunek", G, 1.0),
    ("wielkie dzięki", G, 2.0),
    // sadness
    ("smut*", S, 2.0),
    ("przykro", S, 2.0),
    ("przykre", S, 1.5),
    ("szkoda", S, 1.5),
    ("zawiod*", S, 2.0),
    ("zawiedz*", S, 2.0),
    ("zawód", S, 1.5),
    ("rozczarow*", S, 2.0),
    ("żal", S, 1.5),
    ("żałuj*", S, 1.5),
    ("niestety", S, 0.5),
    ("płacz*", S, 2.0),
    ("przygnęb*", S, 2.0),
    ("łzy", S, 2.0),
    ("łzami", S, 2.0),
    ("serce", S, 1.0),
    ("załaman*", S, 2.0),
    ("ubolew*", S, 1.5),
    ("smuci", S, 2.0),
    ("tęskn*", S, 1.5),
    ("zepsut* prezent*", S, 1.0),
    ("urodzin*", S, 1.0),
    ("prezent*", S, 0.5),
    ("święt*", S, 0.5),
    ("zmarnowan*", S, 1.0),
    ("przepad*", S, 0.5),
    // fear
    ("boję", F, 2.0),
    ("boi*", F, 1.5),
    ("obaw*", F, 2.0),
    ("strach*", F, 2.0),
    ("przeraż*", F, 1.5),
    ("niepokoj*", F, 2.0),
    ("niepokój", F, 2.0),
    ("martwi*", F, 2.0),
    ("zmartwi*", F, 2.0),
    ("nerwow*", F, 1.0),
    ("stres*", F, 1.0),
    ("panik*", F, 2.0),
    ("ryzyk*", F, 1.0),
    ("niebezpiecz*", F, 2.0),
    ("bezpieczeństw*", F, 1.0),
    ("wyciek*", F, 2.0),
    ("włam*", F, 1.5),
    ("zhakow*", F, 2.0),
    ("co jeśli", F, 2.0),
    ("co będzie", F, 1.5),
    ("czy dotrze", F, 1.5),
    ("nie wiem czy", F, 1.0),
    ("dane osobow*", F, 1.0),
    ("moje dane", F, 1.5),
    ("podejrzan*", F, 1.5),
    ("phishing*", F, 2.0),
    ("oszustw* -to", F, 0.5),
    ("zgubi*", F, 1.0),
    ("zagin*", F, 1.5),
    ("porażen*", F, 1.5),
    ("pożar*", F, 2.0),
    ("iskrz*", F, 2.0),
    ("dziecko", F, 0.5),
    ("dziecka", F, 0.5),
    // surprise
    ("zaskocz*", U, 2.0),
    ("zdziwi*", U, 2.0),
    ("niespodziew*", U, 2.0),
    ("nie spodziewa*", U, 2.0),
    ("spodziewa*", U, 1.0),
    ("szok*", U, 2.0),
    ("wow", U, 2.0),
    ("o matko", U, 2.0),
    ("ojej", U, 2.0),
    ("serio", U, 1.0),
    ("niewiarygodn*", U, 2.0),
    ("nie wierzę", U, 2.0),
    ("nie do wiary", U, 2.0),
    ("zdumi*", U, 2.0),
    ("o dziwo", U, 2.0),
    ("nagle", U, 1.0),
    ("niespodzian*", U, 2.0),
    ("niesamowit*", U, 1.0),
    ("nie sądziłem", U, 2.0),
    ("nie sądziłam", U, 2.0),
    ("kto by pomyślał", U, 2.0),
    // more: nostalgia, exhaustion, uncertainty, surprise at facts
    ("kiedyś", S, 1.5),
    ("już nie to samo", S, 2.0),
    ("nie to samo", S, 1.5),
    ("nie mam siły", S, 2.0),
    ("czuję się", S, 1.0),
    ("nie stać", S, 1.5),
    ("pogrzeb*", S, 2.0),
    ("zmarł*", S, 2.0),
    ("wyczerpan*", S, 1.5),
    ("babci*", S, 0.5),
    ("dziadk*", S, 0.5),
    ("mama", S, 0.5),
    ("bałam", F, 2.0),
    ("bałem", F, 2.0),
    ("bać", F, 2.0),
    ("bezpieczn*", F, 1.0),
    ("czy to normalne", F, 2.0),
    ("czy na pewno", F, 1.5),
    ("upewni*", F, 1.5),
    ("co teraz", F, 1.5),
    ("nie wiem co", F, 1.0),
    ("pomocy", F, 0.5),
    ("podrób*", F, 1.0),
    ("nie wiedział*", U, 2.0),
    ("okazało się", U, 1.5),
    ("myślałem", U, 1.0),
    ("myślałam", U, 1.0),
    ("byłem pewien", U, 1.5),
    ("byłam pewna", U, 1.5),
    ("ciekaw*", U, 1.5),
    ("no cóż", U, 1.0),
    ("nie rozumiem", U, 1.0),
    ("nagle", U, 1.0),
    ("skąd", U, 0.5),
    ("=hm", U, 1.0),
    ("cudo", J, 1.5),
    ("przepiękn*", J, 1.5),
    ("pięknie", J, 1.0),
    ("humor*", J, 1.0),
    ("wrócimy", J, 1.0),
    ("wracać", J, 0.5),
    ("pyszn*", J, 1.0),
    ("siódmym niebie", J, 2.0),
    ("rozbój", A, 2.0),
    ("żarcik", A, 2.0),
    ("śmieć", A, 1.5),
    ("ha ha", A, 1.5),
    ("pretensj*", A, 1.0),
    ("w błąd", A, 1.5),
    ("rzecznik*", A, 1.5),
    ("rezygnuj*", A, 1.5),
    ("zrezygnuj*", A, 1.5),
    ("nikt", A, 0.5),
    ("oczywiście", A, 0.5),
    ("jak zwykle", A, 1.0),
];

const CUES_CS: &[Cue] = &[
    // anger
    ("skandál*", A, 2.0),
    ("ostud*", A, 2.0),
    ("hnus*", A, 2.0),
    ("nehoráz*", A, 2.0),
    ("naštv*", A, 2.0),
    ("rozčil*", A, 2.0),
    ("rozčiluj*", A, 2.0),
    ("vztek*", A, 2.0),
    ("zuřiv*", A, 2.0),
    ("otrav*", A, 1.0),
    ("šílen*", A, 1.5),
    ("fraš*", A, 2.0),
    ("výsměch*", A, 2.0),
    ("podvod*", A, 2.0),
    ("zloděj*", A, 2.0),
    ("neschopn*", A, 1.5),
    ("uboh*", A, 2.0),
    ("katastrof*", A, 1.5),
    ("tragéd*", A, 1.0),
    ("tragick*", A, 1.0),
    ("hrůz*", A, 1.5),
    ("děsn*", A, 1.0),
    ("příšern*", A, 1.0),
    ("hrozn*", A, 1.0),
    ("nikdy víc", A, 2.0),
    ("už nikdy", A, 2.0),
    ("toho dost", A, 2.0),
    ("mám dost", A, 2.0),
    ("sakra", A, 2.0),
    ("kurva", A, 2.0),
    ("prdel*", A, 2.0),
    ("hovad*", A, 2.0),
    ("šmejd*", A, 2.0),
    ("nestydat*", A, 2.0),
    ("drzost*", A, 2.0),
    ("arogan*", A, 1.5),
    ("frustr*", A, 1.5),
    ("nasr*", A, 2.0),
    ("nepřijateln*", A, 2.0),
    ("absurd*", A, 2.0),
    ("směšn*", A, 1.5),
    ("vtip*", A, 1.0),
    ("bravo", A, 1.5),
    ("gratuluj*", A, 1.0),
    ("opět", A, 1.0),
    ("zase", A, 1.0),
    ("znovu", A, 1.0),
    ("po několikáté", A, 1.5),
    ("potřetí", A, 1.0),
    ("nedoporučuj*", A, 1.0),
    ("vyhněte", A, 2.0),
    ("ostuda", A, 2.0),
    ("zlobí", A, 1.0),
    ("zlost*", A, 2.0),
    ("naprosto nepřijateln*", A, 2.0),
    ("peklo", A, 1.5),
    ("šlendrián*", A, 2.0),
    ("amatér*", A, 1.5),
    ("co si to dovoluj*", A, 2.0),
    ("jak je možné", A, 2.0),
    // joy
    ("super", J, 1.0),
    ("skvěl*", J, 1.0),
    ("výborn*", J, 1.0),
    ("vynikaj*", J, 1.0),
    ("úžasn*", J, 1.5),
    ("perfektn*", J, 1.0),
    ("dokonal*", J, 1.0),
    ("bezva", J, 1.0),
    ("parád*", J, 1.5),
    ("nadšen*", J, 2.0),
    ("nadšený", J, 2.0),
    ("spokojen*", J, 1.0),
    ("radost*", J, 2.0),
    ("šťastn*", J, 2.0),
    ("miluj*", J, 2.0),
    ("zbožň*", J, 2.0),
    ("nádher*", J, 1.5),
    ("krásn*", J, 1.0),
    ("fajn", J, 1.0),
    ("bomba", J, 1.5),
    ("pecka", J, 1.5),
    ("luxus*", J, 1.0),
    ("jupí", J, 2.0),
    ("hurá", J, 2.0),
    ("těší", J, 1.5),
    ("potěšil*", J, 1.5),
    ("potěš*", J, 1.5),
    ("doporučuj*", J, 0.5),
    ("nejlepší", J, 1.0),
    ("top", J, 0.5),
    ("příjemn*", J, 0.5),
    ("radostí", J, 2.0),
    // gratitude
    ("děkuj*", G, 2.0),
    ("díky -tomu -čemu -kter* -němu -ní", G, 2.0),
    ("dík*", G, 2.0),
    ("poděkov*", G, 2.0),
    ("vděčn*", G, 2.0),
    ("thx", G, 2.0),
    ("klobouk* dolů", G, 2.0),
    ("velký dík", G, 2.0),
    ("zachránil*", G, 1.5),
    ("pochval*", G, 1.0),
    // sadness
    ("smut*", S, 2.0),
    ("líto", S, 2.0),
    ("škoda", S, 1.5),
    ("zklam*", S, 2.0),
    ("bohužel", S, 0.5),
    ("breč*", S, 2.0),
    ("plak*", S, 1.5),
    ("mrzí", S, 2.0),
    ("mrzet", S, 1.5),
    ("lítost*", S, 2.0),
    ("zarmouc*", S, 2.0),
    ("depres*", S, 1.5),
    ("slz*", S, 2.0),
    ("srdce", S, 1.0),
    ("narozenin*", S, 1.0),
    ("dárek", S, 0.5),
    ("dárk*", S, 0.5),
    ("vánoc*", S, 0.5),
    ("zkažen* večer", S, 1.0),
    ("stesk*", S, 1.5),
    ("zbytečn*", S, 0.5),
    ("nešťastn*", S, 2.0),
    // fear
    ("bojím", F, 2.0),
    ("bojí*", F, 1.5),
    ("obáv*", F, 2.0),
    ("obav*", F, 2.0),
    ("strach*", F, 2.0),
    ("vyděš*", F, 2.0),
    ("vyděs*", F, 2.0),
    ("znepokoj*", F, 2.0),
    ("nervózn*", F, 1.5),
    ("stres*", F, 1.0),
    ("panik*", F, 2.0),
    ("rizik*", F, 1.0),
    ("nebezpeč*", F, 2.0),
    ("bezpečnost*", F, 1.0),
    ("únik*", F, 1.5),
    ("hack*", F, 2.0),
    ("co když", F, 2.0),
    ("nevím jestli", F, 1.0),
    ("osobní údaj*", F, 1.0),
    ("moje údaje", F, 1.5),
    ("podezřel*", F, 1.5),
    ("phishing*", F, 2.0),
    ("ztratil*", F, 1.0),
    ("ztracen*", F, 1.0),
    ("jiskř*", F, 2.0),
    ("požár*", F, 2.0),
    ("hoř*", F, 1.0),
    ("dítě", F, 0.5),
    ("děti", F, 0.5),
    ("zneužit*", F, 2.0),
    // surprise
    ("překvap*", U, 2.0),
    ("nečekan*", U, 2.0),
    ("nečekal*", U, 2.0),
    ("šok", U, 2.0),
    ("šoku", U, 2.0),
    ("šokov*", U, 2.0),
    ("šokuj*", U, 2.0),
    ("wow", U, 2.0),
    ("no teda", U, 2.0),
    ("neuvěřiteln*", U, 2.0),
    ("nevěřil*", U, 2.0),
    ("nevěřím", U, 2.0),
    ("kupodivu", U, 2.0),
    ("zaskoč*", U, 2.0),
    ("údiv*", U, 2.0),
    ("udivil*", U, 2.0),
    ("ohromen*", U, 2.0),
    ("čumím", U, 2.0),
    ("zírám", U, 2.0),
    ("zíral*", U, 2.0),
    ("najednou", U, 1.0),
    ("netušil*", U, 1.5),
    ("kdo by to řekl", U, 2.0),
    ("jen tak", U, 0.5),
    // more: nostalgia, exhaustion, uncertainty, surprise at facts
    ("dřív", S, 1.5),
    ("není ono", S, 2.0),
    ("nemám sílu", S, 2.0),
    ("cítím se", S, 1.0),
    ("nemůžu si dovolit", S, 1.5),
    ("pohřb*", S, 2.0),
    ("zemřel*", S, 2.0),
    ("vyčerpan*", S, 1.5),
    ("babičk*", S, 0.5),
    ("maminka", S, 0.5),
    ("dědečk*", S, 0.5),
    ("oblíben*", S, 0.5),
    ("bát", F, 2.0),
    ("bojím se", F, 2.0),
    ("v bezpečí", F, 1.5),
    ("bezpečn*", F, 1.0),
    ("je to normální", F, 2.0),
    ("co teď", F, 2.0),
    ("od vás", F, 0.5),
    ("podvod*", F, 1.0),
    ("jistotu", F, 1.0),
    ("ujistit", F, 1.5),
    ("nevím kde", F, 1.5),
    ("nevěděl*", U, 2.0),
    ("nevěděla", U, 2.0),
    ("zajímav*", U, 1.5),
    ("nechápu", U, 1.5),
    ("z ničeho nic", U, 2.0),
    ("myslel jsem", U, 1.0),
    ("myslela jsem", U, 1.0),
    ("novinka", U, 1.0),
    ("nepočítal*", U, 1.5),
    ("poprvé", U, 1.0),
    ("vůbec nevím", U, 1.0),
    ("=hm", U, 1.0),
    ("neskutečn*", J, 1.5),
    ("povedl*", J, 1.5),
    ("s úsměvem", J, 1.5),
    ("usměvav*", J, 1.0),
    ("rád", J, 0.5),
    ("ráda", J, 0.5),
    ("vtipn*", J, 1.0),
    ("paráda", J, 1.5),
    ("klam*", A, 1.5),
    ("legrac*", A, 1.5),
    ("srand*", A, 1.5),
    ("štve", A, 2.0),
    ("utrhl*", A, 2.0),
    ("naposledy", A, 1.5),
    ("fakt ne", A, 1.5),
    ("jako vážně", A, 2.0),
    ("nikdo", A, 0.5),
    ("bezva", A, 0.5),
    ("díky moc", A, 0.5),
];

const CUES_EN: &[Cue] = &[
    // anger
    ("angry", A, 2.0),
    ("furious", A, 2.0),
    ("livid", A, 2.0),
    ("outrage*", A, 2.0),
    ("disgust*", A, 2.0),
    ("disgrace*", A, 2.0),
    ("unacceptable", A, 2.0),
    ("ridiculous", A, 2.0),
    ("absurd", A, 2.0),
    ("joke", A, 1.5),
    ("pathetic", A, 2.0),
    ("useless", A, 1.0),
    ("scam*", A, 2.0),
    ("rip off", A, 2.0),
    ("ripoff", A, 2.0),
    ("fed up", A, 2.0),
    ("sick of", A, 2.0),
    ("annoy*", A, 2.0),
    ("irritat*", A, 2.0),
    ("infuriat*", A, 2.0),
    ("frustrat*", A, 1.5),
    ("mad", A, 2.0),
    ("pissed", A, 2.0),
    ("appalling", A, 2.0),
    ("shocking", A, 1.0),
    ("worst", A, 1.0),
    ("never again", A, 2.0),
    ("incompetent", A, 1.5),
    ("shambles", A, 2.0),
    ("rubbish", A, 1.0),
    ("wtf", A, 2.0),
    ("damn", A, 2.0),
    ("hell", A, 1.5),
    ("bullshit", A, 2.0),
    ("liar*", A, 2.0),
    ("lied", A, 2.0),
    ("cheat*", A, 2.0),
    ("thieves", A, 2.0),
    ("robbery", A, 2.0),
    ("shameful", A, 2.0),
    ("shame on", A, 2.0),
    ("how dare", A, 2.0),
    ("unbelievabl*", A, 0.5),
    ("again", A, 1.0),
    ("third time", A, 1.0),
    ("yet again", A, 1.5),
    ("terrible", A, 0.5),
    ("awful", A, 0.5),
    ("horrible", A, 0.5),
    ("disrespect*", A, 2.0),
    ("insult*", A, 2.0),
    ("avoid", A, 1.5),
    ("great job", A, 1.0),
    ("well done", A, 1.0),
    ("bravo", A, 1.5),
    ("nightmare", A, 1.5),
    ("enough", A, 1.0),
    ("seriously", A, 1.0),
    // joy
    ("great", J, 1.0),
    ("amazing", J, 1.0),
    ("awesome", J, 1.5),
    ("excellent", J, 1.0),
    ("fantastic", J, 1.5),
    ("wonderful", J, 1.5),
    ("brilliant", J, 1.0),
    ("perfect*", J, 1.0),
    ("love", J, 2.0),
    ("loved", J, 2.0),
    ("loving", J, 2.0),
    ("happy", J, 2.0),
    ("happier", J, 2.0),
    ("delight*", J, 2.0),
    ("pleased", J, 1.5),
    ("glad", J, 1.5),
    ("thrilled", J, 2.0),
    ("excited", J, 2.0),
    ("enjoy*", J, 1.5),
    ("superb", J, 1.5),
    ("lovely", J, 1.0),
    ("best", J, 0.5),
    ("satisfied", J, 1.0),
    ("joy", J, 2.0),
    ("yay", J, 2.0),
    ("woohoo", J, 2.0),
    ("so good", J, 1.0),
    ("over the moon", J, 2.0),
    ("made my day", J, 2.0),
    ("recommend*", J, 0.5),
    ("blown away", J, 1.0),
    ("gorgeous", J, 1.5),
    ("beautiful", J, 1.0),
    ("stunning", J, 1.0),
    ("nice", J, 0.5),
    // gratitude
    ("thank*", G, 2.0),
    ("thanks -to", G, 2.0),
    ("grateful", G, 2.0),
    ("gratitude", G, 2.0),
    ("appreciat*", G, 2.0),
    ("kudos", G, 2.0),
    ("shout out", G, 2.0),
    ("shoutout", G, 2.0),
    ("cheers", G, 1.5),
    ("thx", G, 2.0),
    ("ty", G, 1.0),
    ("hats off", G, 2.0),
    ("lifesaver", G, 2.0),
    ("saved my", G, 2.0),
    ("saved the day", G, 2.0),
    ("went above and beyond", G, 2.0),
    ("above and beyond", G, 2.0),
    ("props to", G, 2.0),
    // sadness
    ("sad", S, 2.0),
    ("sadly", S, 1.5),
    ("unfortunately", S, 0.5),
    ("disappoint*", S, 2.0),
    ("let down", S, 2.0),
    ("letdown", S, 2.0),
    ("heartbroken", S, 2.0),
    ("heartbreaking", S, 2.0),
    ("upset", S, 1.5),
    ("shame -on", S, 1.5),
    ("pity", S, 1.5),
    ("cry*", S, 2.0),
    ("cried", S, 2.0),
    ("tears", S, 2.0),
    ("gutted", S, 2.0),
    ("depress*", S, 1.5),
    ("unhappy", S, 1.5),
    ("ruined", S, 1.5),
    ("devastat*", S, 2.0),
    ("regret*", S, 1.5),
    ("miss", S, 1.0),
    ("birthday", S, 1.0),
    ("gift", S, 0.5),
    ("christmas", S, 0.5),
    ("heart", S, 0.5),
    ("wasted", S, 0.5),
    ("used to be", S, 1.5),
    ("no longer", S, 1.0),
    ("anymore", S, 1.0),
    ("sorry to", S, 1.0),
    // fear
    ("afraid", F, 2.0),
    ("scared", F, 2.0),
    ("scary", F, 2.0),
    ("fear*", F, 2.0),
    ("worri*", F, 2.0),
    ("worry", F, 2.0),
    ("concern*", F, 1.5),
    ("anxious", F, 2.0),
    ("anxiety", F, 2.0),
    ("nervous", F, 2.0),
    ("terrified", F, 2.0),
    ("terrifying", F, 2.0),
    ("frighten*", F, 2.0),
    ("panic*", F, 2.0),
    ("unsafe", F, 2.0),
    ("safety", F, 1.0),
    ("danger*", F, 2.0),
    ("hazard*", F, 2.0),
    ("risk*", F, 1.0),
    ("fraud*", F, 1.0),
    ("hacked", F, 2.0),
    ("breach", F, 2.0),
    ("what if", F, 2.0),
    ("stolen", F, 1.5),
    ("security", F, 1.0),
    ("suspicious", F, 1.5),
    ("phishing", F, 2.0),
    ("lost", F, 0.5),
    ("my data", F, 1.5),
    ("personal data", F, 1.0),
    ("sparks", F, 2.0),
    ("fire", F, 1.5),
    ("smoke", F, 1.5),
    ("burn*", F, 1.0),
    ("kid*", F, 0.5),
    ("child*", F, 0.5),
    ("not sure if", F, 1.0),
    ("dont know if", F, 1.0),
    ("uneasy", F, 2.0),
    // surprise
    ("surpris*", U, 2.0),
    ("shock*", U, 1.5),
    ("unexpected*", U, 2.0),
    ("didnt expect", U, 2.0),
    ("did not expect", U, 2.0),
    ("wasnt expecting", U, 2.0),
    ("never expected", U, 2.0),
    ("wow", U, 2.0),
    ("whoa", U, 2.0),
    ("omg", U, 1.5),
    ("cant believe", U, 2.0),
    ("cannot believe", U, 2.0),
    ("couldnt believe", U, 2.0),
    ("astonish*", U, 2.0),
    ("=amazed", U, 2.0),
    ("stunned", U, 2.0),
    ("out of nowhere", U, 2.0),
    ("suddenly", U, 1.0),
    ("who knew", U, 2.0),
    ("to my surprise", U, 2.0),
    ("expect*", U, 0.5),
    ("turns out", U, 1.0),
    ("out of the blue", U, 2.0),
    ("jaw", U, 1.0),
    // more: nostalgia, exhaustion, uncertainty, surprise at facts
    ("used to", S, 1.5),
    ("not the same", S, 2.0),
    ("feels bad", S, 2.0),
    ("such a waste", S, 2.0),
    ("irreplaceable", S, 2.0),
    ("funeral", S, 2.0),
    ("late husband", S, 2.0),
    ("late wife", S, 2.0),
    ("exhausting", S, 1.5),
    ("exhausted", S, 1.5),
    ("cant afford", S, 1.5),
    ("grandma", S, 0.5),
    ("grandmother", S, 0.5),
    ("mum", S, 0.5),
    ("expected better", S, 2.0),
    ("been a customer", S, 1.0),
    ("safe", F, 1.5),
    ("is that normal", F, 2.0),
    ("is this normal", F, 2.0),
    ("is this really", F, 2.0),
    ("want to be sure", F, 2.0),
    ("be sure", F, 1.0),
    ("please help", F, 1.5),
    ("what now", F, 2.0),
    ("dont recognise", F, 1.5),
    ("without my consent", F, 1.5),
    ("didnt know", U, 2.0),
    ("did not know", U, 2.0),
    ("interesting", U, 1.5),
    ("huh", U, 2.0),
    ("oh", U, 1.0),
    ("since when", U, 2.0),
    ("than i expected", U, 2.0),
    ("than i thought", U, 2.0),
    ("than i feared", U, 2.0),
    ("impressive", U, 1.0),
    ("how", U, 0.5),
    ("wait what", U, 2.0),
    ("incredible", J, 1.5),
    ("magic", J, 1.0),
    ("so cool", J, 2.0),
    ("cool", J, 1.0),
    ("best thing", J, 2.0),
    ("made my week", J, 2.0),
    ("going strong", J, 1.0),
    ("congratulations", A, 1.0),
    ("nice try", A, 2.0),
    ("yeah right", A, 2.0),
    ("oh sure", A, 2.0),
    ("oh wonderful", A, 2.0),
    ("thanks a lot", A, 1.0),
    ("thx for nothing", A, 2.0),
    ("thanks for nothing", A, 2.0),
    ("so done", A, 2.0),
    ("cancelling", A, 1.0),
    ("stop", A, 1.0),
    ("rude", A, 1.0),
    ("couldnt care less", A, 2.0),
    ("dont waste", A, 2.0),
    ("nobody", A, 0.5),
    ("still in business", A, 2.0),
];

struct Compiled {
    keyword: Keyword,
    emotion: Emotion,
    weight: f32,
}

struct Cues {
    by_lang: [Vec<Compiled>; 3],
}

static CUES: LazyLock<Cues> = LazyLock::new(|| {
    let compile = |cues: &[Cue], lang: Lang| -> Vec<Compiled> {
        cues.iter()
            .map(|&(k, emotion, weight)| Compiled {
                keyword: Keyword::new(k, lang).expect("the emotion cues compile"),
                emotion,
                weight,
            })
            .collect()
    };
    Cues {
        by_lang: [
            compile(CUES_PL, Lang::Pl),
            compile(CUES_CS, Lang::Cs),
            compile(CUES_EN, Lang::En),
        ],
    }
});

/// The emotions' scores for a comment (before the threshold), in [`Emotion::ALL`] order
/// (`None` scores 0).
pub fn scores(text: &str, tokens: &[Token], lang: Lang, sentiment: Sentiment) -> [f32; 7] {
    let mut raw = [0.0f32; 7];
    for c in &CUES.by_lang[lang as usize] {
        let Some((start, _)) = c.keyword.find(tokens) else {
            continue;
        };
        if matches!(
            c.emotion,
            Emotion::Joy | Emotion::Gratitude | Emotion::Surprise
        ) && negated(tokens, start)
        {
            continue;
        }
        raw[c.emotion as usize] += c.weight;
    }
    for ch in text.chars() {
        if let Some((_, e)) = EMOJI.iter().find(|(c, _)| *c == ch) {
            raw[*e as usize] += EMOJI_WEIGHT;
        }
    }
    signals(text, tokens, lang, sentiment, &mut raw);
    let mut out = [0.0f32; 7];
    for e in Emotion::ALL {
        out[e as usize] = raw[e as usize] * gate(e, sentiment);
    }
    out
}

/// Words that address the company ("you", "wy", "vy"): in a complaint, a sign of
/// reproach.
const ADDRESS: [&[&str]; 3] = [
    &[
        "wy",
        "was",
        "wam",
        "wasz",
        "wasza",
        "wasze",
        "waszej",
        "waszego",
        "waszym",
        "jestescie",
        "macie",
    ],
    &[
        "vy", "vas", "vam", "vase", "vasi", "vaseho", "vasem", "jste", "mate",
    ],
    &["you", "your", "youre", "yourselves", "youve"],
];

/// Punctuation, emoji-free signals: exclamations, questions and scare quotes, capitals, and
/// sarcasm (praise or thanks in a negative comment reads as anger).
fn signals(text: &str, tokens: &[Token], lang: Lang, sentiment: Sentiment, raw: &mut [f32; 7]) {
    let bangs = text.matches('!').count();
    let questions = text.matches('?').count();
    let quotes = text.matches('"').count() >= 2 || text.contains(['„', '“', '”', '«', '»']);
    match sentiment {
        Sentiment::Negative => {
            let a = &mut raw[Emotion::Anger as usize];
            *a += match bangs {
                0 => 0.0,
                1 => 0.5,
                _ => 1.0,
            };
            if questions > 0 {
                *a += 1.0;
            }
            if quotes {
                *a += 0.5;
            }
            if shouts(text) {
                *a += 1.0;
            }
            if tokens
                .iter()
                .any(|t| ADDRESS[lang as usize].contains(&t.folded.as_str()))
            {
                *a += 0.5;
            }
            // Sarcasm: "Super, trzeci raz…", "Díky moc.", "Lovely."
            let praise = raw[Emotion::Joy as usize] + raw[Emotion::Gratitude as usize];
            raw[Emotion::Anger as usize] += 0.75 * praise;
        }
        Sentiment::Positive => {
            raw[Emotion::Joy as usize] += match bangs {
                0 => 0.0,
                1 => 0.5,
                _ => 0.75,
            };
        }
        Sentiment::Neutral => {}
    }
    if text.contains("?!") || text.contains("!?") {
        raw[Emotion::Surprise as usize] += 0.5;
    }
}

/// Whether a negation stands one or two words before `start`.
fn negated(tokens: &[Token], start: usize) -> bool {
    tokens[start.saturating_sub(2)..start]
        .iter()
        .any(|t| NEGATORS.contains(&t.folded.as_str()))
}

/// A word of four or more letters all in capitals (not an acronym-looking short word).
fn shouts(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 4 && w.chars().all(char::is_uppercase))
}

/// The dominant emotion of `text` in `lang`, given its sentiment.
pub fn detect(text: &str, lang: Lang, sentiment: Sentiment) -> Emotion {
    detect_tokens(text, &fold::tokens(text, lang), lang, sentiment)
}

/// [`detect`] on a comment already split into tokens in `lang`.
pub fn detect_tokens(text: &str, tokens: &[Token], lang: Lang, sentiment: Sentiment) -> Emotion {
    let s = scores(text, tokens, lang, sentiment);
    let mut best = Emotion::None;
    let mut best_score = 0.0f32;
    for e in TIE_ORDER {
        if s[e as usize] > best_score {
            best = e;
            best_score = s[e as usize];
        }
    }
    if best_score >= MIN_SCORE {
        best
    } else {
        Emotion::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angry_czech_complaint() {
        let e = detect(
            "Tohle je naprostý skandál, už potřetí mi nedoručili zásilku a nikdo se neozval! Mám toho dost!",
            Lang::Cs,
            Sentiment::Negative,
        );
        assert_eq!(e, Emotion::Anger);
        // Without diacritics too.
        let e = detect(
            "Tohle je naprosty skandal, uz potreti mi nedorucili zasilku. Mam toho dost!",
            Lang::Cs,
            Sentiment::Negative,
        );
        assert_eq!(e, Emotion::Anger);
    }

    #[test]
    fn sentiment_gates_cues() {
        // Sarcastic thanks in a negative comment is not gratitude.
        let text = "Dziękuję bardzo, trzeci tydzień czekam na zwrot pieniędzy.";
        assert_ne!(
            detect(text, Lang::Pl, Sentiment::Negative),
            Emotion::Gratitude
        );
        assert_eq!(
            detect(text, Lang::Pl, Sentiment::Neutral),
            Emotion::Gratitude
        );
        // Anger needs a negative comment.
        assert_ne!(
            detect("Skandal!!", Lang::Pl, Sentiment::Positive),
            Emotion::Anger
        );
    }

    #[test]
    fn emotions_in_each_language() {
        let cases = [
            (
                "Thank you so much for the quick help!",
                Lang::En,
                Sentiment::Positive,
                Emotion::Gratitude,
            ),
            (
                "I'm really disappointed, it was meant to be a birthday gift",
                Lang::En,
                Sentiment::Negative,
                Emotion::Sadness,
            ),
            (
                "Jestem zachwycona, wszystko super!",
                Lang::Pl,
                Sentiment::Positive,
                Emotion::Joy,
            ),
            (
                "Bojím se, že mi někdo zneužil kartu",
                Lang::Cs,
                Sentiment::Negative,
                Emotion::Fear,
            ),
            (
                "Byla jsem mile překvapená, jak rychle to přišlo",
                Lang::Cs,
                Sentiment::Positive,
                Emotion::Surprise,
            ),
            (
                "Zamówienie dotarło, faktura w załączniku.",
                Lang::Pl,
                Sentiment::Neutral,
                Emotion::None,
            ),
        ];
        for (text, lang, s, want) in cases {
            assert_eq!(detect(text, lang, s), want, "{text}");
        }
    }

    #[test]
    fn emoji_and_negation() {
        assert_eq!(
            detect("Kurier 😡😡", Lang::Pl, Sentiment::Negative),
            Emotion::Anger
        );
        assert_eq!(
            detect("ok 🙏", Lang::Pl, Sentiment::Positive),
            Emotion::Gratitude
        );
        assert_eq!(
            detect(
                "Nie jestem zadowolony z obsługi",
                Lang::Pl,
                Sentiment::Neutral
            ),
            Emotion::None
        );
        assert_eq!(
            detect("not happy at all", Lang::En, Sentiment::Neutral),
            Emotion::None
        );
    }

    #[test]
    fn names_round_trip() {
        for e in Emotion::ALL {
            assert_eq!(Emotion::from_name(e.name()), Some(e));
        }
        assert_eq!(Sentiment::from_label("neg"), Some(Sentiment::Negative));
        assert_eq!(Sentiment::from_label("?"), None);
    }
}
