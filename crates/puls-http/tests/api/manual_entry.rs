//! Feedback recorded by hand in the web app (`/app/w/{slug}/responses/new`): a phone call
//! from a new customer, a store visit of a known one picked on their profile, a refused
//! form told in Polish at its fields with what was typed kept, one response for a form
//! sent twice, every question type through the form, and the roles that may not; a
//! customer known only by their phone number; an answer the survey's logic does not ask
//! given the others, refused with the answer that makes it so.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::console::{Browser, hidden, signed_in, user_in, visible};
use crate::fixtures::{all_types_answers, all_types_survey, nps_survey};
use crate::helpers::{TestApp, json_of};

const NEW: &str = "/app/w/acme/responses/new";

/// An agent whose web app speaks Polish, signed in, and their user id.
async fn polish_agent(app: &TestApp) -> (Browser, String) {
    let id = user_in(
        app,
        "agent@acme.pl",
        "agent password 1",
        Some("agent"),
        "pl",
    )
    .await;
    (
        signed_in(app, "agent@acme.pl", "agent password 1").await,
        id,
    )
}

/// The form's hidden fields with `fields` after them.
fn form<'a>(page: &str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let mut f: Vec<(&str, String)> = ["_csrf", "survey", "locale", "key"]
        .into_iter()
        .map(|k| (k, hidden(page, k)))
        .collect();
    f.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    f
}

fn refs<'a>(f: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The response id a redirect after recording names.
fn recorded_id(to: Option<&str>) -> String {
    let to = to.expect("a redirect");
    let rest = to
        .strip_prefix("/app/w/acme/responses/")
        .unwrap_or_else(|| panic!("{to}"));
    let (id, query) = rest.split_once('?').unwrap();
    assert_eq!(query, "notice=recorded");
    id.to_string()
}

/// The element with `id` in `html`, up to its end tag (`tag`).
fn element<'h>(html: &'h str, id: &str, tag: &str) -> &'h str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at
        + html[at..]
            .find(&format!("</{tag}>"))
            .unwrap_or(html.len() - at);
    &html[start..end]
}

async fn responses(app: &TestApp) -> Vec<Value> {
    app.all_responses("").await
}

