//! Every text of the web app in English, Polish and Czech, side by side.
//!
//! One row per key, the three languages in one tuple, so a missing translation cannot
//! compile. Templates read them as `{{ t.key }}`; the engine's strict mode turns a key that
//! is not here into an error, and the tests render every page in every language.
//! Texts with `{0}` take an argument through the `fill` filter.

use crate::Lang;

/// (key, en, pl, cs).
pub const TEXTS: &[(&str, &str, &str, &str)] = &[
    // The shell.
    ("app_name", "Puls", "Puls", "Puls"),
    (
        "skip_to_content",
        "Skip to content",
        "Przejdź do treści",
        "Přejít na obsah",
    ),
    ("nav_label", "Main", "Główne", "Hlavní"),
    ("nav_overview", "Overview", "Przegląd", "Přehled"),
    ("nav_journeys", "Journey map", "Mapa ścieżki", "Mapa cesty"),
    ("nav_analyses", "Analyses", "Analizy", "Analýzy"),
    ("nav_responses", "Responses", "Odpowiedzi", "Odpovědi"),
    ("nav_surveys", "Surveys", "Ankiety", "Dotazníky"),
    ("nav_settings", "Settings", "Ustawienia", "Nastavení"),
    ("nav_account", "Your account", "Twoje konto", "Váš účet"),
    (
        "workspace",
        "Workspace",
        "Przestrzeń robocza",
        "Pracovní prostor",
    ),
    ("switch", "Switch", "Przełącz", "Přepnout"),
    ("sign_out", "Sign out", "Wyloguj się", "Odhlásit se"),
    (
        "signed_in_as",
        "Signed in as {0}",
        "Zalogowano jako {0}",
        "Přihlášen(a) jako {0}",
    ),
    ("language", "Language", "Język", "Jazyk"),
    ("lang_en", "English", "angielski", "angličtina"),
    ("lang_pl", "Polish", "polski", "polština"),
    ("lang_cs", "Czech", "czeski", "čeština"),
    ("save", "Save", "Zapisz", "Uložit"),
    ("apply", "Apply", "Zastosuj", "Použít"),
    ("cancel", "Cancel", "Anuluj", "Zrušit"),
    ("saved", "Saved.", "Zapisano.", "Uloženo."),
    // Roles.
    ("role", "Role", "Rola", "Role"),
    ("role_owner", "Owner", "Właściciel", "Vlastník"),
    ("role_admin", "Administrator", "Administrator", "Správce"),
    ("role_analyst", "Analyst", "Analityk", "Analytik"),
    ("role_agent", "Agent", "Agent", "Agent"),
    ("role_viewer", "Viewer", "Obserwator", "Čtenář"),
    // Setup and signing in.
    (
        "setup_title",
        "Set up Puls",
        "Konfiguracja Pulsu",
        "Nastavení Pulsu",
    ),
    (
        "setup_intro",
        "Create the first owner. This page works once: afterwards, people sign in or are invited.",
        "Utwórz pierwszego właściciela. Ta strona działa tylko raz: potem użytkownicy logują się lub są zapraszani.",
        "Vytvořte prvního vlastníka. Tato stránka funguje jen jednou: potom se lidé přihlašují nebo jsou zváni.",
    ),
    (
        "setup_need_token",
        "To set up Puls, open the one-time link the server printed in its log when it started.",
        "Aby skonfigurować Puls, otwórz jednorazowy link, który serwer zapisał w logu przy starcie.",
        "Pro nastavení Pulsu otevřete jednorázový odkaz, který server vypsal do logu při spuštění.",
    ),
    (
        "setup_done",
        "Puls is set up already. Sign in.",
        "Puls jest już skonfigurowany. Zaloguj się.",
        "Puls je již nastaven. Přihlaste se.",
    ),
    (
        "workspace_name",
        "Company or workspace name",
        "Nazwa firmy lub przestrzeni",
        "Název firmy nebo prostoru",
    ),
    (
        "workspace_existing",
        "You will own the existing workspaces: {0}.",
        "Zostaniesz właścicielem istniejących przestrzeni: {0}.",
        "Stanete se vlastníkem existujících prostorů: {0}.",
    ),
    (
        "your_name",
        "Your name",
        "Imię i nazwisko",
        "Jméno a příjmení",
    ),
    ("email", "Email", "E-mail", "E-mail"),
    ("password", "Password", "Hasło", "Heslo"),
    (
        "password_hint",
        "At least 10 characters. A long phrase is easier to remember and harder to guess.",
        "Co najmniej 10 znaków. Długie zdanie łatwiej zapamiętać i trudniej odgadnąć.",
        "Alespoň 10 znaků. Dlouhou větu si snáz zapamatujete a hůř se uhádne.",
    ),
    (
        "create_owner",
        "Create the owner",
        "Utwórz właściciela",
        "Vytvořit vlastníka",
    ),
    (
        "sign_in_title",
        "Sign in to Puls",
        "Zaloguj się do Pulsu",
        "Přihlášení do Pulsu",
    ),
    ("sign_in", "Sign in", "Zaloguj się", "Přihlásit se"),
    (
        "signed_out",
        "You have signed out.",
        "Wylogowano.",
        "Byli jste odhlášeni.",
    ),
    (
        "session_expired",
        "Please sign in to continue.",
        "Zaloguj się, aby kontynuować.",
        "Pro pokračování se přihlaste.",
    ),
    // Errors (codes as the API's, texts for people).
    ("error", "Error", "Błąd", "Chyba"),
    (
        "errors_title",
        "Please correct the following",
        "Popraw następujące pola",
        "Opravte prosím následující",
    ),
    (
        "bad_credentials",
        "The email or the password is not right.",
        "Nieprawidłowy e-mail lub hasło.",
        "E-mail nebo heslo není správně.",
    ),
    (
        "field_required",
        "This field is required.",
        "To pole jest wymagane.",
        "Toto pole je povinné.",
    ),
    (
        "email_invalid",
        "Enter a valid email address.",
        "Podaj prawidłowy adres e-mail.",
        "Zadejte platnou e-mailovou adresu.",
    ),
    (
        "email_taken",
        "An account with this email exists already.",
        "Konto z tym adresem już istnieje.",
        "Účet s tímto e-mailem již existuje.",
    ),
    (
        "password_too_short",
        "The password needs at least 10 characters.",
        "Hasło musi mieć co najmniej 10 znaków.",
        "Heslo musí mít alespoň 10 znaků.",
    ),
    (
        "password_too_long",
        "The password is too long.",
        "Hasło jest za długie.",
        "Heslo je příliš dlouhé.",
    ),
    (
        "password_too_weak",
        "Choose a less guessable password.",
        "Wybierz hasło trudniejsze do odgadnięcia.",
        "Zvolte heslo, které se hůř uhodne.",
    ),
    (
        "password_mismatch",
        "The two new passwords differ.",
        "Nowe hasła się różnią.",
        "Nová hesla se liší.",
    ),
    (
        "wrong_password",
        "The current password is not right.",
        "Obecne hasło jest nieprawidłowe.",
        "Současné heslo není správně.",
    ),
    (
        "csrf_failed",
        "The form expired or came from elsewhere. Reload the page and try again.",
        "Formularz wygasł lub pochodzi z innego miejsca. Odśwież stronę i spróbuj ponownie.",
        "Formulář vypršel nebo pochází odjinud. Načtěte stránku znovu a zkuste to ještě jednou.",
    ),
    (
        "forbidden_title",
        "Not allowed",
        "Brak dostępu",
        "Přístup odepřen",
    ),
    (
        "forbidden",
        "Your role in this workspace does not allow this page. Ask an owner or administrator.",
        "Twoja rola w tej przestrzeni nie pozwala na tę stronę. Poproś właściciela lub administratora.",
        "Vaše role v tomto prostoru tuto stránku nedovoluje. Požádejte vlastníka nebo správce.",
    ),
    (
        "server_error",
        "Something went wrong on our side. It has been logged; please try again.",
        "Coś poszło nie tak po naszej stronie. Zapisaliśmy to; spróbuj ponownie.",
        "Na naší straně se něco pokazilo. Zaznamenali jsme to; zkuste to prosím znovu.",
    ),
    (
        "not_found_title",
        "Not found",
        "Nie znaleziono",
        "Nenalezeno",
    ),
    (
        "not_found",
        "There is nothing here.",
        "Nic tu nie ma.",
        "Nic tu není.",
    ),
    (
        "no_workspace",
        "You are not a member of any workspace yet. Ask an owner to invite you.",
        "Nie należysz jeszcze do żadnej przestrzeni. Poproś właściciela o zaproszenie.",
        "Zatím nejste členem žádného prostoru. Požádejte vlastníka o pozvánku.",
    ),
    (
        "bad_filter",
        "A filter is not valid: {0}",
        "Nieprawidłowy filtr: {0}",
        "Neplatný filtr: {0}",
    ),
    // Account.
    ("account_title", "Your account", "Twoje konto", "Váš účet"),
    (
        "interface_language",
        "Interface language",
        "Język interfejsu",
        "Jazyk rozhraní",
    ),
    (
        "change_password",
        "Change password",
        "Zmień hasło",
        "Změnit heslo",
    ),
    (
        "current_password",
        "Current password",
        "Obecne hasło",
        "Současné heslo",
    ),
    ("new_password", "New password", "Nowe hasło", "Nové heslo"),
    (
        "repeat_password",
        "New password again",
        "Powtórz nowe hasło",
        "Nové heslo znovu",
    ),
    (
        "password_changed",
        "Password changed. Other sessions were signed out.",
        "Hasło zmienione. Pozostałe sesje zostały wylogowane.",
        "Heslo změněno. Ostatní relace byly odhlášeny.",
    ),
    // Surveys and the builder.
    ("surveys_title", "Surveys", "Ankiety", "Dotazníky"),
    ("builder_title", "Survey", "Ankieta", "Dotazník"),
    (
        "no_surveys",
        "No surveys yet.",
        "Nie ma jeszcze ankiet.",
        "Zatím žádné dotazníky.",
    ),
    ("new_survey", "New survey", "Nowa ankieta", "Nový dotazník"),
    ("survey_name", "Title", "Tytuł", "Název"),
    (
        "touchpoint_hint",
        "Where in the journey it is asked, e.g. checkout or delivery.",
        "Gdzie na ścieżce klienta jest zadawana, np. checkout lub delivery.",
        "Kde na cestě zákazníka se ptá, např. checkout nebo delivery.",
    ),
    ("languages", "Languages", "Języki", "Jazyky"),
    ("create", "Create", "Utwórz", "Vytvořit"),
    (
        "import_json",
        "Import a definition",
        "Importuj definicję",
        "Importovat definici",
    ),
    (
        "definition_json",
        "Survey definition (JSON)",
        "Definicja ankiety (JSON)",
        "Definice dotazníku (JSON)",
    ),
    ("import", "Import", "Importuj", "Importovat"),
    ("updated", "Changed", "Zmieniono", "Změněno"),
    ("status_draft", "Draft", "Szkic", "Koncept"),
    (
        "status_published",
        "Published",
        "Opublikowana",
        "Zveřejněný",
    ),
    ("status_closed", "Closed", "Zamknięta", "Uzavřený"),
    ("preview", "Preview", "Podgląd", "Náhled"),
    (
        "export_json",
        "Download the definition (JSON)",
        "Pobierz definicję (JSON)",
        "Stáhnout definici (JSON)",
    ),
    (
        "qr_code",
        "Download the QR code",
        "Pobierz kod QR",
        "Stáhnout QR kód",
    ),
    (
        "link",
        "Link for respondents",
        "Link dla respondentów",
        "Odkaz pro respondenty",
    ),
    ("settings", "Settings", "Ustawienia", "Nastavení"),
    ("questions", "Questions", "Pytania", "Otázky"),
    (
        "question_id",
        "Question id",
        "Identyfikator pytania",
        "Identifikátor otázky",
    ),
    ("required", "Required", "Wymagane", "Povinná"),
    ("optional", "(optional)", "(opcjonalne)", "(nepovinné)"),
    ("scale_min", "Scale from", "Skala od", "Škála od"),
    ("scale_max", "Scale to", "Skala do", "Škála do"),
    (
        "list_options",
        "Options, one per line",
        "Opcje, jedna w wierszu",
        "Možnosti, jedna na řádek",
    ),
    (
        "list_rows",
        "Rows, one per line",
        "Wiersze, jeden w wierszu",
        "Řádky, jeden na řádek",
    ),
    (
        "list_hint",
        "Write: id | {0}",
        "Wpisz: id | {0}",
        "Pište: id | {0}",
    ),
    ("contact_fields", "Ask for", "Pytaj o", "Ptát se na"),
    ("phone", "Phone", "Telefon", "Telefon"),
    (
        "field_min_label",
        "Label of the lowest score",
        "Opis najniższej oceny",
        "Popis nejnižšího hodnocení",
    ),
    (
        "field_max_label",
        "Label of the highest score",
        "Opis najwyższej oceny",
        "Popis nejvyššího hodnocení",
    ),
    (
        "field_other",
        "Label of the \"other\" answer",
        "Etykieta odpowiedzi \"inne\"",
        "Popisek odpovědi \"jiné\"",
    ),
    (
        "field_functional",
        "If the feature is there",
        "Gdy funkcja jest",
        "Když funkce je",
    ),
    (
        "field_dysfunctional",
        "If the feature is missing",
        "Gdy funkcji brak",
        "Když funkce chybí",
    ),
    (
        "field_consent",
        "Consent text",
        "Treść zgody",
        "Text souhlasu",
    ),
    (
        "show_if",
        "Skip logic: show only if…",
        "Logika: pokaż tylko, gdy…",
        "Logika: zobrazit jen když…",
    ),
    (
        "show_if_question",
        "Answer to",
        "Odpowiedź na",
        "Odpověď na",
    ),
    ("show_if_op", "Is", "Jest", "Je"),
    (
        "show_if_value",
        "Value (for \"one of\": a, b)",
        "Wartość (dla \"jedno z\": a, b)",
        "Hodnota (pro \"jedno z\": a, b)",
    ),
    ("always", "Always show", "Zawsze pokazuj", "Vždy zobrazit"),
    ("op_eq", "equal to", "równa", "rovna"),
    ("op_ne", "not equal to", "różna od", "různá od"),
    ("op_lt", "less than", "mniejsza niż", "menší než"),
    ("op_lte", "at most", "co najwyżej", "nejvýše"),
    ("op_gt", "greater than", "większa niż", "větší než"),
    ("op_gte", "at least", "co najmniej", "nejméně"),
    ("op_in", "one of", "jedną z", "jedna z"),
    ("move_up", "Up", "W górę", "Nahoru"),
    ("move_down", "Down", "W dół", "Dolů"),
    ("delete", "Remove", "Usuń", "Odebrat"),
    (
        "add_question",
        "Add a question",
        "Dodaj pytanie",
        "Přidat otázku",
    ),
    (
        "publish",
        "Save and publish",
        "Zapisz i opublikuj",
        "Uložit a zveřejnit",
    ),
    (
        "close_survey",
        "Save and close",
        "Zapisz i zamknij",
        "Uložit a uzavřít",
    ),
    ("notice_saved", "Saved.", "Zapisano.", "Uloženo."),
    (
        "notice_published",
        "Published: respondents can answer at the link below.",
        "Opublikowano: respondenci mogą odpowiadać pod linkiem poniżej.",
        "Zveřejněno: respondenti mohou odpovídat na odkazu níže.",
    ),
    (
        "notice_closed",
        "Closed: no more responses are taken.",
        "Zamknięto: nowe odpowiedzi nie są przyjmowane.",
        "Uzavřeno: další odpovědi se nepřijímají.",
    ),
    (
        "notice_unsaved",
        "Changes not saved yet.",
        "Zmiany nie są jeszcze zapisane.",
        "Změny ještě nejsou uloženy.",
    ),
    ("type_nps", "NPS (0–10)", "NPS (0–10)", "NPS (0–10)"),
    ("type_csat", "CSAT (1–5)", "CSAT (1–5)", "CSAT (1–5)"),
    ("type_ces", "CES (1–7)", "CES (1–7)", "CES (1–7)"),
    ("type_rating", "Rating", "Ocena", "Hodnocení"),
    (
        "type_single_choice",
        "Single choice",
        "Jednokrotny wybór",
        "Jedna možnost",
    ),
    (
        "type_multiple_choice",
        "Multiple choice",
        "Wielokrotny wybór",
        "Více možností",
    ),
    (
        "type_open_text",
        "Open text",
        "Odpowiedź otwarta",
        "Otevřená odpověď",
    ),
    ("type_matrix", "Matrix", "Macierz", "Matice"),
    ("type_ranking", "Ranking", "Ranking", "Pořadí"),
    (
        "type_kano",
        "Kano (feature)",
        "Kano (funkcja)",
        "Kano (funkce)",
    ),
    (
        "type_contact",
        "Contact details",
        "Dane kontaktowe",
        "Kontaktní údaje",
    ),
    // The responses inbox.
    ("inbox_title", "Responses", "Odpowiedzi", "Odpovědi"),
    (
        "search",
        "Search in open answers",
        "Szukaj w odpowiedziach otwartych",
        "Hledat v otevřených odpovědích",
    ),
    ("status", "Status", "Status", "Stav"),
    ("status_completed", "Completed", "Ukończone", "Dokončené"),
    ("status_partial", "Partial", "Częściowe", "Částečné"),
    ("since", "Since", "Od", "Od"),
    ("until", "Until", "Do", "Do"),
    (
        "export_csv",
        "Export these responses (CSV)",
        "Eksportuj te odpowiedzi (CSV)",
        "Exportovat tyto odpovědi (CSV)",
    ),
    (
        "older",
        "Older responses",
        "Starsze odpowiedzi",
        "Starší odpovědi",
    ),
    (
        "no_matches",
        "No responses match these filters.",
        "Żadna odpowiedź nie pasuje do filtrów.",
        "Filtrům neodpovídá žádná odpověď.",
    ),
    (
        "scanned_note",
        "Responses searched: {0} (the newest that match the filters).",
        "Przeszukane odpowiedzi: {0} (najnowsze pasujące do filtrów).",
        "Prohledané odpovědi: {0} (nejnovější, které odpovídají filtrům).",
    ),
    ("date", "Date", "Data", "Datum"),
    ("scores", "Scores", "Oceny", "Hodnocení"),
    (
        "open_answers",
        "Open answers",
        "Odpowiedzi otwarte",
        "Otevřené odpovědi",
    ),
    ("contact", "Contact", "Kontakt", "Kontakt"),
    ("open", "Open", "Otwórz", "Otevřít"),
    ("response_title", "Response", "Odpowiedź", "Odpověď"),
    ("answers", "Answers", "Odpowiedzi", "Odpovědi"),
    ("question", "Question", "Pytanie", "Otázka"),
    ("answer", "Answer", "Odpowiedź", "Odpověď"),
    (
        "no_contact",
        "Not linked to a contact.",
        "Nie powiązano z kontaktem.",
        "Nepropojeno s kontaktem.",
    ),
    (
        "in_journey",
        "In the customer journey",
        "Na ścieżce klienta",
        "Na cestě zákazníka",
    ),
    (
        "not_in_journey",
        "No journey takes surveys of this touchpoint.",
        "Żadna ścieżka nie obejmuje ankiet tego punktu styku.",
        "Žádná cesta nezahrnuje dotazníky tohoto kontaktního bodu.",
    ),
    (
        "moment_of_truth",
        "Moment of truth",
        "Moment prawdy",
        "Rozhodující okamžik",
    ),
    (
        "back_to_inbox",
        "Back to responses",
        "Wróć do odpowiedzi",
        "Zpět na odpovědi",
    ),
    ("stage", "Stage", "Etap", "Fáze"),
    ("journey", "Journey", "Ścieżka", "Cesta"),
    // Overview.
    ("overview_title", "Overview", "Przegląd", "Přehled"),
    ("filters", "Filters", "Filtry", "Filtry"),
    ("period_from", "From", "Od", "Od"),
    ("period_to", "To", "Do", "Do"),
    ("all", "All", "Wszystkie", "Vše"),
    ("survey", "Survey", "Ankieta", "Dotazník"),
    ("touchpoint", "Touchpoint", "Punkt styku", "Kontaktní bod"),
    ("channel", "Channel", "Kanał", "Kanál"),
    ("segment", "Segment", "Segment", "Segment"),
    (
        "locale",
        "Language of the answer",
        "Język odpowiedzi",
        "Jazyk odpovědi",
    ),
    ("nps", "NPS", "NPS", "NPS"),
    ("csat", "CSAT", "CSAT", "CSAT"),
    ("ces", "CES", "CES", "CES"),
    (
        "nps_long",
        "Net Promoter Score",
        "Net Promoter Score",
        "Net Promoter Score",
    ),
    (
        "csat_long",
        "Satisfied customers (4–5 of 5)",
        "Zadowoleni klienci (4–5 z 5)",
        "Spokojení zákazníci (4–5 z 5)",
    ),
    (
        "ces_long",
        "Customer effort (1–7, higher is easier)",
        "Wysiłek klienta (1–7, więcej = łatwiej)",
        "Úsilí zákazníka (1–7, více = snazší)",
    ),
    (
        "responses_n",
        "Responses: {0}",
        "Odpowiedzi: {0}",
        "Odpovědí: {0}",
    ),
    (
        "interval",
        "95% interval {0} to {1}",
        "Przedział 95%: od {0} do {1}",
        "95% interval: {0} až {1}",
    ),
    ("interval_short", "Interval", "Przedział", "Interval"),
    (
        "no_data",
        "No responses in this period.",
        "Brak odpowiedzi w tym okresie.",
        "V tomto období žádné odpovědi.",
    ),
    (
        "small_sample",
        "Small sample: fewer than {0} responses. Read with care.",
        "Mała próba: mniej niż {0} odpowiedzi. Interpretuj ostrożnie.",
        "Malý vzorek: méně než {0} odpovědí. Vykládejte opatrně.",
    ),
    (
        "change_vs_previous",
        "Change against the previous period",
        "Zmiana względem poprzedniego okresu",
        "Změna oproti předchozímu období",
    ),
    ("verdict_better", "Better", "Lepiej", "Lépe"),
    ("verdict_worse", "Worse", "Gorzej", "Hůře"),
    (
        "verdict_no_significant_change",
        "No significant change",
        "Brak istotnej zmiany",
        "Žádná významná změna",
    ),
    (
        "verdict_not_enough_data",
        "Not enough data to tell",
        "Za mało danych, by ocenić",
        "Málo dat pro posouzení",
    ),
    ("p_value", "p = {0}", "p = {0}", "p = {0}"),
    (
        "trend",
        "Trend by week",
        "Trend tygodniowy",
        "Týdenní vývoj",
    ),
    (
        "trend_table",
        "The trend as a table",
        "Trend w formie tabeli",
        "Vývoj v tabulce",
    ),
    ("week_of", "Week of", "Tydzień od", "Týden od"),
    ("value", "Value", "Wartość", "Hodnota"),
    (
        "breakdown",
        "By touchpoint and channel",
        "Według punktu styku i kanału",
        "Podle kontaktního bodu a kanálu",
    ),
    ("detractors", "Detractors", "Krytycy", "Kritici"),
    ("promoters", "Promoters", "Promotorzy", "Propagátoři"),
];

/// The text of `key` in `lang`, if the key exists.
pub fn text(lang: Lang, key: &str) -> Option<&'static str> {
    TEXTS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, en, pl, cs)| match lang {
            Lang::En => *en,
            Lang::Pl => *pl,
            Lang::Cs => *cs,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_texts_present() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, ..)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key appears twice");
        for (k, en, pl, cs) in TEXTS {
            assert!(
                !en.is_empty() && !pl.is_empty() && !cs.is_empty(),
                "{k} lacks a text"
            );
            let args = |s: &str| (s.contains("{0}"), s.contains("{1}"));
            assert_eq!(args(en), args(pl), "{k}: pl takes other arguments");
            assert_eq!(args(en), args(cs), "{k}: cs takes other arguments");
        }
        assert_eq!(text(Lang::Cs, "sign_in"), Some("Přihlásit se"));
        assert_eq!(text(Lang::Pl, "nope"), None);
    }
}
