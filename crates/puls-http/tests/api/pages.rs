//! Hosted survey pages, used as a browser without JavaScript would: GET a page, post its
//! form (hidden fields plus the answer), follow the 303 by hand.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::{all_types_survey, nps_survey};
use crate::helpers::{TestApp, expect_error, hidden_fields, html_lang};

const CZECH_BROWSER: &str = "cs-CZ,cs;q=0.9,en;q=0.8";

/// A page's status and HTML.
async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut req = app.anonymous(Method::GET, path);
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let resp = req.send().await.expect("GET page");
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_string());
    let body = resp.text().await.expect("page body");
    assert!(
        ct.is_some_and(|c| c.starts_with("text/html")),
        "{path} is not HTML: {body}"
    );
    (status, body)
}

/// Posts a form: the page's hidden fields plus `fields`, as a browser would.
async fn post(
    app: &TestApp,
    survey: &str,
    hidden: &[(String, String)],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = hidden.to_vec();
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    app.anonymous(Method::POST, &format!("/s/{survey}"))
        .form(&form)
        .send()
        .await
        .expect("POST form")
}

/// The target of a 303.
fn see_other(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.url());
    resp.headers()["location"]
        .to_str()
        .expect("a Location")
        .to_string()
}

fn hidden<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

both_backends!(a_czech_respondent_answers_every_question_type_on_the_hosted_pages);
async fn a_czech_respondent_answers_every_question_type_on_the_hosted_pages(app: TestApp) {
    let survey = app.published_survey(&all_types_survey()).await;

    let (status, html) = page(&app, &format!("/s/{survey}"), Some(CZECH_BROWSER)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), Some("cs"));
    assert!(html.contains("Dotazník se vším"), "the Czech title");
    assert!(html.contains("Doporučili byste nás?"), "the Czech question");
    let fields = hidden_fields(&html);
    assert_eq!(hidden(&fields, "q"), Some("nps"));
    assert_eq!(hidden(&fields, "lang"), Some("cs"));
    assert_eq!(
        hidden(&fields, "rid"),
        None,
        "no response exists before the first answer"
    );

    // Wrong answers show the page again, with the error in Czech next to the field.
    let resp = post(&app, &survey, &fields, &[]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("body");
    assert!(html.contains("Odpovězte prosím na tuto otázku."), "{html}");
    let resp = post(&app, &survey, &fields, &[("a", "11")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("body");
    assert_eq!(html_lang(&html), Some("cs"));
    assert!(html.contains("Zvolte hodnotu od 0 do 10."), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(
        app.response_ids("").await.len(),
        0,
        "an invalid answer stores nothing"
    );

    let mut next = see_other(&post(&app, &survey, &fields, &[("a", "9")]).await);
    // Each step: the question the redirect must lead to, and the fields to post there.
    let steps: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("csat", vec![("a", "4")]),
        ("ces", vec![("a", "2")]),
        ("stars", vec![("a", "7")]),
        ("payment", vec![("a", "transfer")]),
        (
            "liked",
            vec![
                ("a", "speed"),
                ("a", "packaging"),
                ("other", "Přátelský řidič"),
            ],
        ),
        ("comment", vec![("a", "this is skipped"), ("skip", "1")]),
        ("aspects", vec![("a.website", "5"), ("a.delivery", "3")]),
        (
            "priorities",
            vec![("a.price", "2"), ("a.speed", "3"), ("a.quality", "1")],
        ),
        (
            "tracking",
            vec![("functional", "like"), ("dysfunctional", "dislike")],
        ),
    ];
    for (question, answer) in steps {
        assert!(
            next.starts_with(&format!("/s/{survey}?q={question}&")),
            "expected {question}: {next}"
        );
        let (status, html) = page(&app, &next, None).await;
        assert_eq!(status, StatusCode::OK, "{next}: {html}");
        assert_eq!(
            html_lang(&html),
            Some("cs"),
            "the language travels in the link"
        );
        let fields = hidden_fields(&html);
        assert_eq!(hidden(&fields, "q"), Some(question));
        assert!(
            hidden(&fields, "rid").is_some() && hidden(&fields, "rt").is_some(),
            "{fields:?}"
        );
        next = see_other(&post(&app, &survey, &fields, &answer).await);
    }

    assert!(next.starts_with(&format!("/s/{survey}?q=reach&")), "{next}");
    let (_, html) = page(&app, &next, None).await;
    let fields = hidden_fields(&html);
    let contact = [("email", "jana@example.com"), ("phone", "+420 601 234 567")];
    let resp = post(&app, &survey, &fields, &contact).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("body");
    assert!(
        html.contains("Chcete-li zanechat kontaktní údaje, zaškrtněte souhlas."),
        "{html}"
    );
    let mut with_consent = contact.to_vec();
    with_consent.push(("consent", "1"));
    let thanks = see_other(&post(&app, &survey, &fields, &with_consent).await);
    assert_eq!(thanks, format!("/s/{survey}/thanks?lang=cs"));
    let (status, html) = page(&app, &thanks, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), Some("cs"));
    assert!(html.contains("Děkujeme!"), "{html}");

    // The API sees one completed response, in Czech, with every answer.
    let responses = app.all_responses("").await;
    assert_eq!(responses.len(), 1);
    let r = &responses[0];
    assert_eq!(r["status"], "completed");
    assert_eq!(r["locale"], "cs");
    assert_eq!(r["channel"], "email", "the survey's channel");
    assert_eq!(
        r["answers"],
        json!({
            "nps": 9, "csat": 4, "ces": 2, "stars": 7, "payment": "transfer",
            "liked": { "selected": ["speed", "packaging"], "other": "Přátelský řidič" },
            "aspects": { "website": 5, "delivery": 3 },
            "priorities": ["quality", "price", "speed"],
            "tracking": { "functional": "like", "dysfunctional": "dislike" },
            "reach": { "email": "jana@example.com", "phone": "+420 601 234 567", "consent": true }
        })
    );

    // Posting the last form again (a double click on "Odeslat") cannot change the completed
    // response; the respondent is thanked again.
    let before = app.all_responses("").await;
    let mut changed = with_consent.clone();
    changed.retain(|(k, _)| *k != "email");
    changed.push(("email", "someone.else@example.com"));
    let again = see_other(&post(&app, &survey, &fields, &changed).await);
    assert!(again.starts_with(&format!("/s/{survey}/thanks")), "{again}");
    assert_eq!(app.all_responses("").await, before);
}

both_backends!(the_page_language_follows_accept_language_and_lang_overrides_it);
async fn the_page_language_follows_accept_language_and_lang_overrides_it(app: TestApp) {
    let survey = app.published_survey(&all_types_survey()).await;
    let path = format!("/s/{survey}");
    let cases = [
        (path.clone(), Some(CZECH_BROWSER), "cs"),
        (format!("{path}?lang=en"), Some(CZECH_BROWSER), "en"),
        (format!("{path}?lang=cs"), None, "cs"),
        (path.clone(), None, "en"),
        (path.clone(), Some("de-DE,de;q=0.9,cs;q=0.5"), "cs"),
        (path.clone(), Some("sk"), "en"),
        (format!("{path}?lang=xx"), Some("cs"), "cs"),
    ];
    for (path, accept, want) in cases {
        let (status, html) = page(&app, &path, accept).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(html_lang(&html), Some(want), "{path} with {accept:?}");
        assert_eq!(hidden(&hidden_fields(&html), "lang"), Some(want));
    }
    let (_, html) = page(&app, &format!("{path}?lang=en"), Some(CZECH_BROWSER)).await;
    assert!(html.contains("How likely are you to recommend us?"));
}

both_backends!(closed_draft_and_unknown_surveys_show_a_message_page);
async fn closed_draft_and_unknown_surveys_show_a_message_page(app: TestApp) {
    let closed = app.published_survey(&nps_survey()).await;
    app.close(&closed).await;
    let (status, html) = page(&app, &format!("/s/{closed}"), Some(CZECH_BROWSER)).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(html_lang(&html), Some("cs"));
    assert!(html.contains("Dotazník je uzavřen"), "{html}");
    let resp = post(&app, &closed, &[("q".into(), "nps".into())], &[("a", "9")]).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert_eq!(app.response_ids("").await.len(), 0);

    let draft = app.create_survey(&nps_survey()).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, html) = page(&app, &format!("/s/{draft}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Survey not found"), "{html}");
    let (status, html) = page(&app, "/s/nosuchsurvey", Some(CZECH_BROWSER)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Dotazník nebyl nalezen"), "{html}");
}

both_backends!(the_qr_code_is_an_svg_of_the_survey_link);
async fn the_qr_code_is_an_svg_of_the_survey_link(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    for query in ["", "?channel=store"] {
        let resp = app
            .anonymous(Method::GET, &format!("/s/{survey}/qr.svg{query}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "image/svg+xml");
        let svg = resp.text().await.expect("body");
        assert!(svg.contains("<svg"), "{svg}");
    }
    let resp = app
        .anonymous(Method::GET, &format!("/s/{survey}/qr.svg?channel=fax"))
        .send()
        .await
        .expect("GET");
    expect_error(resp, 400, "invalid_query").await;
    let resp = app
        .anonymous(Method::GET, "/s/nosuchsurvey/qr.svg")
        .send()
        .await
        .expect("GET");
    expect_error(resp, 404, "not_found").await;
}

both_backends!(a_visit_from_a_qr_code_keeps_its_channel_and_an_invitation_is_answered_once);
async fn a_visit_from_a_qr_code_keeps_its_channel_and_an_invitation_is_answered_once(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let (status, html) = page(&app, &format!("/s/{survey}?channel=store&inv=inv-42"), None).await;
    assert_eq!(status, StatusCode::OK);
    let fields = hidden_fields(&html);
    assert_eq!(hidden(&fields, "channel"), Some("store"));
    assert_eq!(hidden(&fields, "inv"), Some("inv-42"));

    let next = see_other(&post(&app, &survey, &fields, &[("a", "10")]).await);
    assert!(
        next.starts_with(&format!("/s/{survey}?q=comment&")),
        "{next}"
    );
    let (_, html) = page(&app, &next, None).await;
    let thanks = see_other(&post(&app, &survey, &hidden_fields(&html), &[("skip", "1")]).await);
    assert_eq!(thanks, format!("/s/{survey}/thanks?lang=en"));

    let responses = app.all_responses("").await;
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["channel"], "store");
    assert_eq!(responses[0]["invitation_token"], "inv-42");
    assert_eq!(responses[0]["answers"], json!({ "nps": 10 }));

    // The same invitation link opened again: its first answer is refused.
    let (_, html) = page(&app, &format!("/s/{survey}?channel=store&inv=inv-42"), None).await;
    let resp = post(&app, &survey, &hidden_fields(&html), &[("a", "2")]).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let html = resp.text().await.expect("body");
    assert!(
        html.contains("This survey has already been answered"),
        "{html}"
    );
    assert_eq!(app.response_ids("").await.len(), 1);
}

both_backends!(survey_texts_and_posted_answers_are_html_escaped_on_the_page);
async fn survey_texts_and_posted_answers_are_html_escaped_on_the_page(app: TestApp) {
    let survey = app
        .published_survey(&json!({
            "title": { "en": "<script>alert('title')</script>" },
            "locales": ["en"],
            "touchpoint": "checkout",
            "questions": [
                { "id": "note", "type": "open_text", "max_length": 10, "required": true,
                  "multiline": false, "text": { "en": "Say <b>hi</b> & \"bye\"" } }
            ]
        }))
        .await;
    let (status, html) = page(&app, &format!("/s/{survey}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert("), "{html}");
    assert!(!html.contains("<b>hi"), "{html}");
    assert!(html.contains("&lt;b&gt;hi"), "{html}");

    // Too long, so the page comes back with the posted text filled in, escaped.
    let posted = "\"><img src=x onerror=alert(1)>";
    let resp = post(&app, &survey, &hidden_fields(&html), &[("a", posted)]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("body");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;img src=x"), "{html}");
}

both_backends!(a_first_page_sent_twice_stores_one_response);
async fn a_first_page_sent_twice_stores_one_response(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let (_, html) = page(&app, &format!("/s/{survey}"), None).await;
    let fields = hidden_fields(&html);
    assert!(
        hidden(&fields, "k").is_some(),
        "the first page carries a nonce: {fields:?}"
    );
    // A double click: the same form, twice.
    let first = see_other(&post(&app, &survey, &fields, &[("a", "8")]).await);
    let second = see_other(&post(&app, &survey, &fields, &[("a", "8")]).await);
    assert_eq!(first, second, "both go on with the same response");
    assert_eq!(
        app.all_responses(&format!("survey={survey}")).await.len(),
        1
    );
    // Two respondents are two responses: each page load has its own nonce.
    let (_, other) = page(&app, &format!("/s/{survey}"), None).await;
    see_other(&post(&app, &survey, &hidden_fields(&other), &[("a", "3")]).await);
    assert_eq!(
        app.all_responses(&format!("survey={survey}")).await.len(),
        2
    );
}

both_backends!(a_later_page_sent_twice_goes_on_instead_of_showing_an_error);
async fn a_later_page_sent_twice_goes_on_instead_of_showing_an_error(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let (_, html) = page(&app, &format!("/s/{survey}"), None).await;
    let next = see_other(&post(&app, &survey, &hidden_fields(&html), &[("a", "9")]).await);
    let (_, html) = page(&app, &next, None).await;
    let fields = hidden_fields(&html);
    // Both sends read the same revision; whichever loses the race is sent on, not failed.
    let (a, b) = tokio::join!(
        post(&app, &survey, &fields, &[("a", "Quick delivery")]),
        post(&app, &survey, &fields, &[("a", "Quick delivery")]),
    );
    for resp in [&a, &b] {
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{:?}", resp.headers());
    }
    let stored = app.all_responses(&format!("survey={survey}")).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["answers"]["comment"], "Quick delivery");
}

both_backends!(a_response_id_without_its_token_is_not_taken_for_a_new_respondent);
async fn a_response_id_without_its_token_is_not_taken_for_a_new_respondent(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let (_, html) = page(&app, &format!("/s/{survey}"), None).await;
    let next = see_other(&post(&app, &survey, &hidden_fields(&html), &[("a", "9")]).await);
    let (_, html) = page(&app, &next, None).await;
    let without_token: Vec<(String, String)> = hidden_fields(&html)
        .into_iter()
        .filter(|(k, _)| k != "rt")
        .collect();
    let resp = post(&app, &survey, &without_token, &[("a", "orphan")]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.all_responses(&format!("survey={survey}")).await.len(),
        1
    );
}

both_backends!(a_page_link_keeps_working_with_campaign_tags_and_a_broken_one_is_a_page);
async fn a_page_link_keeps_working_with_campaign_tags_and_a_broken_one_is_a_page(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    for path in [
        format!("/s/{survey}?utm_source=newsletter&utm_medium=email"),
        format!("/s/{survey}/thanks?utm_source=newsletter"),
    ] {
        let (status, _) = page(&app, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    for path in [
        format!("/s/{survey}?lang=cs&lang=pl"),
        format!("/s/{survey}/thanks?lang=cs&lang=pl"),
    ] {
        let (status, html) = page(&app, &path, Some("cs-CZ,cs;q=0.9")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(html_lang(&html), Some("cs"), "{path}: {html}");
    }
}