both_backends!(an_agent_records_feedback_by_phone_and_in_a_store);
async fn an_agent_records_feedback_by_phone_and_in_a_store(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let (mut agent, agent_id) = polish_agent(&app).await;

    // The inbox leads there; with one published survey the form comes at once.
    let (_, inbox, _) = agent.get(&app, "/app/w/acme/responses").await;
    assert!(inbox.contains(&format!("href=\"{NEW}\"")), "{inbox}");
    let (status, page, _) = agent.get(&app, NEW).await;
    assert_eq!(status, StatusCode::OK);
    let text = visible(&page);
    assert!(
        text.contains("Zapisz opinię") && text.contains("Przez telefon"),
        "{text}"
    );
    assert_eq!(hidden(&page, "survey"), survey);
    assert!(page.contains("name=\"nps.a\"") && page.contains("name=\"comment.a\""));
    assert!(page.contains("<legend><span class=\"qt\">How likely are you to recommend us"));

    // 1. A phone call from a customer Puls does not know yet.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("name", "Anna Nowak"),
            ("email", "Anna@Sklep.pl"),
            ("phone", "+48 600 100 200"),
            ("nps.a", "3"),
            ("comment.a", "Kurier się spóźnił."),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let phoned = recorded_id(to.as_deref());
    let (status, page, _) = agent
        .get(
            &app,
            &format!("/app/w/acme/responses/{phoned}?notice=recorded"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = visible(&page);
    assert!(text.contains("Opinia zapisana."), "{text}");
    assert!(
        text.contains("Zapisał(a) Eva Svobodová podczas rozmowy telefonicznej"),
        "{text}"
    );
    assert!(text.contains("Anna Nowak") && text.contains("Kurier się spóźnił."));
    let r = app.response(&phoned).await;
    assert_eq!(r["channel"], "phone");
    assert_eq!(r["status"], "completed");
    assert_eq!(
        r["answers"],
        json!({ "nps": 3, "comment": "Kurier się spóźnił." })
    );
    assert_eq!(r["contact"]["email"], "anna@sklep.pl");
    assert_eq!(r["attributes"]["recorded_by"], agent_id.as_str());
    assert_eq!(r["attributes"]["recorded_by_name"], "Eva Svobodová");
    assert!(r["attributes"].get("store").is_none(), "{r}");
    let anna = &app.get_json("/api/v1/contacts?email=anna@sklep.pl").await["items"][0];
    assert_eq!(anna["name"], "Anna Nowak", "{anna}");
    assert_eq!(anna["phone"], "+48600100200", "{anna}");

    // 2. A known customer, picked on their profile, in a store.
    let created = app
        .request(reqwest::Method::POST, "/api/v1/contacts")
        .json(&json!({ "external_id": "K-7", "name": "Jan Kowalski", "email": "jan@sklep.pl" }))
        .send()
        .await
        .unwrap();
    let (status, jan) = json_of(created).await;
    assert!(status.is_success(), "{jan}");
    let jan_id = jan["id"].as_str().unwrap().to_string();
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{jan_id}"))
        .await;
    let link = format!("{NEW}?contact={jan_id}");
    assert!(profile.contains(&format!("href=\"{link}\"")), "{profile}");
    assert!(visible(&profile).contains("Zapisz opinię tego klienta"));
    let (status, page, _) = agent.get(&app, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hidden(&page, "contact"), jan_id);
    assert!(visible(&page).contains("Jan Kowalski"));
    let f = form(
        &page,
        &[
            ("contact", &jan_id),
            ("channel", "store"),
            ("store", "WAW-01"),
            ("nps.a", "9"),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let visited = recorded_id(to.as_deref());
    let (_, page, _) = agent
        .get(&app, &format!("/app/w/acme/responses/{visited}"))
        .await;
    let text = visible(&page);
    assert!(
        text.contains("Zapisał(a) Eva Svobodová w sklepie WAW-01"),
        "{text}"
    );
    let r = app.response(&visited).await;
    assert_eq!(r["channel"], "store");
    assert_eq!(r["answers"], json!({ "nps": 9 }));
    assert_eq!(r["attributes"]["store"], "WAW-01");
    assert_eq!(r["attributes"]["recorded_by"], agent_id.as_str());
    assert_eq!(
        r["contact"],
        json!({ "external_id": "K-7", "email": "jan@sklep.pl" })
    );
    // On the customer's timeline.
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{jan_id}"))
        .await;
    assert!(profile.contains(&visited), "{}", visible(&profile));

    // 3. Refused: no score, a store id with a space, a bad e-mail; told in Polish at each
    // field, what was typed kept, nothing stored and no contact made.
    let (_, page, _) = agent.get(&app, NEW).await;
    let f = form(
        &page,
        &[
            ("channel", "store"),
            ("store", "WAW 01"),
            ("name", "Ewa Nowa"),
            ("email", "ewa@"),
            ("comment.a", "Miła obsługa, \"ale\" <długo>"),
        ],
    );
    let (status, page, _) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let store = element(&page, "r-store", "div");
    assert!(store.contains("value=\"WAW 01\""), "{store}");
    assert!(
        store.contains("aria-describedby=\"r-store-hint r-store-error\"")
            && store.contains("aria-invalid=\"true\""),
        "{store}"
    );
    assert!(
        element(&page, "r-store-error", "p")
            .contains("Użyj tylko liter, cyfr, - i _ (najwyżej 64), bez spacji."),
        "{page}"
    );
    let nps = element(&page, "q0-e-q", "div");
    assert!(nps.contains("Odpowiedz na to pytanie."), "{nps}");
    assert!(page.contains("aria-describedby=\"q0-e-q\""), "{page}");
    assert!(
        element(&page, "r-email-error", "p").contains("adres"),
        "the e-mail's problem in Polish: {page}"
    );
    assert!(page.contains("value=\"ewa@\"") && page.contains("value=\"Ewa Nowa\""));
    assert!(
        page.contains("Miła obsługa, &quot;ale&quot; &lt;długo&gt;</textarea>"),
        "{page}"
    );
    assert!(page.contains("name=\"channel\" value=\"store\" checked"));
    assert!(visible(&page).contains("Popraw następujące pola"));
    assert!(page.contains("href=\"#r-store\"") && page.contains("href=\"#q0-a0\""));
    assert_eq!(responses(&app).await.len(), 2);
    let none = app.get_json("/api/v1/contacts?limit=100").await;
    assert!(!none.to_string().contains("Ewa Nowa"), "{none}");

    // A customer needs an e-mail, a customer ID or a phone number to hold the response.
    let f = form(
        &page,
        &[("channel", "phone"), ("name", "Ktoś"), ("nps.a", "7")],
    );
    let (status, page, _) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element(&page, "r-contact-error", "p")
            .contains("Podaj e-mail, ID klienta lub numer telefonu, aby powiązać z nim opinię."),
        "{page}"
    );
    assert!(page.contains("checked") && page.contains("value=\"Ktoś\""));
    assert!(
        element(&page, "r-phone", "div")
            .contains("aria-describedby=\"r-contact-hint r-contact-error\" aria-invalid=\"true\""),
        "{page}"
    );

    // 4. The same form sent twice is one response.
    let (_, page, _) = agent.get(&app, NEW).await;
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("email", "anna@sklep.pl"),
            ("nps.a", "10"),
        ],
    );
    let (_, _, first) = agent.post(&app, NEW, &refs(&f)).await;
    let (_, _, again) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(recorded_id(first.as_deref()), recorded_id(again.as_deref()));
    assert_eq!(responses(&app).await.len(), 3);
    // Anna's name stayed as it was: the form did not give one.
    let anna = app.get_json("/api/v1/contacts?email=anna@sklep.pl").await;
    assert_eq!(anna["items"][0]["name"], "Anna Nowak", "{anna}");

    // A store's link or kiosk, not recorded by hand: its page names the store alone.
    let kiosk = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "nps": 5 }, "channel": "store",
                     "attributes": { "store": "KRK-2" } }),
        )
        .await;
    let (_, page, _) = agent
        .get(
            &app,
            &format!("/app/w/acme/responses/{}", kiosk["id"].as_str().unwrap()),
        )
        .await;
    let text = visible(&page);
    assert!(
        text.contains("Sklep KRK-2") && !text.contains("Zapisał"),
        "{text}"
    );

    // 5. A viewer may not, nor may anyone with a forged form.
    user_in(
        &app,
        "viewer@acme.pl",
        "viewer password 1",
        Some("viewer"),
        "pl",
    )
    .await;
    let mut viewer = signed_in(&app, "viewer@acme.pl", "viewer password 1").await;
    let (status, _, _) = viewer.get(&app, NEW).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = viewer.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut forged = f.clone();
    forged[0].1 = "forged".into();
    forged[3].1 = "another-key".into();
    let (status, _, _) = agent.post(&app, NEW, &refs(&forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(responses(&app).await.len(), 4);
}

both_backends!(every_question_type_is_recorded_through_the_form);
async fn every_question_type_is_recorded_through_the_form(app: TestApp) {
    let survey = app.published_survey(&all_types_survey()).await;
    app.published_survey(&nps_survey()).await;
    user_in(
        &app,
        "analyst@acme.cz",
        "analyst password 1",
        Some("analyst"),
        "cs",
    )
    .await;
    let mut analyst = signed_in(&app, "analyst@acme.cz", "analyst password 1").await;

    // Two published surveys: the survey is chosen first (the survey list links here too).
    let (status, page, _) = analyst.get(&app, NEW).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"r-survey\"") && !page.contains("name=\"nps.a\""));
    let (_, list, _) = analyst.get(&app, "/app/w/acme/surveys").await;
    assert!(list.contains(&format!("{NEW}?survey={survey}")), "{list}");
    // The questions in the user's language, Czech, with the survey's other one offered.
    let (_, page, _) = analyst.get(&app, &format!("{NEW}?survey={survey}")).await;
    assert_eq!(hidden(&page, "locale"), "cs");
    let text = visible(&page);
    assert!(
        text.contains("Doporučili byste nás?") && text.contains("Otázky v jazyce"),
        "{text}"
    );
    assert!(page.contains("autocomplete=\"off\""));
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("external_id", "C-42"),
            ("name", "Jana Nováková"),
            ("nps.a", "9"),
            ("csat.a", "4"),
            ("ces.a", "2"),
            ("stars.a", "7"),
            ("payment.a", "transfer"),
            ("liked.a", "speed"),
            ("liked.a", "packaging"),
            ("liked.other", "Friendly driver"),
            (
                "comment.a",
                "Fast, but the box was \"slightly\" dented, sadly.\r\nStill happy.",
            ),
            ("aspects.a.website", "5"),
            ("aspects.a.delivery", "3"),
            ("priorities.a.quality", "1"),
            ("priorities.a.price", "2"),
            ("priorities.a.speed", "3"),
            ("tracking.functional", "like"),
            ("tracking.dysfunctional", "dislike"),
            ("reach.email", "jana@example.com"),
            ("reach.phone", "+420 601 234 567"),
            ("reach.consent", "1"),
        ],
    );
    let (status, page, to) = analyst.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id = recorded_id(to.as_deref());
    let r = app.response(&id).await;
    assert_eq!(r["answers"], all_types_answers());
    assert_eq!(r["locale"], "cs");
    assert_eq!(
        r["contact"],
        json!({ "external_id": "C-42", "email": null })
    );
    let (_, page, _) = analyst
        .get(&app, &format!("/app/w/acme/responses/{id}"))
        .await;
    assert!(
        visible(&page).contains("Zaznamenal(a) Eva Svobodová během telefonátu"),
        "{page}"
    );
}

