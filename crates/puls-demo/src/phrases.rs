//! Phrase banks: what demo customers write, in Polish, Czech and English.
//!
//! Comments are grouped by topic (the touchpoint they talk about) and tone (what a detractor,
//! a passive and a promoter would write). A few banks hold what people write during the demo's
//! delivery incident, and what they type into "other" boxes. Everything here is `'static`, so
//! generating a comment costs one allocation at most. Names, regions and stores give contact
//! details and attributes a local feel.

/// The languages with phrase banks, by index: `pl`, `cs`, `en`.
pub(crate) const LANGS: [&str; 3] = ["pl", "cs", "en"];

/// Index of Polish in [`LANGS`].
pub(crate) const PL: usize = 0;
/// Index of Czech in [`LANGS`].
pub(crate) const CS: usize = 1;
/// Index of English in [`LANGS`].
pub(crate) const EN: usize = 2;

/// The language index for a locale tag; languages without a bank get English.
pub(crate) fn lang_index(language: &str) -> usize {
    match language {
        "pl" => PL,
        "cs" => CS,
        _ => EN,
    }
}

/// What a comment talks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topic {
    Information,
    Checkout,
    Delivery,
    Support,
    Returns,
    Loyalty,
    /// Any other touchpoint.
    Generic,
}

/// How a comment feels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Negative = 0,
    Neutral = 1,
    Positive = 2,
}

type Bank = &'static [&'static str];

/// One topic's phrases: `[language][tone]`, incident phrases and "other" answers by language.
struct TopicBank {
    comments: [[Bank; 3]; 3],
    incident: [Bank; 3],
    other: [Bank; 3],
}

/// Comments for a topic, language and tone; never empty.
pub(crate) fn comments(topic: Topic, lang: usize, tone: Tone) -> Bank {
    bank(topic).comments[lang][tone as usize]
}

/// What people write about this topic during the delivery incident; may be empty.
pub(crate) fn incident_comments(topic: Topic, lang: usize) -> Bank {
    bank(topic).incident[lang]
}

/// Short answers for an "other" box; never empty.
pub(crate) fn other_answers(topic: Topic, lang: usize) -> Bank {
    bank(topic).other[lang]
}

fn bank(topic: Topic) -> &'static TopicBank {
    match topic {
        Topic::Information => &INFORMATION,
        Topic::Checkout => &CHECKOUT,
        Topic::Delivery => &DELIVERY,
        Topic::Support => &SUPPORT,
        Topic::Returns => &RETURNS,
        Topic::Loyalty => &LOYALTY,
        Topic::Generic => &GENERIC,
    }
}

static INFORMATION: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Brakuje tabeli rozmiarów, nie wiem, co zamówić.",
                "Opis jest zbyt ogólny, brak parametrów technicznych.",
                "Zdjęcia nie pokazują produktu z bliska.",
                "Nie wiadomo, kiedy towar będzie dostępny.",
                "Koszt dostawy widać dopiero w koszyku.",
                "Opis jest przetłumaczony automatycznie i trudno go zrozumieć.",
            ],
            &[
                "Jest OK, ale przydałoby się więcej zdjęć.",
                "Opis w porządku, brakuje trochę parametrów.",
                "Przydałoby się porównanie podobnych produktów.",
                "Dobrze, choć informacja o dostępności mogłaby być wyraźniejsza.",
            ],
            &[
                "Opisy są bardzo szczegółowe, wszystko jasne.",
                "Świetne zdjęcia, widać każdy detal.",
                "Tabela rozmiarów bardzo pomogła.",
                "Szybko znalazłam to, czego szukałam.",
                "Opinie innych klientów są bardzo przydatne.",
                "Przejrzysta strona, wszystko na swoim miejscu.",
            ],
        ],
        [
            &[
                "Chybí tabulka velikostí, nevím, co objednat.",
                "Popis je moc obecný, chybí technické parametry.",
                "Fotky neukazují produkt zblízka.",
                "Není jasné, kdy bude zboží skladem.",
                "Cenu dopravy uvidím až v košíku.",
                "Popis je strojově přeložený a špatně se mu rozumí.",
            ],
            &[
                "Je to v pořádku, ale chtělo by to víc fotek.",
                "Popis je fajn, chybí pár parametrů.",
                "Hodilo by se srovnání podobných produktů.",
                "Dobré, i když dostupnost by mohla být vidět lépe.",
            ],
            &[
                "Popisy jsou velmi podrobné, vše je jasné.",
                "Skvělé fotky, je vidět každý detail.",
                "Tabulka velikostí mi hodně pomohla.",
                "Rychle jsem našla, co jsem hledala.",
                "Recenze ostatních zákazníků jsou velmi užitečné.",
                "Přehledná stránka, všechno je tam, kde má být.",
            ],
        ],
        [
            &[
                "No size chart, I don't know what to order.",
                "The description is too vague, no technical specs.",
                "The photos don't show the product up close.",
                "It's unclear when the item will be back in stock.",
                "Shipping cost only shows up in the cart.",
                "The description reads like a machine translation.",
            ],
            &[
                "It's fine, but more photos would help.",
                "Description is OK, a few specs are missing.",
                "A comparison with similar products would be nice.",
                "Good, although stock availability could be clearer.",
            ],
            &[
                "Very detailed descriptions, everything is clear.",
                "Great photos, you can see every detail.",
                "The size chart really helped.",
                "Found what I was looking for quickly.",
                "Other customers' reviews are really useful.",
                "Clean page, everything where it should be.",
            ],
        ],
    ],
    incident: [&[], &[], &[]],
    other: [
        &[
            "Brak informacji o materiale",
            "Nie było instrukcji obsługi",
            "Brak wymiarów opakowania",
        ],
        &[
            "Chyběla informace o materiálu",
            "Chyběl návod k použití",
            "Chyběly rozměry balení",
        ],
        &[
            "No info on the material",
            "No user manual",
            "Package dimensions missing",
        ],
    ],
};

static CHECKOUT: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Płatność kartą nie przeszła za pierwszym razem.",
                "Kod rabatowy nie zadziałał, a infolinia nie pomogła.",
                "Koszt dostawy pojawił się dopiero na końcu, to nie fair.",
                "Strona bardzo wolno działa na telefonie.",
                "Musiałem zakładać konto, żeby cokolwiek kupić.",
                "Po płatności nie dostałem potwierdzenia zamówienia.",
            ],
            &[
                "Ogólnie dobrze, ale koszt dostawy mógłby być niższy.",
                "W porządku, choć strona chwilami się zawieszała.",
                "Zakupy OK, brakuje mi płatności odroczonej.",
                "Dobrze, tylko formularz adresu jest za długi.",
            ],
            &[
                "Szybkie i wygodne zakupy, płatność BLIK w kilka sekund.",
                "Wszystko przebiegło sprawnie, polecam.",
                "Bardzo prosty koszyk, bez zbędnych kroków.",
                "Świetne ceny i darmowa dostawa od 199 zł.",
                "Zamówienie złożone w dwie minuty, super.",
                "Miło, że nie trzeba zakładać konta.",
            ],
        ],
        [
            &[
                "Platba kartou napoprvé neprošla.",
                "Slevový kód nefungoval a na infolince mi nepomohli.",
                "Cena dopravy se objevila až na konci, to není fér.",
                "Stránka je na mobilu strašně pomalá.",
                "Musel jsem si založit účet, abych vůbec mohl nakoupit.",
                "Po zaplacení mi nepřišlo potvrzení objednávky.",
            ],
            &[
                "Celkově dobré, ale doprava by mohla být levnější.",
                "V pořádku, i když se stránka občas sekala.",
                "Nákup OK, chybí mi odložená platba.",
                "Dobré, jen formulář s adresou je zbytečně dlouhý.",
            ],
            &[
                "Rychlý a pohodlný nákup, platba kartou během chvilky.",
                "Všechno proběhlo hladce, doporučuji.",
                "Velmi jednoduchý košík, žádné zbytečné kroky.",
                "Skvělé ceny a doprava zdarma nad 1 500 Kč.",
                "Objednávka hotová za dvě minuty, super.",
                "Líbí se mi, že nemusím zakládat účet.",
            ],
        ],
        [
            &[
                "Card payment failed the first time.",
                "The discount code didn't work and the hotline couldn't help.",
                "Shipping cost appeared only at the very end, not fair.",
                "The site is painfully slow on my phone.",
                "I had to create an account just to buy something.",
                "No order confirmation after I paid.",
            ],
            &[
                "Mostly fine, but shipping could be cheaper.",
                "OK, although the site froze a couple of times.",
                "Fine, but I missed a pay-later option.",
                "Good, just the address form is too long.",
            ],
            &[
                "Quick and easy checkout, paid in seconds.",
                "Everything went smoothly, would recommend.",
                "Very simple cart, no unnecessary steps.",
                "Great prices and free shipping.",
                "Order placed in two minutes, great.",
                "Love that I didn't have to create an account.",
            ],
        ],
    ],
    incident: [&[], &[], &[]],
    other: [
        &[
            "Nie mogłem zmienić adresu dostawy",
            "Błąd przy logowaniu",
            "Nie dało się dodać numeru NIP do faktury",
        ],
        &[
            "Nešlo změnit doručovací adresu",
            "Chyba při přihlášení",
            "Nešlo zadat IČO na fakturu",
        ],
        &[
            "Couldn't change the delivery address",
            "Login error",
            "Couldn't add a VAT number to the invoice",
        ],
    ],
};