/// The live contacts with this phone number (as stored).
async fn with_phone(app: &TestApp, phone: &str) -> Vec<Value> {
    let list = app.get_json("/api/v1/contacts?limit=100").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["phone"] == phone)
        .cloned()
        .collect()
}

both_backends!(a_customer_known_only_by_phone_is_found_or_made_by_their_number);
async fn a_customer_known_only_by_phone_is_found_or_made_by_their_number(app: TestApp) {
    app.published_survey(&nps_survey()).await;
    let (mut agent, _) = polish_agent(&app).await;
    let (_, page, _) = agent.get(&app, NEW).await;
    assert!(
        visible(&page).contains("Wpisz e-mail, ID klienta lub numer telefonu."),
        "{page}"
    );

    // 1. A new customer by a phone number alone, normalised as the contacts API does.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("name", "Jan Nowak"),
            ("phone", "+48 600 100 300"),
            ("nps.a", "4"),
            ("comment.a", "Za drogo."),
        ],
    );
    let (status, page, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let first = recorded_id(to.as_deref());
    let jan = with_phone(&app, "+48600100300").await;
    assert_eq!(jan.len(), 1, "{jan:?}");
    assert_eq!(jan[0]["name"], "Jan Nowak");
    assert!(jan[0]["email"].is_null() && jan[0]["external_id"].is_null());
    let jan_id = jan[0]["id"].as_str().unwrap().to_string();
    let r = app.response(&first).await;
    assert_eq!(r["channel"], "phone");
    assert_eq!(r["answers"], json!({ "nps": 4, "comment": "Za drogo." }));
    // Tied to him: on the response's page and his profile.
    let (_, page, _) = agent
        .get(&app, &format!("/app/w/acme/responses/{first}"))
        .await;
    let text = visible(&page);
    assert!(
        text.contains("Jan Nowak") && text.contains("+48600100300"),
        "{text}"
    );
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{jan_id}"))
        .await;
    assert!(profile.contains(&first), "{}", visible(&profile));

    // 2. He calls again, the number typed otherwise: the same customer.
    let (_, page, _) = agent.get(&app, NEW).await;
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("phone", "600-100-300"),
            ("nps.a", "8"),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Without the country code it is another number: a customer of its own.
    let other = recorded_id(to.as_deref());
    assert_eq!(with_phone(&app, "600100300").await.len(), 1);
    let (_, page, _) = agent.get(&app, NEW).await;
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("phone", "+48 (600) 100-300"),
            ("nps.a", "9"),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = recorded_id(to.as_deref());
    // Sent twice: one response.
    let (_, _, again) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(recorded_id(again.as_deref()), second);
    let jan = with_phone(&app, "+48600100300").await;
    assert_eq!(jan.len(), 1, "{jan:?}");
    assert_eq!(jan[0]["name"], "Jan Nowak", "the name stays: {jan:?}");
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{jan_id}"))
        .await;
    assert!(
        profile.contains(&first) && profile.contains(&second) && !profile.contains(&other),
        "{}",
        visible(&profile)
    );
    // Picked on his profile: his, too.
    let (_, page, _) = agent.get(&app, &format!("{NEW}?contact={jan_id}")).await;
    let f = form(
        &page,
        &[("contact", &jan_id), ("channel", "phone"), ("nps.a", "10")],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let picked = recorded_id(to.as_deref());
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{jan_id}"))
        .await;
    assert!(profile.contains(&picked), "{}", visible(&profile));
    assert_eq!(responses(&app).await.len(), 4);

    // 3. Two customers share a number: the number alone does not say which.
    for email in ["ala@sklep.pl", "ola@sklep.pl"] {
        let created = app
            .request(reqwest::Method::POST, "/api/v1/contacts")
            .json(&json!({ "email": email, "phone": "+48 600 100 400" }))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success());
    }
    let (_, page, _) = agent.get(&app, NEW).await;
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("phone", "+48 600 100 400"),
            ("nps.a", "5"),
        ],
    );
    let (status, page, _) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element(&page, "r-phone-error", "p").contains(
            "Ten numer telefonu ma kilku klientów: podaj też e-mail lub ID klienta albo zapisz opinię z jego profilu."
        ),
        "{page}"
    );
    assert!(page.contains("href=\"#r-phone\""), "{page}");
    assert_eq!(responses(&app).await.len(), 4);
    // With the e-mail too, it is hers.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("phone", "+48 600 100 400"),
            ("email", "ola@sklep.pl"),
            ("nps.a", "5"),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = app.response(&recorded_id(to.as_deref())).await;
    assert_eq!(r["contact"]["email"], "ola@sklep.pl");
}