static DELIVERY: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Paczka była uszkodzona, część towaru połamana.",
                "Kurier zostawił awizo, choć byłam w domu.",
                "Brak informacji, gdzie jest przesyłka.",
                "Dostałem nie ten rozmiar, który zamówiłem.",
                "Kurier był nieuprzejmy i rzucił paczką.",
                "Paczkomat był pełny, musiałam jechać do innego.",
                "Paczka dotarła dwa dni po terminie.",
            ],
            &[
                "Dostawa w terminie, ale bez powiadomienia SMS.",
                "W porządku, choć paczka trochę pognieciona.",
                "Dotarło, ale dzień później, niż obiecano.",
                "OK, ale kurier nie zadzwonił przed przyjazdem.",
            ],
            &[
                "Paczka dotarła następnego dnia, super!",
                "Kurier bardzo miły i punktualny.",
                "Paczkomat to najwygodniejsza opcja, wszystko sprawnie.",
                "Świetnie zapakowane, nic się nie uszkodziło.",
                "Dokładne śledzenie przesyłki, wiedziałam, kiedy będzie.",
                "Szybciej, niż się spodziewałem.",
            ],
        ],
        [
            &[
                "Balík byl poškozený, část zboží rozbitá.",
                "Kurýr nechal jen lístek, přestože jsem byla doma.",
                "Žádná informace o tom, kde zásilka je.",
                "Přišla mi jiná velikost, než jsem objednal.",
                "Kurýr byl nepříjemný a s balíkem házel.",
                "Výdejní box byl plný, musela jsem jet jinam.",
                "Balík dorazil o dva dny později.",
            ],
            &[
                "Doručeno včas, ale bez upozornění SMS.",
                "V pořádku, i když krabice byla trochu pomačkaná.",
                "Dorazilo, ale o den později, než bylo slíbeno.",
                "OK, ale kurýr před příjezdem nezavolal.",
            ],
            &[
                "Balík dorazil hned druhý den, super!",
                "Kurýr byl moc milý a dochvilný.",
                "Výdejní box je nejpohodlnější, všechno proběhlo hladce.",
                "Skvěle zabalené, nic se nepoškodilo.",
                "Přesné sledování zásilky, věděla jsem, kdy přijde.",
                "Rychleji, než jsem čekal.",
            ],
        ],
        [
            &[
                "The parcel was damaged and some items were broken.",
                "The courier left a notice even though I was at home.",
                "No information where the parcel is.",
                "I got a different size than I ordered.",
                "The courier was rude and threw the parcel.",
                "The parcel locker was full, I had to go to another one.",
                "The parcel came two days late.",
            ],
            &[
                "On time, but no SMS notification.",
                "Fine, although the box was a bit crushed.",
                "Arrived, but a day later than promised.",
                "OK, but the courier didn't call before coming.",
            ],
            &[
                "Parcel arrived the next day, great!",
                "The courier was friendly and on time.",
                "Parcel lockers are so convenient, all smooth.",
                "Well packed, nothing damaged.",
                "Accurate tracking, I knew exactly when it would come.",
                "Faster than I expected.",
            ],
        ],
    ],
    incident: [
        &[
            "Paczka szła ponad tydzień, zupełnie bez informacji.",
            "Dostawa opóźniona o 5 dni, nikt nas nie uprzedził.",
            "Termin dostawy przesuwano trzy razy.",
            "Zamówienie miało być w 2 dni, czekałem 9.",
            "Śledzenie przesyłki stało w miejscu przez kilka dni.",
            "Prezent nie dotarł na czas, bardzo słabo.",
            "Spóźniona dostawa, a na infolinii nikt nie wiedział dlaczego.",
        ],
        &[
            "Balík šel přes týden a bez jakékoli informace.",
            "Doručení se zpozdilo o 5 dní a nikdo nás neupozornil.",
            "Termín doručení se třikrát posunul.",
            "Objednávka měla přijít za 2 dny, čekal jsem 9.",
            "Sledování zásilky se několik dní nehnulo.",
            "Dárek nedorazil včas, velké zklamání.",
            "Pozdní doručení a na infolince nikdo nevěděl proč.",
        ],
        &[
            "The parcel took over a week, with no updates at all.",
            "Delivery was 5 days late and nobody told us.",
            "The delivery date was moved three times.",
            "The order was supposed to take 2 days, I waited 9.",
            "Tracking didn't move for several days.",
            "The gift didn't arrive in time, very disappointing.",
            "Late delivery, and the hotline had no idea why.",
        ],
    ],
    other: [
        &[
            "Paczka dostarczona pod zły adres",
            "Kurier nie przyjechał w wybranym przedziale godzin",
            "Brak możliwości zmiany terminu dostawy",
        ],
        &[
            "Balík doručen na špatnou adresu",
            "Kurýr nepřijel ve zvoleném čase",
            "Nešlo změnit termín doručení",
        ],
        &[
            "Parcel delivered to the wrong address",
            "Courier missed the chosen time slot",
            "Couldn't reschedule the delivery",
        ],
    ],
};

static SUPPORT: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Czekałem na odpowiedź trzy dni.",
                "Każdy konsultant mówił co innego.",
                "Musiałem kilka razy opisywać ten sam problem.",
                "Nikt nie odpowiedział na mojego maila.",
                "Automatyczne odpowiedzi zamiast pomocy.",
                "Sprawa nadal nierozwiązana.",
            ],
            &[
                "Pomogli, ale na odpowiedź czekałem dość długo.",
                "Sprawa załatwiona, choć musiałem pisać dwa razy.",
                "Uprzejmie, ale odpowiedzi były dość ogólne.",
                "OK, ale czat działa tylko w godzinach pracy.",
            ],
            &[
                "Konsultant rozwiązał problem w kilka minut.",
                "Bardzo miła i kompetentna obsługa na czacie.",
                "Szybka odpowiedź i konkretna pomoc.",
                "Pani Kasia wszystko cierpliwie wyjaśniła.",
                "Sprawa załatwiona od ręki, dziękuję.",
            ],
        ],
        [
            &[
                "Na odpověď jsem čekal tři dny.",
                "Každý operátor mi řekl něco jiného.",
                "Musel jsem stejný problém popisovat několikrát.",
                "Na můj e-mail nikdo neodpověděl.",
                "Místo pomoci jen automatické odpovědi.",
                "Můj požadavek pořád není vyřešený.",
            ],
            &[
                "Pomohli, ale na odpověď jsem čekal docela dlouho.",
                "Vyřešeno, i když jsem musel psát dvakrát.",
                "Slušné jednání, ale odpovědi byly dost obecné.",
                "OK, ale chat funguje jen v pracovní době.",
            ],
            &[
                "Operátor vyřešil problém během pár minut.",
                "Velmi milá a profesionální podpora na chatu.",
                "Rychlá odpověď a konkrétní pomoc.",
                "Paní Jana mi všechno trpělivě vysvětlila.",
                "Vyřízeno hned, děkuji.",
            ],
        ],
        [
            &[
                "I waited three days for an answer.",
                "Every agent told me something different.",
                "I had to explain the same problem several times.",
                "Nobody answered my email.",
                "Canned replies instead of help.",
                "My issue is still not solved.",
            ],
            &[
                "They helped, but I waited quite a while for a reply.",
                "Solved, although I had to write twice.",
                "Polite, but the answers were rather generic.",
                "OK, but chat is only open during office hours.",
            ],
            &[
                "The agent solved my problem in a few minutes.",
                "Very friendly and competent chat support.",
                "Quick reply and real help.",
                "Kasia explained everything patiently.",
                "Sorted out straight away, thank you.",
            ],
        ],
    ],
    incident: [
        &[
            "Nikt nie potrafił powiedzieć, gdzie jest moja paczka.",
            "Obiecali sprawdzić przesyłkę i się nie odezwali.",
            "Godzina w kolejce na czacie, żeby usłyszeć, że paczka jest w drodze.",
        ],
        &[
            "Nikdo mi nedokázal říct, kde je můj balík.",
            "Slíbili, že zásilku prověří, a už se neozvali.",
            "Hodina ve frontě na chatu, abych slyšel, že balík je na cestě.",
        ],
        &[
            "Nobody could tell me where my parcel was.",
            "They promised to check on my parcel and never got back to me.",
            "An hour in the chat queue to hear that the parcel is on its way.",
        ],
    ],
    other: [&["Inna sprawa"], &["Jiná záležitost"], &["Something else"]],
};