/// "Why?" is asked of detractors only: an answer to it is judged with the score given on
/// the same form, whatever order the agent typed them in.
fn why_survey() -> Value {
    json!({
        "title": { "en": "Delivery" },
        "locales": ["en"],
        "touchpoint": "delivery",
        "questions": [
            { "id": "nps", "type": "nps", "required": true,
              "text": { "en": "How likely are you to recommend us?" } },
            { "id": "why", "type": "open_text",
              "text": { "en": "What should we improve?" },
              "show_if": { "question": "nps", "op": "lte", "value": 6 } }
        ]
    })
}

both_backends!(an_answer_the_logic_does_not_ask_is_refused_with_the_answer_that_decides_it);
async fn an_answer_the_logic_does_not_ask_is_refused_with_the_answer_that_decides_it(app: TestApp) {
    app.published_survey(&why_survey()).await;
    let (mut agent, _) = polish_agent(&app).await;
    let (_, page, _) = agent.get(&app, NEW).await;

    // The comment first, then a promoter's score: the comment is not asked, and the page
    // says which answer makes it so; everything typed stays, nothing is stored.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("email", "ewa@sklep.pl"),
            ("why.a", "Kurier się spóźnił."),
            ("nps.a", "9"),
        ],
    );
    let (status, page, _) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = element(&page, "q1-e-q", "div");
    assert!(
        why.contains(
            "Przy odpowiedzi 9 na pytanie „How likely are you to recommend us?” ankieta nie \
             zadaje tego pytania: zmień tamtą odpowiedź albo zostaw to pytanie puste."
        ),
        "{why}"
    );
    assert!(
        visible(&page).contains("What should we improve? – Przy odpowiedzi 9"),
        "in the summary, after the question: {}",
        visible(&page)
    );
    assert!(page.contains("href=\"#q1-a\""), "{page}");
    assert!(page.contains(">Kurier się spóźnił.</textarea>"), "{page}");
    assert!(page.contains("value=\"9\" checked"), "{page}");
    assert!(responses(&app).await.is_empty());

    // The comment without the score: the score is asked for, and the comment waits on it.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("email", "ewa@sklep.pl"),
            ("why.a", "Kurier się spóźnił."),
        ],
    );
    let (status, page, _) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element(&page, "q0-e-q", "div").contains("Odpowiedz na to pytanie."),
        "{page}"
    );
    assert!(
        element(&page, "q1-e-q", "div").contains(
            "Przy braku odpowiedzi na pytanie „How likely are you to recommend us?” ankieta \
             nie zadaje tego pytania: najpierw odpowiedz na tamto pytanie albo zostaw to puste."
        ),
        "{page}"
    );
    assert!(responses(&app).await.is_empty());

    // With the detractor's score the customer gave, both are stored.
    let f = form(
        &page,
        &[
            ("channel", "phone"),
            ("email", "ewa@sklep.pl"),
            ("why.a", "Kurier się spóźnił."),
            ("nps.a", "3"),
        ],
    );
    let (status, _, to) = agent.post(&app, NEW, &refs(&f)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = app.response(&recorded_id(to.as_deref())).await;
    assert_eq!(
        r["answers"],
        json!({ "nps": 3, "why": "Kurier się spóźnił." })
    );
}