static RETURNS: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Na zwrot pieniędzy czekam już trzy tygodnie.",
                "Musiałem zapłacić za odesłanie towaru.",
                "Skomplikowany formularz, nie wiadomo, co wpisać.",
                "Reklamacja odrzucona bez uzasadnienia.",
                "Nikt nie potwierdził, że paczka zwrotna dotarła.",
                "W sklepie nie chcieli przyjąć zwrotu z zamówienia internetowego.",
            ],
            &[
                "Zwrot OK, ale na pieniądze czekałam tydzień.",
                "Formularz zwrotu mógłby być prostszy.",
                "Wszystko dobrze, tylko etykietę trzeba było wydrukować.",
                "W porządku, choć brak informacji o statusie zwrotu.",
            ],
            &[
                "Zwrot bez problemu, pieniądze wróciły w dwa dni.",
                "Darmowy zwrot przez paczkomat, bardzo wygodnie.",
                "Szybko i bez zbędnych pytań.",
                "Zwrot w sklepie zajął pięć minut.",
            ],
        ],
        [
            &[
                "Na vrácení peněz čekám už tři týdny.",
                "Za zpětné zaslání zboží jsem musel zaplatit.",
                "Složitý formulář, nevím, co tam vyplnit.",
                "Reklamace zamítnuta bez vysvětlení.",
                "Nikdo nepotvrdil, že vrácený balík dorazil.",
                "Na prodejně odmítli převzít zboží z e-shopu.",
            ],
            &[
                "Vrácení OK, ale na peníze jsem čekala týden.",
                "Formulář pro vrácení by mohl být jednodušší.",
                "Všechno dobré, jen jsem musel tisknout štítek.",
                "V pořádku, ale chybí informace o stavu vrácení.",
            ],
            &[
                "Vrácení bez problémů, peníze přišly za dva dny.",
                "Vrácení zdarma přes výdejní box, velmi pohodlné.",
                "Rychle a bez zbytečných otázek.",
                "Vrácení na prodejně trvalo pět minut.",
            ],
        ],
        [
            &[
                "Still waiting for my refund after three weeks.",
                "I had to pay to send the item back.",
                "Complicated form, no idea what to fill in.",
                "Complaint rejected without any explanation.",
                "Nobody confirmed the returned parcel arrived.",
                "The store refused to accept an online order return.",
            ],
            &[
                "Return OK, but the refund took a week.",
                "The return form could be simpler.",
                "All fine, I just had to print the label.",
                "Fine, but no updates on the return status.",
            ],
            &[
                "Hassle-free return, money back in two days.",
                "Free return via parcel locker, very convenient.",
                "Quick and no awkward questions.",
                "Returning in store took five minutes.",
            ],
        ],
    ],
    incident: [&[], &[], &[]],
    other: [&["Inny powód"], &["Jiný důvod"], &["Another reason"]],
};

static LOYALTY: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Najpierw popracujcie nad terminowością dostaw.",
                "Zbyt wiele maili marketingowych.",
                "Program lojalnościowy nic mi nie daje.",
                "Ceny poszły w górę, a jakość spadła.",
            ],
            &[
                "Dodajcie w aplikacji listę ulubionych.",
                "Przydałby się newsletter z promocjami dla stałych klientów.",
                "Może więcej paczkomatów do wyboru.",
                "Wolałbym niższe ceny niż nowe funkcje.",
            ],
            &[
                "Dostawa tego samego dnia byłaby świetna.",
                "Punkty za zakupy? Jak najbardziej!",
                "Fajnie, że pytacie klientów o zdanie.",
                "Kupuję u Was od lat i zawsze jestem zadowolona.",
            ],
        ],
        [
            &[
                "Nejdřív zapracujte na včasném doručování.",
                "Příliš mnoho marketingových e-mailů.",
                "Věrnostní program mi nic nepřináší.",
                "Ceny šly nahoru a kvalita dolů.",
            ],
            &[
                "Přidejte do aplikace seznam oblíbených.",
                "Hodil by se newsletter s akcemi pro stálé zákazníky.",
                "Možná víc výdejních míst na výběr.",
                "Radši bych nižší ceny než nové funkce.",
            ],
            &[
                "Doručení ještě tentýž den by bylo skvělé.",
                "Body za nákupy? Rozhodně ano!",
                "Je fajn, že se ptáte zákazníků na názor.",
                "Nakupuji u vás už roky a vždy jsem spokojená.",
            ],
        ],
        [
            &[
                "Work on delivering on time first.",
                "Too many marketing emails.",
                "The loyalty programme gives me nothing.",
                "Prices went up and quality went down.",
            ],
            &[
                "Add a wishlist to the app.",
                "A newsletter with deals for regular customers would be nice.",
                "Maybe more pickup points to choose from.",
                "I'd rather have lower prices than new features.",
            ],
            &[
                "Same-day delivery would be amazing.",
                "Points for purchases? Absolutely!",
                "Nice that you ask customers for their opinion.",
                "I've been shopping here for years and I'm always happy.",
            ],
        ],
    ],
    incident: [
        &["Ostatnio dostawy bardzo się opóźniały."],
        &["Poslední dobou se doručení hodně zpožďovalo."],
        &["Deliveries have been very late lately."],
    ],
    other: [&["Coś innego"], &["Něco jiného"], &["Something else"]],
};

static GENERIC: TopicBank = TopicBank {
    comments: [
        [
            &[
                "Jestem rozczarowany.",
                "Nie polecam.",
                "Sporo rzeczy do poprawy.",
            ],
            &["W porządku.", "Mogłoby być lepiej, ale nie narzekam."],
            &[
                "Wszystko super, dziękuję!",
                "Jestem bardzo zadowolona.",
                "Szybko i sprawnie.",
            ],
        ],
        [
            &[
                "Jsem zklamaný.",
                "Nedoporučuji.",
                "Je toho dost ke zlepšení.",
            ],
            &["V pořádku.", "Mohlo by to být lepší, ale nestěžuji si."],
            &[
                "Všechno super, děkuji!",
                "Jsem moc spokojená.",
                "Rychle a bez problémů.",
            ],
        ],
        [
            &["Disappointed.", "Would not recommend.", "A lot to improve."],
            &["It's fine.", "Could be better, but no complaints."],
            &["All great, thank you!", "Very happy.", "Quick and smooth."],
        ],
    ],
    incident: [&[], &[], &[]],
    other: [&["Inne"], &["Jiné"], &["Other"]],
};

/// Given names for email addresses, ASCII: `[language][0 = female, 1 = male]`.
pub(crate) static FIRST_NAMES: [[Bank; 2]; 3] = [
    [
        &[
            "anna",
            "katarzyna",
            "magdalena",
            "agnieszka",
            "joanna",
            "monika",
            "ewa",
            "marta",
            "zofia",
            "aleksandra",
        ],
        &[
            "piotr",
            "krzysztof",
            "tomasz",
            "pawel",
            "michal",
            "marcin",
            "jakub",
            "adam",
            "lukasz",
            "mateusz",
        ],
    ],
    [
        &[
            "jana", "eva", "hana", "lucie", "petra", "tereza", "katerina", "veronika", "martina",
            "lenka",
        ],
        &[
            "jan", "petr", "tomas", "martin", "jakub", "lukas", "ondrej", "david", "jiri", "pavel",
        ],
    ],
    [
        &["emma", "olivia", "sophie", "grace", "lucy", "amelia"],
        &["james", "oliver", "daniel", "thomas", "jack", "harry"],
    ],
];

/// Family names for email addresses, ASCII: `[language]` of (female, male) forms.
pub(crate) static SURNAMES: [&[(&str, &str)]; 3] = [
    &[
        ("nowak", "nowak"),
        ("kowalska", "kowalski"),
        ("wisniewska", "wisniewski"),
        ("wojcik", "wojcik"),
        ("kowalczyk", "kowalczyk"),
        ("kaminska", "kaminski"),
        ("lewandowska", "lewandowski"),
        ("zielinska", "zielinski"),
        ("szymanska", "szymanski"),
        ("wozniak", "wozniak"),
    ],
    &[
        ("novakova", "novak"),
        ("svobodova", "svoboda"),
        ("novotna", "novotny"),
        ("dvorakova", "dvorak"),
        ("cerna", "cerny"),
        ("prochazkova", "prochazka"),
        ("kucerova", "kucera"),
        ("vesela", "vesely"),
        ("horakova", "horak"),
        ("nemcova", "nemec"),
    ],
    &[
        ("smith", "smith"),
        ("jones", "jones"),
        ("brown", "brown"),
        ("taylor", "taylor"),
        ("wilson", "wilson"),
        ("evans", "evans"),
        ("walker", "walker"),
        ("wright", "wright"),
    ],
];

/// [`FIRST_NAMES`] as written, with capitals and diacritics, in the same order.
pub(crate) static FIRST_NAMES_WRITTEN: [[Bank; 2]; 3] = [
    [
        &[
            "Anna",
            "Katarzyna",
            "Magdalena",
            "Agnieszka",
            "Joanna",
            "Monika",
            "Ewa",
            "Marta",
            "Zofia",
            "Aleksandra",
        ],
        &[
            "Piotr",
            "Krzysztof",
            "Tomasz",
            "Paweł",
            "Michał",
            "Marcin",
            "Jakub",
            "Adam",
            "Łukasz",
            "Mateusz",
        ],
    ],
    [
        &[
            "Jana",
            "Eva",
            "Hana",
            "Lucie",
            "Petra",
            "Tereza",
            "Kateřina",
            "Veronika",
            "Martina",
            "Lenka",
        ],
        &[
            "Jan", "Petr", "Tomáš", "Martin", "Jakub", "Lukáš", "Ondřej", "David", "Jiří", "Pavel",
        ],
    ],
    [
        &["Emma", "Olivia", "Sophie", "Grace", "Lucy", "Amelia"],
        &["James", "Oliver", "Daniel", "Thomas", "Jack", "Harry"],
    ],
];

/// [`SURNAMES`] as written, with capitals and diacritics, in the same order.
pub(crate) static SURNAMES_WRITTEN: [&[(&str, &str)]; 3] = [
    &[
        ("Nowak", "Nowak"),
        ("Kowalska", "Kowalski"),
        ("Wiśniewska", "Wiśniewski"),
        ("Wójcik", "Wójcik"),
        ("Kowalczyk", "Kowalczyk"),
        ("Kamińska", "Kamiński"),
        ("Lewandowska", "Lewandowski"),
        ("Zielińska", "Zieliński"),
        ("Szymańska", "Szymański"),
        ("Woźniak", "Woźniak"),
    ],
    &[
        ("Nováková", "Novák"),
        ("Svobodová", "Svoboda"),
        ("Novotná", "Novotný"),
        ("Dvořáková", "Dvořák"),
        ("Černá", "Černý"),
        ("Procházková", "Procházka"),
        ("Kučerová", "Kučera"),
        ("Veselá", "Veselý"),
        ("Horáková", "Horák"),
        ("Němcová", "Němec"),
    ],
    &[
        ("Smith", "Smith"),
        ("Jones", "Jones"),
        ("Brown", "Brown"),
        ("Taylor", "Taylor"),
        ("Wilson", "Wilson"),
        ("Evans", "Evans"),
        ("Walker", "Walker"),
        ("Wright", "Wright"),
    ],
];

/// What shoppers type into the shop's search box, by language (pl, cs, en).
pub(crate) static SEARCHES: [Bank; 3] = [
    &[
        "buty do biegania",
        "kurtka zimowa",
        "słuchawki bezprzewodowe",
        "plecak",
        "sukienka na wesele",
        "klocki dla dzieci",
        "krem do twarzy",
        "lampka nocna",
        "ekspres do kawy",
        "torebka skórzana",
    ],
    &[
        "běžecké boty",
        "zimní bunda",
        "bezdrátová sluchátka",
        "batoh",
        "šaty na svatbu",
        "stavebnice pro děti",
        "pleťový krém",
        "noční lampička",
        "kávovar",
        "kožená kabelka",
    ],
    &[
        "running shoes",
        "winter jacket",
        "wireless headphones",
        "backpack",
        "wedding dress",
        "building blocks",
        "face cream",
        "night lamp",
        "coffee machine",
        "leather handbag",
    ],
];

/// The shop's product categories (slugs, as a catalogue feed would carry them).
pub(crate) static CATEGORIES: Bank = &[
    "shoes",
    "clothing",
    "electronics",
    "home",
    "beauty",
    "sports",
    "toys",
    "accessories",
];

/// Reserved example domains (RFC 2606), so no demo address can reach anyone.
pub(crate) static EMAIL_DOMAINS: Bank = &["example.com", "example.net", "example.org"];

/// Polish voivodeships with rough weights (population).
pub(crate) static REGIONS_PL: &[(&str, f32)] = &[
    ("mazowieckie", 5.5),
    ("śląskie", 4.4),
    ("wielkopolskie", 3.5),
    ("małopolskie", 3.4),
    ("dolnośląskie", 2.9),
    ("łódzkie", 2.4),
    ("pomorskie", 2.3),
    ("kujawsko-pomorskie", 2.0),
    ("lubelskie", 2.0),
    ("podkarpackie", 2.1),
    ("zachodniopomorskie", 1.6),
    ("warmińsko-mazurskie", 1.4),
    ("świętokrzyskie", 1.2),
    ("podlaskie", 1.2),
    ("lubuskie", 1.0),
    ("opolskie", 1.0),
];

/// Czech regions with rough weights (population).
pub(crate) static REGIONS_CZ: &[(&str, f32)] = &[
    ("Praha", 1.35),
    ("Středočeský kraj", 1.4),
    ("Jihomoravský kraj", 1.2),
    ("Moravskoslezský kraj", 1.2),
    ("Ústecký kraj", 0.8),
    ("Plzeňský kraj", 0.6),
    ("Olomoucký kraj", 0.63),
    ("Zlínský kraj", 0.58),
    ("Jihočeský kraj", 0.64),
    ("Královéhradecký kraj", 0.55),
    ("Vysočina", 0.51),
    ("Pardubický kraj", 0.52),
    ("Liberecký kraj", 0.44),
    ("Karlovarský kraj", 0.29),
];

/// The shop's stores, where returns can be handed in.
pub(crate) static STORES_PL: Bank = &[
    "Warszawa – Złote Tarasy",
    "Kraków – Galeria Krakowska",
    "Wrocław – Pasaż Grunwaldzki",
    "Poznań – Stary Browar",
    "Gdańsk – Galeria Bałtycka",
];

/// The shop's stores in a country ([`PL`] or [`CS`]; any other means Poland).
pub(crate) fn stores(country: usize) -> Bank {
    if country == CS { STORES_CZ } else { STORES_PL }
}

/// The shop's Czech stores.
pub(crate) static STORES_CZ: Bank = &[
    "Praha – Palladium",
    "Praha – Westfield Chodov",
    "Brno – Vaňkovka",
    "Ostrava – Forum Nová Karolina",
];

#[cfg(test)]
mod tests {
    use super::*;

    const TOPICS: [Topic; 7] = [
        Topic::Information,
        Topic::Checkout,
        Topic::Delivery,
        Topic::Support,
        Topic::Returns,
        Topic::Loyalty,
        Topic::Generic,
    ];

    #[test]
    fn banks_are_full_and_tidy() {
        for topic in TOPICS {
            for lang in 0..3 {
                for tone in [Tone::Negative, Tone::Neutral, Tone::Positive] {
                    let b = comments(topic, lang, tone);
                    assert!(!b.is_empty(), "{topic:?} {lang} {tone:?}");
                    for s in b {
                        assert_eq!(s.trim(), *s);
                        assert!(!s.is_empty());
                    }
                }
                assert!(!other_answers(topic, lang).is_empty());
            }
        }
        assert!(!incident_comments(Topic::Delivery, PL).is_empty());
        // Polish and Czech banks really are in Polish and Czech.
        let pl: String = comments(Topic::Delivery, PL, Tone::Negative).concat();
        let cs: String = comments(Topic::Delivery, CS, Tone::Negative).concat();
        assert!(pl.contains('ł') || pl.contains('ę'));
        assert!(cs.contains('ý') || cs.contains('ř'));
    }

    #[test]
    fn written_names_fold_to_the_ascii_ones() {
        fn fold(s: &str) -> String {
            s.chars()
                .flat_map(char::to_lowercase)
                .map(|c| match c {
                    'ą' | 'á' => 'a',
                    'ć' | 'č' => 'c',
                    'ď' => 'd',
                    'ę' | 'é' | 'ě' => 'e',
                    'í' => 'i',
                    'ł' => 'l',
                    'ń' | 'ň' => 'n',
                    'ó' => 'o',
                    'ř' => 'r',
                    'ś' | 'š' => 's',
                    'ť' => 't',
                    'ú' | 'ů' => 'u',
                    'ý' => 'y',
                    'ź' | 'ż' | 'ž' => 'z',
                    c => c,
                })
                .collect()
        }
        for (ascii, written) in FIRST_NAMES.iter().zip(&FIRST_NAMES_WRITTEN) {
            for (a, w) in ascii.iter().zip(written) {
                assert_eq!(a.len(), w.len());
                for (a, w) in a.iter().zip(w.iter()) {
                    assert_eq!(*a, fold(w));
                }
            }
        }
        for (ascii, written) in SURNAMES.iter().zip(&SURNAMES_WRITTEN) {
            assert_eq!(ascii.len(), written.len());
            for ((af, am), (wf, wm)) in ascii.iter().zip(written.iter()) {
                assert_eq!((*af, *am), (fold(wf).as_str(), fold(wm).as_str()));
            }
        }
    }

    #[test]
    fn names_are_ascii() {
        for lang in FIRST_NAMES.iter() {
            for names in lang {
                assert!(names.iter().all(|n| n.is_ascii()));
            }
        }
        for lang in SURNAMES {
            assert!(lang.iter().all(|(f, m)| f.is_ascii() && m.is_ascii()));
        }
    }
}
