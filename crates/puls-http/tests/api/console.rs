//! The web app over HTTP: the one-time setup, signing in and out, roles enforced on the
//! server, anti-forgery tokens, the account page, and the overview's numbers and filters.
//! (The browser test in `tests/e2e` drives the same pages through Chromium.)

use std::collections::BTreeMap;

use puls_store::json::JsonText;
use puls_store::{NewResponse, NewUser, UserWrite, WriteOp};
use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, json_of};

/// A browser's cookies, by hand: reqwest's cookie store is not enabled in this workspace.
#[derive(Default)]
pub(crate) struct Browser {
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub(crate) fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            assert!(
                v.contains("HttpOnly") && v.contains("SameSite=Lax") && v.contains("Path=/app")
            );
            let (kv, _) = v.split_once(';').unwrap();
            let (k, val) = kv.split_once('=').unwrap();
            if val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), val.into());
            }
        }
    }

    pub(crate) async fn get(
        &mut self,
        app: &TestApp,
        path: &str,
    ) -> (StatusCode, String, Option<String>) {
        let r = app
            .client
            .get(app.url(path))
            .header("cookie", self.header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        if status == StatusCode::OK {
            let csp = r.headers().get("content-security-policy").unwrap();
            assert!(csp.to_str().unwrap().contains("default-src 'none'"));
        }
        (status, r.text().await.unwrap(), location)
    }

    pub(crate) async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let r = app
            .client
            .post(app.url(path))
            .header("cookie", self.header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        (status, r.text().await.unwrap(), location)
    }
}

/// The value of a hidden field in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn user(app: &TestApp, email: &str, password: &str, role: Option<&str>) -> String {
    user_in(app, email, password, role, "en").await
}

/// A user whose web app speaks `locale`.
pub(crate) async fn user_in(
    app: &TestApp,
    email: &str,
    password: &str,
    role: Option<&str>,
    locale: &str,
) -> String {
    let hash = puls_app::users::hash_password(password.into())
        .await
        .unwrap();
    let UserWrite::Done(u) = app
        .store
        .create_user(NewUser {
            email,
            name: "Eva Svobodová",
            password_hash: &hash,
            locale,
        })
        .await
        .unwrap()
    else {
        panic!("creating {email}")
    };
    if let Some(role) = role {
        app.store
            .set_membership(app.workspace_id, &u.id, role)
            .await
            .unwrap();
    }
    u.id.to_string()
}

pub(crate) async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut b = Browser::default();
    let (_, page, _) = b.get(app, "/app/sign-in").await;
    let form = hidden(&page, "_form");
    let (status, _, to) = b
        .post(
            app,
            "/app/sign-in",
            &[
                ("_form", &form),
                ("email", email),
                ("password", password),
                ("next", "/app"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/app"));
    b
}

both_backends!(the_first_owner_is_set_up_once_with_the_token);
async fn the_first_owner_is_set_up_once_with_the_token(app: TestApp) {
    let mut b = Browser::default();
    let (status, _, to) = b.get(&app, "/app").await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/app/setup"))
    );
    // Without the token printed at start, no one can take the instance.
    let (status, page, _) = b.get(&app, "/app/setup").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("one-time link"), "{page}");
    let token = app
        .store
        .create_setup_token(3_600_000)
        .await
        .unwrap()
        .unwrap();
    let (status, page, _) = b
        .get(&app, &format!("/app/setup?token={token}&lang=cs"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Nastavení Pulsu") && page.contains("lang=\"cs\""),
        "{page}"
    );
    // Switching the language keeps the token.
    assert!(
        page.contains(&format!("href=\"?token={token}&amp;lang=pl\"")),
        "{page}"
    );
    // The workspace exists (acme), so the page names it instead of asking.
    assert!(page.contains("Acme"));
    let form = hidden(&page, "_form");

    // A forged form (no token) is refused; a weak password is explained in Czech.
    let (status, _, _) = b
        .post(
            &app,
            "/app/setup",
            &[
                ("token", &token),
                ("name", "Ana"),
                ("email", "ana@shop.cz"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page, _) = b
        .post(
            &app,
            "/app/setup",
            &[
                ("_form", &form),
                ("token", &token),
                ("name", "<b>Ana</b>"),
                ("email", "ana@shop"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Heslo musí mít alespoň 10 znaků."), "{page}");
    assert!(page.contains("Zadejte platnou e-mailovou adresu."));
    assert!(page.contains("&lt;b&gt;Ana&lt;&#x2f;b&gt;") && !page.contains("<b>Ana</b>"));

    let (status, _, to) = b
        .post(
            &app,
            "/app/setup",
            &[
                ("_form", &form),
                ("token", &token),
                ("name", "Ana Nováková"),
                ("email", " Ana@Shop.cz "),
                ("password", "dlouhé heslo 2026"),
            ],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/app"))
    );
    assert!(b.cookies.contains_key("puls_session"));
    let (_, _, to) = b.get(&app, "/app").await;
    assert_eq!(to.as_deref(), Some("/app/w/acme"));
    let (status, page, _) = b.get(&app, "/app/w/acme").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Přehled"),
        "the owner chose Czech on the setup page"
    );
    assert!(page.len() < 200_000);

    // Once only: the token is spent and the page says so.
    let (status, page, _) = Browser::default()
        .get(&app, &format!("/app/setup?token={token}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("set up already"));
    let owner = app
        .store
        .user_by_email("ana@shop.cz")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store
            .role_in(&owner.id, app.workspace_id)
            .await
            .unwrap()
            .as_deref(),
        Some("owner")
    );
}

both_backends!(signing_in_roles_and_forged_forms);
async fn signing_in_roles_and_forged_forms(app: TestApp) {
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    user(&app, "outsider@shop.cz", "outsider password", None).await;
    let other = app
        .store
        .ensure_workspace("globex", "Globex")
        .await
        .unwrap();

    // Without a session every page sends to sign in, and comes back after.
    let mut anon = Browser::default();
    let (status, _, to) = anon.get(&app, "/app/w/acme?channel=web").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        to.as_deref(),
        Some("/app/sign-in?next=/app/w/acme%3Fchannel%3Dweb")
    );

    // Wrong password and unknown email: the same answer.
    let (_, page, _) = anon.get(&app, "/app/sign-in").await;
    let form = hidden(&page, "_form");
    for (email, pw) in [
        ("viewer@shop.cz", "wrong password!"),
        ("nobody@shop.cz", "viewer password 1"),
    ] {
        let (status, page, _) = anon
            .post(
                &app,
                "/app/sign-in",
                &[("_form", &form), ("email", email), ("password", pw)],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("The email or the password is not right."));
    }
    // Guessing is braked: ten attempts a minute per address, then 429 whatever the password.
    for _ in 0..10 {
        anon.post(
            &app,
            "/app/sign-in",
            &[
                ("_form", &form),
                ("email", "victim@shop.cz"),
                ("password", "guess guess 1"),
            ],
        )
        .await;
    }
    let (status, page, _) = anon
        .post(
            &app,
            "/app/sign-in",
            &[
                ("_form", &form),
                ("email", "Victim@Shop.cz"),
                ("password", "guess guess 2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Too many attempts"));
    // Next only inside the app.
    let (status, _, to) = anon
        .post(
            &app,
            "/app/sign-in",
            &[
                ("_form", &form),
                ("email", "VIEWER@shop.cz"),
                ("password", "viewer password 1"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/app"))
    );

    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let (status, page, _) = viewer.get(&app, "/app/w/acme").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Overview"));
    // A workspace they are not in: 403; one that does not exist: 404.
    let (status, _, _) = viewer.get(&app, &format!("/app/w/{}", other.slug)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = viewer.get(&app, "/app/w/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A user with no workspace is told so.
    let mut outsider = signed_in(&app, "outsider@shop.cz", "outsider password").await;
    let (status, page, _) = outsider.get(&app, "/app").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("not a member of any workspace"));

    // State changes need the session's token and a same-site origin.
    let (_, account, _) = viewer.get(&app, "/app/account").await;
    let csrf = hidden(&account, "_csrf");
    let (status, _, _) = viewer
        .post(&app, "/app/account/language", &[("locale", "cs")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = viewer
        .post(
            &app,
            "/app/account/language",
            &[("_csrf", "x".repeat(32).as_str()), ("locale", "cs")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(app.url("/app/account/language"))
        .header("cookie", viewer.header())
        .header("origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str()), ("locale", "cs")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _, to) = viewer
        .post(
            &app,
            "/app/account/language",
            &[("_csrf", &csrf), ("locale", "cs")],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/app/account?notice=saved"))
    );
    let (_, page, _) = viewer.get(&app, "/app/account?notice=saved").await;
    assert!(page.contains("Uloženo.") && page.contains("lang=\"cs\""));

    // Changing the password: checked, then other sessions end and this one stays.
    let mut second = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let (status, page, _) = viewer
        .post(
            &app,
            "/app/account/password",
            &[
                ("_csrf", &csrf),
                ("current", "wrong"),
                ("new", "a new long password"),
                ("repeat", "a new long password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Současné heslo není správně."));
    let (status, _, _) = viewer
        .post(
            &app,
            "/app/account/password",
            &[
                ("_csrf", &csrf),
                ("current", "viewer password 1"),
                ("new", "a new long password"),
                ("repeat", "a new long password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = viewer.get(&app, "/app/w/acme").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, to) = second.get(&app, "/app/w/acme").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with("/app/sign-in"));

    // Signing out ends the session on the server, not just in the browser.
    let stolen = viewer.header();
    let (status, _, to) = viewer
        .post(&app, "/app/sign-out", &[("_csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with("/app/sign-in?notice=signed_out"));
    let r = app
        .client
        .get(app.url("/app/w/acme"))
        .header("cookie", stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

both_backends!(the_overview_shows_metrics_with_intervals_and_filters);
async fn the_overview_shows_metrics_with_intervals_and_filters(app: TestApp) {
    let mut survey = nps_survey();
    survey["title"] = json!({ "en": "<script>alert(1)</script> Checkout" });
    let id = app.published_survey(&survey).await;
    // 6 promoters, 2 passives, 2 detractors: NPS +40.
    for score in [10, 10, 9, 9, 10, 9, 8, 7, 3, 0] {
        app.submit_ok(
            &id,
            &json!({ "answers": { "nps": score }, "channel": "web" }),
        )
        .await;
    }
    user(&app, "analyst@shop.cz", "analyst password", Some("analyst")).await;
    let mut b = signed_in(&app, "analyst@shop.cz", "analyst password").await;
    let (status, page, _) = b.get(&app, "/app/w/acme").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("+40.0"), "the NPS of the ten answers");
    assert!(page.contains("Responses: 10"));
    assert!(
        page.contains("Small sample"),
        "10 answers are under the minimum sample"
    );
    assert!(page.contains("<svg class=\"chart\""));
    assert!(
        page.contains("checkout"),
        "the breakdown names the touchpoint"
    );
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"));
    // Filters are read from the URL and shown in the form.
    let (status, page, _) = b.get(&app, "/app/w/acme?channel=email").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No responses in this period."));
    assert!(page.contains("<option value=\"email\" selected>"));
    let (status, page, _) = b.get(&app, "/app/w/acme?channel=fax").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("A filter is not valid: channel"), "{page}");
    // A segment that does not exist (deleted, or a hand-edited URL) is the caller's mistake.
    let (status, page, _) = b.get(&app, "/app/w/acme?segment=gone").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("A filter is not valid: segment: there is no segment"),
        "{page}"
    );
    let (status, page, _) = b.get(&app, "/app/w/acme?from=2026-13-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("from"));
}

both_backends!(the_front_door_leads_to_the_web_app);
async fn the_front_door_leads_to_the_web_app(app: TestApp) {
    let r = app
        .anonymous(reqwest::Method::GET, "/")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/app");
    // The web app then sends a stranger to the setup or sign-in page, as before.
    let r = app
        .anonymous(reqwest::Method::GET, "/app")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// Stores NPS answers `(at, score)` straight through the store, at chosen times.
async fn seed_nps(app: &TestApp, survey: &str, scores: &[(i64, i64)]) {
    let ops: Vec<WriteOp> = scores
        .iter()
        .map(|&(at, score)| {
            WriteOp::Insert(NewResponse {
                answers: JsonText::parse(&json!({ "nps": score }).to_string()).unwrap(),
                ..puls_testdb::response(app.workspace_id, survey, at)
            })
        })
        .collect();
    app.store.write_batch(&ops).await.expect("seeding");
}

/// An analyst who reads the app in Polish, signed in.
async fn polish_analyst(app: &TestApp) -> Browser {
    user_in(
        app,
        "analityk@sklep.pl",
        "hasło analityka",
        Some("analyst"),
        "pl",
    )
    .await;
    signed_in(app, "analityk@sklep.pl", "hasło analityka").await
}

both_backends!(a_p_value_under_a_thousandth_reads_as_such_not_as_zero);
async fn a_p_value_under_a_thousandth_reads_as_such_not_as_zero(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    // 2026-03-02 is a Monday. The week from then: 40 promoters; the week before: 40
    // detractors. The change (+200) has p far below 0.001.
    const MONDAY: i64 = 1_772_409_600_000;
    const DAY: i64 = 86_400_000;
    let scores: Vec<(i64, i64)> = (0..80)
        .map(|i| {
            if i < 40 {
                (MONDAY + DAY + i * 60_000, 10)
            } else {
                (MONDAY - 5 * DAY + i * 60_000, 0)
            }
        })
        .collect();
    seed_nps(&app, &id, &scores).await;
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b
        .get(&app, "/app/w/acme?from=2026-03-02&to=2026-03-08")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("+100,0"), "the NPS of the week: {page}");
    assert!(page.contains("p\u{a0}&lt;\u{a0}0,001"), "{page}");
    assert!(!page.contains("0,000"));
}

both_backends!(the_overview_trend_counts_only_the_period_and_agrees_with_the_api);
async fn the_overview_trend_counts_only_the_period_and_agrees_with_the_api(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    // Noon UTC each day from Monday 23 February to Sunday 8 March: one promoter a day, and
    // a detractor on each of 23-26 February (outside the period asked below).
    const MONDAY: i64 = 1_772_409_600_000 - 7 * 86_400_000;
    const DAY: i64 = 86_400_000;
    let mut scores: Vec<(i64, i64)> = (0..14).map(|d| (MONDAY + d * DAY + DAY / 2, 10)).collect();
    scores.extend((0..4).map(|d| (MONDAY + d * DAY + DAY / 2 + 1, 0)));
    seed_nps(&app, &id, &scores).await;
    let mut b = polish_analyst(&app).await;
    // Friday 27 February to Wednesday 4 March, both included: 6 promoters, no detractor.
    let (status, page, _) = b
        .get(&app, "/app/w/acme?from=2026-02-27&to=2026-03-04")
        .await;
    assert_eq!(status, StatusCode::OK);
    // The first week holds Friday to Sunday only (3 promoters: NPS +100, not the whole
    // week's 7 promoters and 4 detractors), and says it is partial, in words.
    assert!(page.contains("niepełny: 27.02.2026 – 01.03.2026"), "{page}");
    assert!(page.contains("niepełny: 02.03.2026 – 04.03.2026"), "{page}");
    assert!(
        !page.contains("+27,3"),
        "the whole first week's NPS leaked in: {page}"
    );
    assert!(
        page.contains("class=\"dot partial\""),
        "hollow dots: {page}"
    );
    // The card's count is the trend's sum, and the API says the same for the same dates.
    assert!(page.contains("Odpowiedzi: 6"), "{page}");
    let api = app
        .get_json("/api/v1/metrics?metric=nps&by=week&from=2026-02-27&to=2026-03-04")
        .await;
    assert_eq!(api["total"]["n"], 6);
    let ns: Vec<u64> = api["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["n"].as_u64().unwrap())
        .collect();
    assert_eq!(ns, vec![3, 3]);
}

both_backends!(the_inbox_filters_searches_and_exports_exactly_that);
async fn the_inbox_filters_searches_and_exports_exactly_that(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    let answers = [
        (9, "Kurýr přišel POZDĚ, ale káva byla skvělá", "web"),
        (10, "Great coffee", "web"),
        (3, "kuryr  byl nepříjemný", "email"),
        (7, "<script>alert(1)</script>", "web"),
    ];
    let mut ids = Vec::new();
    for (score, comment, channel) in answers {
        let r = app
            .submit_ok(
                &id,
                &json!({ "answers": { "nps": score, "comment": comment }, "channel": channel,
                         "contact": { "email": "jana@shop.cz" } }),
            )
            .await;
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    // A journey that takes this survey's touchpoint, for the detail's "where it sits".
    let journey = json!({"key": "shop", "name": {"en": "Shop"}, "stages": [
        {"key": "order", "name": "Order", "touchpoints": [
            {"key": "checkout", "name": "Checkout", "channel": "web",
             "events": [{"event": "Order Completed"}], "moment_of_truth": true}]}]});
    app.put_journey(&journey).await;

    user(&app, "agent@shop.cz", "agent password 1", Some("agent")).await;
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    for path in [
        "/app/w/acme/responses",
        "/app/w/acme/responses.csv",
        &format!("/app/w/acme/responses/{}", ids[0]),
    ] {
        let (status, _, _) = viewer.get(&app, path).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a viewer sees dashboards only: {path}"
        );
    }
    let (_, overview, _) = viewer.get(&app, "/app/w/acme").await;
    assert!(
        overview.contains("&#x2f;app&#x2f;account"),
        "the navigation is there"
    );
    assert!(
        !overview.contains("acme&#x2f;responses"),
        "but not the inbox"
    );

    let mut agent = signed_in(&app, "agent@shop.cz", "agent password 1").await;
    let (_, overview, _) = agent.get(&app, "/app/w/acme").await;
    // (The template engine writes a slash in an attribute as `&#x2f;`.)
    let inbox_link = "href=\"&#x2f;app&#x2f;w&#x2f;acme&#x2f;responses\"";
    assert!(
        overview.contains(inbox_link),
        "an agent is offered the inbox"
    );
    let (status, page, _) = agent.get(&app, "/app/w/acme/responses").await;
    assert_eq!(status, StatusCode::OK);
    for id in &ids {
        assert!(
            page.contains(&format!("/app/w/acme/responses/{id}")),
            "every response listed"
        );
    }
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"));

    // Search ignores case, marks and runs of spaces; filters narrow it further.
    let (_, page, _) = agent.get(&app, "/app/w/acme/responses?q=KURYR").await;
    assert!(page.contains(&ids[0]) && page.contains(&ids[2]));
    assert!(!page.contains(&ids[1]) && !page.contains(&ids[3]));
    assert!(page.contains("Responses searched: 4 "));
    let (_, page, _) = agent
        .get(&app, "/app/w/acme/responses?q=kur%C3%BDr&channel=email")
        .await;
    assert!(page.contains(&ids[2]) && !page.contains(&ids[0]));
    assert!(
        page.contains("q=kur%C3%BDr&amp;channel=email"),
        "the export link keeps the filters"
    );

    // The export holds exactly the filtered set.
    let (status, csv, _) = agent.get(&app, "/app/w/acme/responses.csv?q=kuryr").await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows:\n{csv}");
    assert!(csv.contains(&ids[0]) && csv.contains(&ids[2]) && !csv.contains(&ids[1]));
    // The API takes the same search.
    let page = app
        .get_json("/api/v1/responses?q=kur%C3%BDr%20%20P%C5%99i%C5%A1el")
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], ids[0].as_str());
    let (status, _, _) = agent.get(&app, "/app/w/acme/responses?status=maybe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A response's detail: its answers with the question texts, and its place in the journey.
    let (status, page, _) = agent
        .get(&app, &format!("/app/w/acme/responses/{}", ids[0]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("How likely are you to recommend us to a friend?"));
    assert!(page.contains("Kurýr přišel POZDĚ"));
    assert!(page.contains("jana@shop.cz"));
    assert!(
        page.contains("Shop: Order → <strong>Checkout</strong>"),
        "{page}"
    );
    let (status, _, _) = agent.get(&app, "/app/w/acme/responses/rsp_nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(the_builder_edits_validates_publishes_and_moves_json);
async fn the_builder_edits_validates_publishes_and_moves_json(app: TestApp) {
    user(&app, "analyst@shop.cz", "analyst password", Some("analyst")).await;
    user(&app, "agent@shop.cz", "agent password 1", Some("agent")).await;
    let mut agent = signed_in(&app, "agent@shop.cz", "agent password 1").await;
    let (status, _, _) = agent.get(&app, "/app/w/acme/surveys").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not edit surveys");

    let mut b = signed_in(&app, "analyst@shop.cz", "analyst password").await;
    let (status, page, _) = b.get(&app, "/app/w/acme/surveys").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&page, "_csrf");
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/surveys",
            &[
                ("_csrf", &csrf),
                ("name", "Delivery"),
                ("touchpoint", "delivery"),
                ("locales", "cs"),
                ("locales", "en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let path = to.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let stored = app.get_json(&format!("/api/v1/surveys/{id}")).await;
    assert_eq!(stored["status"], "draft");

    // Reshaping redraws without storing; the page carries the state.
    let (_, page, _) = b.get(&app, &path).await;
    let base = html_unescape(&hidden(&page, "base"));
    let (status, page, _) = b
        .post(
            &app,
            &path,
            &[
                ("_csrf", &csrf),
                ("base", &base),
                ("action", "add"),
                ("add_type", "single_choice"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Changes not saved yet.") && page.contains("Single choice"));
    let base = html_unescape(&hidden(&page, "base"));
    // Saving with the new question's texts and options missing lists every problem.
    let form = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = vec![
            ("locales", "cs"),
            ("locales", "en"),
            ("title.cs", "Doručení"),
            ("title.en", "Delivery"),
            ("touchpoint", "delivery"),
            ("channel", "email"),
            ("q0.present", "1"),
            ("q0.id", "nps"),
            ("q0.required", "1"),
            ("q0.text.cs", "Doporučili byste nás?"),
            ("q0.text.en", "Would you recommend us?"),
            ("q1.present", "1"),
            ("q1.id", "late"),
            ("q1.text.cs", "Přišla zásilka včas?"),
            ("q1.text.en", "Was it on time?"),
        ];
        f.extend_from_slice(extra);
        f
    };
    let mut f = form(&[("q1.options", ""), ("action", "save")]);
    f.push(("_csrf", &csrf));
    f.push(("base", &base));
    let (status, page, _) = b.post(&app, &path, &f).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("questions[1].options"),
        "the problem's path: {page}"
    );
    assert!(page.contains("Was it on time?"), "what was typed stays");
    let mut f = form(&[
        ("q1.options", "yes | Ano | Yes\nno | Ne | No"),
        ("q1.show_q", "nps"),
        ("q1.show_op", "lte"),
        ("q1.show_value", "6"),
        ("q1.end_q", "late"),
        ("q1.end_op", "in"),
        ("q1.end_value", "no"),
        ("intro.en", "Two short questions."),
        ("intro.cs", "Dvě krátké otázky."),
        ("q0.help.en", "0 means not at all"),
        ("q0.help.cs", "0 znamená vůbec"),
        ("q1.randomize", "1"),
        ("action", "publish"),
    ]);
    f.push(("_csrf", &csrf));
    f.push(("base", &base));
    let (status, _, to) = b.post(&app, &path, &f).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.unwrap(), format!("{path}?notice=published"));
    let stored = app.get_json(&format!("/api/v1/surveys/{id}")).await;
    assert_eq!(stored["status"], "published");
    let def = &stored["definition"];
    assert_eq!(def["channel"], "email");
    assert_eq!(def["questions"][0]["required"], true);
    assert_eq!(def["questions"][1]["options"][1]["text"]["cs"], "Ne");
    assert_eq!(
        def["questions"][1]["show_if"],
        json!({"question": "nps", "op": "lte", "value": 6})
    );
    assert_eq!(
        def["questions"][1]["end_if"],
        json!({"question": "late", "op": "in", "values": ["no"]})
    );
    assert_eq!(def["intro"]["en"], "Two short questions.");
    assert_eq!(def["questions"][1]["randomize"], true);
    assert_eq!(def["questions"][0]["help"]["en"], "0 means not at all");
    let (_, page, _) = b.get(&app, &format!("{path}?notice=published")).await;
    let page = html_unescape(&page);
    assert!(
        page.contains(&format!("{}/s/{id}\"", app.address)),
        "the link: {page}"
    );
    assert!(page.contains(&format!("/s/{id}/qr.svg")), "the QR code");

    // The definition out, and in again as a new draft.
    let (status, json_text, _) = b.get(&app, &format!("/app/w/acme/export/{id}.json")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/surveys",
            &[("_csrf", &csrf), ("definition", &json_text)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let copy = to.unwrap().rsplit('/').next().unwrap().to_string();
    assert_ne!(copy, id);
    let copied = app.get_json(&format!("/api/v1/surveys/{copy}")).await;
    assert_eq!(copied["definition"], stored["definition"]);
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/surveys",
            &[("_csrf", &csrf), ("definition", "{\"title\": 1")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("JSON:"));
    // The preview draws a question with the banner and stores nothing.
    let (status, page, _) = b
        .get(&app, &format!("/app/w/acme/surveys/{id}/preview/1?lang=cs"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Přišla zásilka včas?"));
    let before = app
        .get_json(&format!("/api/v1/responses?survey={id}"))
        .await;
    let (status, _, to) = b
        .post(
            &app,
            &format!("/app/w/acme/surveys/{id}/preview/0"),
            &[("a", "9"), ("lang", "cs")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        to.unwrap(),
        format!("/app/w/acme/surveys/{id}/preview/1?lang=cs")
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/responses?survey={id}"))
            .await,
        before
    );
}

/// Undoes the template engine's escaping of a hidden field's value.
fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

both_backends!(settings_people_invitations_and_keys);
async fn settings_people_invitations_and_keys(app: TestApp) {
    let admin = user(&app, "admin@shop.cz", "admin password 1", Some("admin")).await;
    let owner = user(&app, "owner@shop.cz", "owner password 1", Some("owner")).await;
    user(&app, "analyst@shop.cz", "analyst password", Some("analyst")).await;
    let mut analyst = signed_in(&app, "analyst@shop.cz", "analyst password").await;
    let (status, _, _) = analyst.get(&app, "/app/w/acme/settings").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "analysts manage neither people nor keys"
    );
    let (_, page, _) = analyst.get(&app, "/app/w/acme").await;
    let csrf = hidden(&page, "_csrf");
    let (status, _, _) = analyst
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", &csrf), ("action", "create_key")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "and the server refuses the action itself"
    );

    let mut b = signed_in(&app, "admin@shop.cz", "admin password 1").await;
    let (status, page, _) = b.get(&app, "/app/w/acme/settings").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&page, "_csrf");
    assert!(page.contains("owner@shop.cz"));
    // An admin cannot touch an owner, nor make one.
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "role"),
                ("user", &owner),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "invite"),
                ("email", "x@shop.cz"),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Rename; an API key shown once, which then works; a write key; revoking.
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "rename"),
                ("name", "Acme & <Co>"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .workspace_by_slug("acme")
            .await
            .unwrap()
            .unwrap()
            .name,
        "Acme & <Co>"
    );
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", &csrf), ("action", "create_key"), ("name", "crm")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let key = html_unescape(&hidden_by_id(&page, "new-key"));
    let r = app
        .client
        .get(app.url("/api/v1/surveys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the new key works");
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "create_write_key"),
                ("name", "shop"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .list_write_keys(app.workspace_id)
            .await
            .unwrap()
            .len(),
        1
    );
    let key_id = key.split('_').nth(1).unwrap().to_string();
    b.post(
        &app,
        "/app/w/acme/settings",
        &[("_csrf", &csrf), ("action", "revoke_key"), ("id", &key_id)],
    )
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/surveys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "revoked");

    // An invitation: a link shown once; a new person joins with it, once.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "invite"),
                ("email", "Nova@Shop.cz"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let link = html_unescape(&hidden_by_id(&page, "invite-link"));
    let path = link.strip_prefix(&app.address).unwrap().to_string();
    let mut guest = Browser::default();
    let (status, page, _) = guest.get(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Acme &amp; &lt;Co&gt;") && page.contains("nova@shop.cz"));
    let form = hidden(&page, "_form");
    let (status, _, to) = guest
        .post(
            &app,
            &path,
            &[
                ("_form", &form),
                ("name", "Nová Kolegyně"),
                ("password", "nova password 1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/app/w/acme"));
    let (status, _, _) = guest.get(&app, "/app/w/acme/responses").await;
    assert_eq!(status, StatusCode::OK, "an agent now");
    let (status, _, _) = Browser::default().get(&app, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "used once");
    // A pending invitation is listed and can be withdrawn, which kills its link.
    let (_, page, _) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "invite"),
                ("email", "late@shop.cz"),
                ("role", "viewer"),
            ],
        )
        .await;
    let late = html_unescape(&hidden_by_id(&page, "invite-link"));
    let late_path = late.strip_prefix(&app.address).unwrap().to_string();
    let (_, page, _) = b.get(&app, "/app/w/acme/settings").await;
    assert!(page.contains("late@shop.cz") && page.contains("Invitations not used yet"));
    let pending = app
        .store
        .pending_invitations(app.workspace_id)
        .await
        .unwrap();
    assert_eq!(
        pending.len(),
        1,
        "a used invitation is not pending: {pending:?}"
    );
    let (_, _, to) = b
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "withdraw"),
                ("id", &pending[0].id),
            ],
        )
        .await;
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=invitation_withdrawn")
    );
    let (status, _, _) = Browser::default().get(&app, &late_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "withdrawn");

    // The last owner stays: the owner cannot step down or be removed while alone.
    let mut o = signed_in(&app, "owner@shop.cz", "owner password 1").await;
    let (_, page, _) = o.get(&app, "/app/w/acme/settings").await;
    let csrf = hidden(&page, "_csrf");
    let (_, _, to) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "role"),
                ("user", &owner),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=last_owner")
    );
    let (_, _, to) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", &csrf),
                ("action", "role"),
                ("user", &admin),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=role_changed")
    );
    let (_, _, to) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", &csrf), ("action", "remove"), ("user", &owner)],
        )
        .await;
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=member_removed")
    );
}

/// The value of the input with this id.
fn hidden_by_id(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

both_backends!(the_journey_map_a_touchpoint_and_the_analyses);
async fn the_journey_map_a_touchpoint_and_the_analyses(app: TestApp) {
    use crate::customer_helpers::track;
    let now = puls_store::now_ms();
    let hour = 3_600_000;
    let key = app.write_key().await;
    let mut batch = Vec::new();
    for u in 0..12 {
        let user = format!("u{u}");
        batch.push(track(
            &user,
            "Product Viewed",
            now - 5 * 24 * hour + u * hour,
            json!({}),
        ));
        if u % 3 != 0 {
            batch.push(track(
                &user,
                "Order Completed",
                now - 4 * 24 * hour + u * hour,
                json!({}),
            ));
        }
    }
    app.send_batch_ok(&key, batch).await;
    let journey = json!({"key": "shop", "name": {"en": "Shop", "cs": "Obchod"}, "stages": [
        {"key": "browse", "name": {"en": "Browse", "cs": "Prohlížení"}, "touchpoints": [
            {"key": "product", "name": "Product page", "channel": "web", "events": [{"event": "Product Viewed"}]}]},
        {"key": "order", "name": {"en": "Order", "cs": "Objednávka"}, "touchpoints": [
            {"key": "checkout", "name": "Checkout <web>", "channel": "web",
             "events": [{"event": "Order Completed"}], "moment_of_truth": true}]}]});
    let put = app
        .request(reqwest::Method::PUT, "/api/v1/journeys/shop")
        .json(&journey)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    // Feedback at checkout: the all-types survey asked there, with drivers and a Kano feature.
    let mut survey = crate::fixtures::all_types_survey();
    survey["touchpoint"] = json!("checkout");
    let id = app.published_survey(&survey).await;
    for i in 0..8 {
        let mut a = crate::fixtures::all_types_answers();
        a["nps"] = json!(if i < 5 { 10 } else { 2 });
        a["csat"] = json!(1 + i % 5);
        a["stars"] = json!(1 + (i * 3) % 10);
        a["comment"] = json!(format!("comment number {i}"));
        app.submit_ok(&id, &json!({ "answers": a })).await;
    }
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut b = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;

    let (status, _, to) = b.get(&app, "/app/w/acme/journeys").await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/app/w/acme/journeys/shop"))
    );
    let (status, page, _) = b.get(&app, "/app/w/acme/journeys/shop").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Browse") && page.contains("Product page"));
    assert!(page.contains("Checkout &lt;web&gt;"), "names are escaped");
    assert!(page.contains("Reached: 12"), "every viewer entered: {page}");
    // 4 of 12 viewers never ordered: a third dropped off after the first stage.
    assert!(page.contains("33.3 %"), "{page}");
    assert!(
        page.contains("+25") || page.contains("+25.0"),
        "NPS at checkout: 5 promoters, 3 detractors"
    );
    let (status, page, _) = b.get(&app, "/app/w/acme/journeys/shop?segment=nope").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("A filter is not valid"), "{page}");

    let (status, page, _) = b.get(&app, "/app/w/acme/journeys/shop/t/checkout").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("comment number 7"), "the latest open answers");
    assert!(page.contains("<svg class=\"chart\""), "the NPS trend");
    let (status, _, _) = b.get(&app, "/app/w/acme/journeys/shop/t/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, page, _) = b.get(&app, "/app/w/acme/analyses").await;
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{page}"
    );
    assert!(
        page.contains("Funnel") && page.contains("Browse") && page.contains("66.7"),
        "{page}"
    );
    assert!(page.contains("Live parcel tracking"), "the Kano feature");
    assert!(page.contains("Key drivers"));
    assert!(page.len() < 200_000);

    // Every main screen exists in Polish, Czech and English, as each user chooses.
    let viewer = app
        .store
        .user_by_email("viewer@shop.cz")
        .await
        .unwrap()
        .unwrap();
    let rid = app.get_json("/api/v1/responses?limit=1").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.store
        .set_membership(app.workspace_id, &viewer.id, "owner")
        .await
        .unwrap();
    let pages = [
        "/app/w/acme".to_string(),
        "/app/w/acme/journeys/shop".into(),
        "/app/w/acme/journeys/shop/t/checkout".into(),
        "/app/w/acme/analyses".into(),
        "/app/w/acme/responses".into(),
        format!("/app/w/acme/responses/{rid}"),
        "/app/w/acme/surveys".into(),
        format!("/app/w/acme/surveys/{id}"),
        "/app/w/acme/settings".into(),
        "/app/account".into(),
    ];
    for (lang, word) in [("pl", "Przegląd"), ("cs", "Přehled"), ("en", "Overview")] {
        app.store.set_user_locale(&viewer.id, lang).await.unwrap();
        for path in &pages {
            let (status, page, _) = b.get(&app, path).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                "{lang} {path}: {status}"
            );
            assert!(
                page.contains(&format!("<html lang=\"{lang}\">")),
                "{lang} {path}"
            );
            assert!(
                page.contains(word),
                "{lang} {path}: the navigation in {lang}"
            );
            assert!(page.len() < 200_000, "{path} is {} bytes", page.len());
        }
    }
}

both_backends!(an_admin_deletes_a_response_in_the_web_app_and_an_agent_cannot);
async fn an_admin_deletes_a_response_in_the_web_app_and_an_agent_cannot(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    let r = app
        .submit_ok(
            &id,
            &json!({ "answers": { "nps": 1, "comment": "Nigdy więcej" } }),
        )
        .await;
    let rid = r["id"].as_str().unwrap().to_string();
    let detail = format!("/app/w/acme/responses/{rid}");
    let delete = format!("{detail}/delete");

    user_in(
        &app,
        "agent@sklep.pl",
        "hasło agenta 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut agent = signed_in(&app, "agent@sklep.pl", "hasło agenta 1").await;
    let (status, page, _) = agent.get(&app, &detail).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("Usuń tę odpowiedź"),
        "no delete form for an agent"
    );
    let csrf = hidden(&page, "_csrf");
    let (status, _, _) = agent
        .post(&app, &delete, &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    user_in(
        &app,
        "admin@sklep.pl",
        "hasło admina 1",
        Some("admin"),
        "pl",
    )
    .await;
    let mut admin = signed_in(&app, "admin@sklep.pl", "hasło admina 1").await;
    let (_, page, _) = admin.get(&app, &detail).await;
    assert!(page.contains("Usuń tę odpowiedź"), "{page}");
    let csrf = hidden(&page, "_csrf");
    // Without the box ticked nothing happens; without the token neither.
    let (status, _, _) = admin.post(&app, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = admin
        .post(
            &app,
            &delete,
            &[("_csrf", &"x".repeat(32)), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/api/v1/responses/{rid}")).await.status(),
        200
    );

    let (status, _, location) = admin
        .post(&app, &delete, &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let (_, inbox, _) = admin.get(&app, &location).await;
    assert!(inbox.contains("Odpowiedź została usunięta."), "{inbox}");
    assert!(!inbox.contains("Nigdy więcej"));
    let (status, _, _) = admin.get(&app, &detail).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/responses/{rid}")).await.status(),
        404
    );
}

/// The visible text of a page: tags and tooltips dropped.
pub(crate) fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push('\n');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

both_backends!(polish_pages_show_words_not_ids);
async fn polish_pages_show_words_not_ids(app: TestApp) {
    let survey = json!({
        "title": { "pl": "Dostawa", "en": "Delivery" },
        "locales": ["pl", "en"], "default_locale": "pl",
        "touchpoint": "courier_leg",
        "questions": [
            { "id": "rec_score", "type": "nps", "required": true,
              "text": { "pl": "Czy polecisz nas?", "en": "Would you recommend us?" } },
            { "id": "parcel_q", "type": "matrix", "min": 1, "max": 5,
              "text": { "pl": "Oceń dostawę", "en": "Rate the delivery" },
              "rows": [ { "id": "speed_row", "text": { "pl": "Szybkość", "en": "Speed" } },
                        { "id": "pack_row", "text": { "pl": "Opakowanie", "en": "Packaging" } } ] },
            { "id": "pay_q", "type": "single_choice",
              "text": { "pl": "Jak płaciłeś?", "en": "How did you pay?" },
              "options": [ { "id": "blik_opt", "text": { "pl": "BLIK", "en": "BLIK" } },
                           { "id": "cod_opt", "text": { "pl": "Za pobraniem", "en": "Cash on delivery" } } ] }
        ]
    });
    let id = app.published_survey(&survey).await;
    let mut last = String::new();
    for i in 0..40i64 {
        let r = app
            .submit_ok(
                &id,
                &json!({ "answers": { "rec_score": i % 11, "pay_q": "cod_opt",
                    "parcel_q": { "speed_row": 1 + i % 5, "pack_row": 1 + (i / 3) % 5 } },
                    "contact": { "external_id": format!("k-{i}") } }),
            )
            .await;
        last = r["id"].as_str().unwrap().to_string();
    }
    let put = |path: &str, body: serde_json::Value| {
        app.request(reqwest::Method::PUT, path).json(&body).send()
    };
    let r = put(
        "/api/v1/journeys/shop",
        json!({"key": "shop", "name": {"pl": "Sklep", "en": "Shop"}, "stages": [
            {"key": "ship_stage", "name": {"pl": "Wysyłka", "en": "Shipping"}, "touchpoints": [
                {"key": "courier_leg", "name": {"pl": "Dostawa kurierem", "en": "Courier delivery"},
                 "channel": "email", "events": [{"event": "Order Delivered"}]}]}]}),
    )
    .await
    .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = put(
        "/api/v1/segments/loyal_seg",
        json!({"key": "loyal_seg", "name": {"pl": "Stali klienci", "en": "Regulars"},
               "rule": {"attribute": "plan", "op": "eq", "value": "pro"}}),
    )
    .await
    .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let mut b = polish_analyst(&app).await;
    let ids = [
        "rec_score",
        "parcel_q",
        "speed_row",
        "pack_row",
        "pay_q",
        "cod_opt",
        "courier_leg",
        "ship_stage",
        "loyal_seg",
    ];
    let pages = [
        "/app/w/acme".to_string(),
        "/app/w/acme/responses".to_string(),
        format!("/app/w/acme/responses/{last}"),
        format!("/app/w/acme/analyses?drivers_survey={id}"),
        "/app/w/acme/journeys/shop".to_string(),
    ];
    let mut seen = String::new();
    for path in &pages {
        let (status, html, _) = b.get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = visible(&html);
        for id in ids {
            assert!(!text.contains(id), "{path} shows the id {id}: {text}");
        }
        seen.push_str(&text);
    }
    for words in [
        "Dostawa kurierem",  // the touchpoint, in the breakdown and the filters
        "Stali klienci",     // the segment, in the filters
        "Za pobraniem",      // the option, on the response's page
        "Szybkość: ",        // a matrix row, on the response's page
        "Szybkość",          // a driver
        "Czy polecisz nas?", // the outcome
        "NPS 10",            // the inbox's scores
    ] {
        assert!(seen.contains(words), "no '{words}'");
    }
}

both_backends!(the_inbox_counts_what_its_filters_select_and_shows_the_time_of_day);
async fn the_inbox_counts_what_its_filters_select_and_shows_the_time_of_day(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    // 2026-03-02 10:30 UTC is 11:30 in Warsaw (the analytics time zone).
    const AT: i64 = 1_772_409_600_000 + 10 * 3_600_000 + 30 * 60_000;
    let scores: Vec<(i64, i64)> = (0..30).map(|i| (AT + i * 1000, i % 11)).collect();
    seed_nps(&app, &id, &scores).await;
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/responses").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Odpowiedzi: 30"), "{page}");
    assert!(
        page.contains("02.03.2026 11:30"),
        "local time of day: {page}"
    );
    assert!(
        page.contains("NPS: krytycy (0–6)"),
        "the band filter, in words"
    );
    // Scores 0-6 of 0..=10 repeated: 0-6, 11-17, 22-28 → 21 detractors.
    let (_, page, _) = b.get(&app, "/app/w/acme/responses?band=detractors").await;
    assert!(page.contains("Odpowiedzi: 21"), "{page}");
    let (_, page, _) = b
        .get(&app, "/app/w/acme/responses?band=promoters&contact=unknown")
        .await;
    assert!(page.contains("Odpowiedzi: 4"), "{page}");
}

both_backends!(customers_are_found_profiled_with_one_timeline_and_erased_in_the_web_app);
async fn customers_are_found_profiled_with_one_timeline_and_erased_in_the_web_app(app: TestApp) {
    use crate::customer_helpers::{T0, track};
    let id = app.published_survey(&nps_survey()).await;
    for (ext, name, city) in [
        ("k-1", "Jan Kowalski", "Kraków"),
        ("k-2", "Eva Nováková", "Brno"),
    ] {
        let r = app
            .request(reqwest::Method::POST, "/api/v1/contacts")
            .json(&json!({ "external_id": ext, "name": name, "email": format!("{ext}@example.com"),
                           "attributes": { "city": city },
                           "consents": { "email": { "granted": true, "at": "2026-01-05T10:00:00Z" } } }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let key = app.write_key().await;
    app.send_batch_ok(
        &key,
        vec![track(
            "k-1",
            "Order Delivered",
            T0,
            json!({ "late": true, "carrier": "DPD" }),
        )],
    )
    .await;
    app.submit_ok(
        &id,
        &json!({ "answers": { "nps": 2, "comment": "Paczka spóźniona o tydzień" },
                 "contact": { "external_id": "k-1" } }),
    )
    .await;
    let r = app
        .request(reqwest::Method::PUT, "/api/v1/segments/krakow")
        .json(
            &json!({ "key": "krakow", "name": { "pl": "Klienci z Krakowa", "en": "Kraków" },
                       "rule": { "attribute": "city", "op": "eq", "value": "Kraków" } }),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let (status, _, _) = viewer.get(&app, "/app/w/acme/contacts").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    user_in(
        &app,
        "agent@sklep.pl",
        "hasło agenta 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut agent = signed_in(&app, "agent@sklep.pl", "hasło agenta 1").await;
    let (status, list, _) = agent.get(&app, "/app/w/acme/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("Jan Kowalski") && list.contains("Eva Nováková"),
        "{list}"
    );
    // Search by an attribute value, folded: "krakow" finds "Kraków".
    let (_, found, _) = agent.get(&app, "/app/w/acme/contacts?q=krakow").await;
    assert!(
        found.contains("Jan Kowalski") && !found.contains("Eva Nováková"),
        "{found}"
    );
    let contact = found
        .split("/app/w/acme/contacts/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let (status, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{contact}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "k-1@example.com",
        "Kraków",
        "Klienci z Krakowa",
        "udzielona 05.01.2026",
        "Order Delivered",
        "late: true",
        "Checkout feedback",
        "NPS 2",
        "Paczka spóźniona o tydzień",
    ] {
        assert!(profile.contains(words), "no '{words}': {profile}");
    }
    // One timeline, newest first: the bad score (now) above the late delivery (March).
    let (score, delivery) = (
        profile.find("Paczka spóźniona").unwrap(),
        profile.find("Order Delivered").unwrap(),
    );
    assert!(score < delivery);
    assert!(
        !profile.contains("Usuń dane tego klienta"),
        "an agent cannot erase"
    );
    let csrf = hidden(&profile, "_csrf");
    let erase = format!("/app/w/acme/contacts/{contact}/erase");
    let (status, _, _) = agent
        .post(&app, &erase, &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    user_in(
        &app,
        "admin@sklep.pl",
        "hasło admina 1",
        Some("admin"),
        "pl",
    )
    .await;
    let mut admin = signed_in(&app, "admin@sklep.pl", "hasło admina 1").await;
    let (_, profile, _) = admin
        .get(&app, &format!("/app/w/acme/contacts/{contact}"))
        .await;
    assert!(profile.contains("Usuń dane tego klienta"));
    let csrf = hidden(&profile, "_csrf");
    let (status, _, location) = admin
        .post(&app, &erase, &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list, _) = admin.get(&app, &location.unwrap()).await;
    assert!(list.contains("Dane klienta zostały usunięte."), "{list}");
    assert!(
        list.contains("odpowiedzi 1, zdarzenia 1"),
        "the receipt: {list}"
    );
    assert!(!list.contains("Jan Kowalski"));
    let (status, _, _) = admin
        .get(&app, &format!("/app/w/acme/contacts/{contact}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, inbox, _) = admin.get(&app, "/app/w/acme/responses").await;
    assert!(
        !inbox.contains("Paczka spóźniona"),
        "the response went with them"
    );
}

both_backends!(a_definitions_problems_are_told_in_the_authors_language);
async fn a_definitions_problems_are_told_in_the_authors_language(app: TestApp) {
    let mut b = polish_analyst(&app).await;
    let (_, page, _) = b.get(&app, "/app/w/acme/surveys").await;
    let csrf = hidden(&page, "_csrf");
    let bad = json!({
        "title": { "pl": "Dostawa" }, "locales": ["pl"], "touchpoint": "delivery",
        "questions": [
            { "id": "q1", "type": "smiley", "text": { "pl": "Jak było?" } },
            { "id": "q2", "type": "rating", "min": 5, "max": 1, "text": { "pl": "Ocena" } }
        ]
    })
    .to_string();
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/surveys",
            &[("_csrf", &csrf), ("definition", &bad)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("questions[0].type"), "the path: {page}");
    assert!(page.contains("Musi być jednym z: nps"), "in Polish: {page}");
    assert!(
        page.contains("Minimum musi być mniejsze niż maksimum."),
        "{page}"
    );
    assert!(!page.contains("must be one of"), "no English left: {page}");
}

/// Contacts a and b on the Pro plan, c on the free one.
async fn three_plans(app: &TestApp) {
    for (ext, plan) in [("a", "pro"), ("b", "pro"), ("c", "free")] {
        let r = app
            .request(reqwest::Method::POST, "/api/v1/contacts")
            .json(&json!({ "external_id": ext, "attributes": { "plan": plan } }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
}

both_backends!(segments_and_journeys_are_listed_and_edited_as_validated_definitions);
async fn segments_and_journeys_are_listed_and_edited_as_validated_definitions(app: TestApp) {
    three_plans(&app).await;
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/segments").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&page, "_csrf");
    // A refused definition: kept as typed, its problems in Polish by their place.
    let bad = json!({ "key": "Pro Plan!", "name": { "pl": "Pro" },
                      "rule": { "attribute": "plan", "op": "eq", "value": "pro" } })
    .to_string();
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/segments",
            &[("_csrf", &csrf), ("definition", &bad)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("Pro Plan!"), "kept as typed");
    assert!(page.contains("key"), "{page}");
    assert!(page.contains("Musi mieć 1–64 znaki"), "in Polish: {page}");
    // A good one is saved and listed by name with its members now.
    let good = json!({ "key": "pro", "name": { "pl": "Klienci Pro", "en": "Pro" },
                       "rule": { "attribute": "plan", "op": "eq", "value": "pro" } })
    .to_string();
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/segments",
            &[("_csrf", &csrf), ("definition", &good)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with("/app/w/acme/segments/pro"));
    let (_, list, _) = b.get(&app, "/app/w/acme/segments").await;
    assert!(
        list.contains("Klienci Pro") && list.contains("Klientów: 2"),
        "{list}"
    );
    // The API sees the same definition.
    assert_eq!(
        app.get_json("/api/v1/segments/pro").await["definition"]["name"]["pl"],
        "Klienci Pro"
    );
    // Edited in place: the key must stay.
    let (_, editor, _) = b.get(&app, "/app/w/acme/segments/pro").await;
    assert!(editor.contains("&quot;plan&quot;") || editor.contains("\"plan\""));
    let changed = good.replace("\"pro\"}", "\"free\"}");
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/segments/pro",
            &[("_csrf", &csrf), ("definition", &changed)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list, _) = b.get(&app, "/app/w/acme/segments").await;
    assert!(list.contains("Klientów: 1"), "{list}");
    // A viewer reads but cannot change.
    let (status, page, _) = viewer.get(&app, "/app/w/acme/segments/pro").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("readonly"));
    let (status, _, _) = viewer
        .post(
            &app,
            "/app/w/acme/segments/pro",
            &[("_csrf", &csrf), ("definition", &good)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Journeys alike, from the template.
    let template = puls_app::definitions::ECOMMERCE_TEMPLATE;
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions",
            &[("_csrf", &csrf), ("definition", template)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to:?}");
    let (_, list, _) = b.get(&app, "/app/w/acme/journey-definitions").await;
    assert!(
        list.contains("Ścieżka klienta sklepu internetowego"),
        "{list}"
    );
    assert!(list.contains("Informacja → Rozważanie"), "{list}");
}

/// The segment form's fields for "plan is pro", with `extra` after them.
fn segment_form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("_csrf", csrf),
        ("editor", "form"),
        ("key", "pro_form"),
        ("name.pl", "Pro z formularza"),
        ("combinator", "all"),
        ("c0.kind", "attribute"),
        ("c0.subject", "plan"),
        ("c0.op", "eq"),
        ("c0.value", "pro"),
    ];
    f.extend_from_slice(extra);
    f
}

both_backends!(a_segment_is_built_in_the_form_condition_by_condition);
async fn a_segment_is_built_in_the_form_condition_by_condition(app: TestApp) {
    three_plans(&app).await;
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/new-segment").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Kto należy do segmentu"), "{page}");
    assert!(page.contains("Warunek 1"));
    let csrf = hidden(&page, "_csrf");
    let base = |extra: &[(&'static str, &'static str)]| segment_form(&csrf, extra);
    // Adding a condition changes the form and saves nothing.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/segments",
            &base(&[("action", "add"), ("new_kind", "event")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Warunek 2: Wykonał zdarzenie"), "{page}");
    assert!(page.contains("value=\"pro\""), "the first is kept as typed");
    crate::helpers::expect_error(app.get("/api/v1/segments/pro_form").await, 404, "not_found")
        .await;
    // A refused one comes back as typed, its problems placed in words, in Polish.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/segments",
            &base(&[
                ("c1.kind", "event"),
                ("c1.subject", "Order Completed"),
                ("c1.min", "dwa"),
                ("action", "save"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("Warunek 2 · Co najmniej (razy)"), "{page}");
    assert!(page.contains("value=\"dwa\""), "kept as typed");
    // Saved: the API has the same rule, the list counts its members.
    let (status, _, to) = b
        .post(&app, "/app/w/acme/segments", &base(&[("action", "save")]))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with("/app/w/acme/segments/pro_form"));
    let def = &app.get_json("/api/v1/segments/pro_form").await["definition"];
    assert_eq!(
        def["rule"],
        json!({"all": [{"attribute": "plan", "op": "eq", "value": "pro"}]})
    );
    assert_eq!(def["name"], json!({"pl": "Pro z formularza"}));
    let (_, list, _) = b.get(&app, "/app/w/acme/segments").await;
    assert!(list.contains("Klientów: 2"), "{list}");
    // Edited in the form: negated, it holds the one customer who is not on Pro.
    let (_, editor, _) = b.get(&app, "/app/w/acme/segments/pro_form").await;
    assert!(editor.contains("value=\"plan\"") && editor.contains("Edytuj jako JSON"));
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/segments/pro_form",
            &base(&[("c0.not", "1"), ("action", "save")]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json("/api/v1/segments/pro_form").await["definition"]["rule"]["all"][0]["not"]["value"],
        "pro"
    );
    let (_, list, _) = b.get(&app, "/app/w/acme/segments").await;
    assert!(list.contains("Klientów: 1"), "{list}");
    // A rule the form cannot show says so and stays editable as JSON.
    let r = app
        .request(reqwest::Method::PUT, "/api/v1/segments/nested")
        .json(
            &json!({"key": "nested", "name": {"pl": "Zagnieżdżony"}, "rule": {"all": [
            {"any": [{"attribute": "plan", "op": "eq", "value": "pro"},
                     {"attribute": "plan", "op": "eq", "value": "free"}]}]}}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (_, editor, _) = b.get(&app, "/app/w/acme/segments/nested").await;
    assert!(editor.contains("zagnieżdżone grupy"), "{editor}");
    assert!(!editor.contains("Warunek 1"));
    // A viewer sees the form but cannot change it.
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let (status, page, _) = viewer.get(&app, "/app/w/acme/segments/pro_form").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<fieldset disabled>"), "{page}");
    let (status, _, _) = viewer.get(&app, "/app/w/acme/new-segment").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = viewer
        .post(
            &app,
            "/app/w/acme/segments/pro_form",
            &base(&[("action", "save")]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The journey form's fields for view → (side) help → pay, changed or added to by `extra`.
fn journey_form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("_csrf", csrf),
        ("editor", "form"),
        ("key", "buy"),
        ("name.pl", "Zakupy"),
        ("window_days", "14"),
        ("target_nps", "20"),
        ("s0.key", "view"),
        ("s0.name.pl", "Oglądanie"),
        ("s0.t0.key", "page"),
        ("s0.t0.channel", "web"),
        ("s0.t0.surveys", ""),
        ("s0.t0.e0.kind", "event"),
        ("s0.t0.e0.name", "Viewed"),
        ("s1.key", "help"),
        ("s1.name.pl", "Pomoc"),
        ("s1.side", "1"),
        ("s1.return_days", "7"),
        ("s1.t0.key", "chat"),
        ("s1.t0.channel", "chat"),
        ("s1.t0.surveys", "support"),
        ("s1.t0.e0.kind", "event"),
        ("s1.t0.e0.name", "Chat"),
        ("s2.key", "pay"),
        ("s2.name.pl", "Płatność"),
        ("s2.t0.key", "pay"),
        ("s2.t0.channel", "web"),
        ("s2.t0.surveys", "checkout"),
        ("s2.t0.mot", "1"),
        ("s2.t0.e0.kind", "event"),
        ("s2.t0.e0.name", "Paid"),
        ("s2.t0.e0.where_property", "platform"),
        ("s2.t0.e0.where_op", "eq"),
        ("s2.t0.e0.where_value", "web"),
    ];
    for &(k, v) in extra {
        match f.iter_mut().find(|(key, _)| *key == k) {
            Some(field) => field.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

both_backends!(a_journey_is_built_in_the_form_stage_by_stage);
async fn a_journey_is_built_in_the_form_stage_by_stage(app: TestApp) {
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/new-journey").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Etapy i punkty styku") && page.contains("Etap 1"),
        "{page}"
    );
    let csrf = hidden(&page, "_csrf");
    let form = |extra: &[(&'static str, &'static str)]| journey_form(&csrf, extra);
    // Adding a stage changes the form and saves nothing.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions",
            &form(&[("action", "add_stage")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Etap 4"), "{page}");
    crate::helpers::expect_error(app.get("/api/v1/journeys/buy").await, 404, "not_found").await;
    // A refused one comes back as typed, its problems placed in words, in Polish.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions",
            &form(&[("s1.t0.channel", "fax"), ("s1.return_days", "tydzień")]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("Etap 2 · Punkt styku 1 · Kanał"), "{page}");
    assert!(
        page.contains("Etap 2 · Etap poboczny: powrót w ciągu"),
        "{page}"
    );
    assert!(page.contains("value=\"tydzień\""), "kept as typed");
    // Saved: the API has the same journey.
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions",
            &form(&[("action", "save")]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        to.unwrap()
            .starts_with("/app/w/acme/journey-definitions/buy")
    );
    let def = &app.get_json("/api/v1/journeys/buy").await["definition"];
    assert_eq!(def["conversion_window_days"], 14);
    assert_eq!(def["targets"]["nps"], 20.0);
    assert_eq!(def["stages"][1]["side"], true);
    assert_eq!(def["stages"][1]["return_within_days"], 7);
    assert_eq!(def["stages"][0]["touchpoints"][0]["surveys"], json!([]));
    assert_eq!(
        def["stages"][2]["touchpoints"][0],
        json!({"key": "pay", "name": "pay", "channel": "web", "moment_of_truth": true,
               "surveys": ["checkout"], "events": [{"event": "Paid",
               "where": [{"property": "platform", "op": "eq", "value": "web"}]}]})
    );
    // Its editor shows the form; moving a stage changes only the form.
    let (_, editor, _) = b.get(&app, "/app/w/acme/journey-definitions/buy").await;
    assert!(editor.contains("value=\"Płatność\"") && editor.contains("Edytuj jako JSON"));
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions/buy",
            &form(&[("action", "down:s0")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let at = |needle: &str| page.find(needle).unwrap();
    assert!(at("value=\"help\"") < at("value=\"view\""));
    // The template fits the form too.
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/journey-definitions",
            &[
                ("_csrf", csrf.as_str()),
                ("definition", puls_app::definitions::ECOMMERCE_TEMPLATE),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, editor, _) = b.get(&app, "/app/w/acme/journey-definitions/eshop").await;
    assert!(
        editor.contains("Etap 7") && editor.contains("value=\"60\""),
        "{editor}"
    );
    // A viewer sees the form but cannot change it.
    user(&app, "viewer@shop.cz", "viewer password 1", Some("viewer")).await;
    let mut viewer = signed_in(&app, "viewer@shop.cz", "viewer password 1").await;
    let (status, page, _) = viewer
        .get(&app, "/app/w/acme/journey-definitions/buy")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<fieldset disabled>"));
    let (status, _, _) = viewer.get(&app, "/app/w/acme/new-journey").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = viewer
        .post(
            &app,
            "/app/w/acme/journey-definitions/buy",
            &form(&[("action", "save")]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(the_analyses_funnel_runs_through_the_stages_one_picks);
async fn the_analyses_funnel_runs_through_the_stages_one_picks(app: TestApp) {
    let r = app
        .request(reqwest::Method::PUT, "/api/v1/journeys/shop")
        .json(&json!({"key": "shop", "name": {"pl": "Sklep"}, "stages": [
            {"key": "view", "name": {"pl": "Oglądanie"}, "touchpoints": [
                {"key": "page", "channel": "web", "events": [{"event": "Viewed"}]}]},
            {"key": "help", "name": {"pl": "Pomoc"}, "side": true, "touchpoints": [
                {"key": "chat", "channel": "chat", "events": [{"event": "Chat"}]}]},
            {"key": "buy", "name": {"pl": "Zakup"}, "touchpoints": [
                {"key": "pay", "channel": "web", "events": [{"event": "Paid"}]}]}]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/analyses?journey=shop").await;
    assert_eq!(status, StatusCode::OK);
    // Every stage can be picked; the main path is picked by default, the side stage not.
    assert!(page.contains("value=\"view\" checked"), "{page}");
    assert!(page.contains("value=\"buy\" checked"));
    assert!(page.contains("value=\"help\">") && page.contains("etap poboczny"));
    let funnel = |p: &str| {
        p.split("<tbody>")
            .nth(1)
            .map(|t| t.split("</tbody>").next().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let table = funnel(&page);
    assert!(table.contains("Oglądanie") && table.contains("Zakup") && !table.contains("Pomoc"));
    // Picking the side stage puts it in the funnel.
    let (_, page, _) = b
        .get(
            &app,
            "/app/w/acme/analyses?journey=shop&stages=view&stages=help",
        )
        .await;
    let table = funnel(&page);
    assert!(
        table.contains("Pomoc") && !table.contains("Zakup"),
        "{table}"
    );
    assert!(page.contains("value=\"help\" checked"));
}

both_backends!(owners_manage_webhooks_and_replay_what_was_sent_in_the_web_app);
async fn owners_manage_webhooks_and_replay_what_was_sent_in_the_web_app(app: TestApp) {
    user_in(
        &app,
        "wlasciciel@sklep.pl",
        "owner password 1",
        Some("owner"),
        "pl",
    )
    .await;
    let mut b = signed_in(&app, "wlasciciel@sklep.pl", "owner password 1").await;
    let (status, page, _) = b.get(&app, "/app/w/acme/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Brak webhooków") && page.contains("Jeszcze nic nie wysłano"),
        "{page}"
    );
    let csrf = hidden(&page, "_csrf");
    // A private address is refused, kept as typed, with the reason.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[
                ("_csrf", &csrf),
                ("action", "create"),
                ("url", "http://127.0.0.1:9/hook"),
                ("event", "response.completed"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("value=\"http://127.0.0.1:9/hook\""), "{page}");
    assert!(
        page.contains("Ten serwer nie wysyła na adresy prywatne"),
        "in Polish: {page}"
    );
    // A public one is added and its secret shown once.
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[
                ("_csrf", &csrf),
                ("action", "create"),
                ("url", "https://hooks.example.com/puls"),
                ("event", "response.completed"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let secret = hidden_by_id(&page, "new-secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert!(page.contains("Ukończona odpowiedź") && page.contains("Włączony"));
    let hooks = app.get_json("/api/v1/webhooks").await;
    let id = hooks[0]["id"].as_str().unwrap().to_string();
    // A Slack channel writes in the language picked (the author's by default).
    assert!(
        page.contains("<option value=\"pl\" selected>polski</option>"),
        "{page}"
    );
    let (status, page, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[
                ("_csrf", &csrf),
                ("action", "create"),
                ("url", "https://hooks.slack.example.com/services/x"),
                ("event", "case.created"),
                ("format", "slack"),
                ("locale", "cs"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html_unescape(&page).contains(" · czeski"), "{page}");
    let slack = app.get_json("/api/v1/webhooks").await[1].clone();
    assert_eq!(slack["locale"], "cs", "{slack}");
    let gone = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/webhooks/{}", slack["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    // Disabled, and enabled again, from the page.
    for (action, state) in [("disable", false), ("enable", true)] {
        let (status, _, _) = b
            .post(
                &app,
                "/app/w/acme/webhooks",
                &[("_csrf", &csrf), ("action", action), ("id", &id)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.get_json(&format!("/api/v1/webhooks/{id}")).await["enabled"],
            state
        );
    }
    let (_, page, _) = b.get(&app, "/app/w/acme/webhooks?notice=saved").await;
    assert!(page.contains("Włączony"), "{page}");
    // A new secret, shown once, different.
    let (_, page, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[("_csrf", &csrf), ("action", "rotate"), ("id", &id)],
        )
        .await;
    assert_ne!(hidden_by_id(&page, "new-secret"), secret);
    // What was sent: a failed message is sent again from the page.
    let job = puls_store::NewJob {
        id: "msg_0123456789abcdef0123456789abcdef".into(),
        workspace_id: app.workspace_id,
        channel: "webhook".into(),
        target_id: id.clone(),
        event_type: "response.completed".into(),
        payload: "{}".into(),
        next_at: 0,
    };
    app.store.enqueue(&[job]).await.unwrap();
    app.store
        .fail_job("msg_0123456789abcdef0123456789abcdef", "answered 500", 1)
        .await
        .unwrap();
    let (_, page, _) = b.get(&app, "/app/w/acme/webhooks").await;
    let page = html_unescape(&page);
    assert!(
        page.contains("nieudana")
            && page.contains("answered 500")
            && page.contains("https://hooks.example.com/puls")
            && page.matches("Ukończona odpowiedź").count() == 3,
        "the event in words: in the webhooks, the form and the messages: {page}"
    );
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[
                ("_csrf", &csrf),
                ("action", "replay"),
                ("id", "msg_0123456789abcdef0123456789abcdef"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().ends_with("notice=replayed"));
    let (_, page, _) = b.get(&app, "/app/w/acme/webhooks?notice=replayed").await;
    assert!(
        page.contains("czeka") && page.contains("Zostanie wkrótce wysłana ponownie"),
        "{page}"
    );
    // Deleted, only with the box ticked.
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[("_csrf", &csrf), ("action", "delete"), ("id", &id)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get_json("/api/v1/webhooks")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[
                ("_csrf", &csrf),
                ("action", "delete"),
                ("id", &id),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json("/api/v1/webhooks").await,
        serde_json::json!([])
    );
    // An analyst may not.
    let mut analyst = polish_analyst(&app).await;
    let (status, _, _) = analyst.get(&app, "/app/w/acme/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = analyst
        .post(
            &app,
            "/app/w/acme/webhooks",
            &[("_csrf", &csrf), ("action", "delete"), ("id", &id)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(agents_work_cases_in_the_web_app_in_their_language);
async fn agents_work_cases_in_the_web_app_in_their_language(app: TestApp) {
    let agent = user_in(
        &app,
        "agent@obchod.cz",
        "agent password 1",
        Some("agent"),
        "cs",
    )
    .await;
    user_in(
        &app,
        "divak@obchod.cz",
        "viewer password 1",
        Some("viewer"),
        "cs",
    )
    .await;
    let survey = app.published_survey(&crate::fixtures::nps_survey()).await;
    let r = app
        .submit_ok(
            &survey,
            &serde_json::json!({"answers": {"nps": 2, "comment": "Kurýr nepřišel"},
                                "contact": {"email": "jana@example.cz"}}),
        )
        .await;
    let rid = r["id"].as_str().unwrap();
    let mut b = signed_in(&app, "agent@obchod.cz", "agent password 1").await;
    // The response offers "open a case"; opening it twice finds the same case.
    let (status, page, _) = b.get(&app, &format!("/app/w/acme/responses/{rid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Otevřít případ"), "{page}");
    let csrf = hidden(&page, "_csrf");
    let open = format!("/app/w/acme/responses/{rid}/case");
    let (status, _, to) = b.post(&app, &open, &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case_url = to.unwrap();
    let (_, _, again) = b.post(&app, &open, &[("_csrf", &csrf)]).await;
    assert_eq!(again.as_deref(), Some(case_url.as_str()));
    let (_, page, _) = b.get(&app, &format!("/app/w/acme/responses/{rid}")).await;
    assert!(page.contains("Případ této odpovědi"), "{page}");

    // The case page, in Czech: words, not ids.
    let (status, page, _) = b.get(&app, &case_url).await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    for words in [
        "Otevřeno ručně",
        "Nový",
        "První odpověď",
        "V termínu",
        "termín ",
        "jana@example.cz",
        "Eva Svobodová",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(
        page.contains("e-maily (není nastaven smtp.host)"),
        "no SMTP here: {page}"
    );
    // Waiting for the customer pauses the clock; a note is kept.
    let revision = hidden(&page, "revision");
    let (status, _, _) = b
        .post(
            &app,
            &case_url,
            &[
                ("_csrf", &csrf),
                ("action", "change"),
                ("revision", &revision),
                ("status", "waiting"),
                ("priority", "high"),
                ("owner", &agent),
                ("root_cause", "kuryr_zpozdeni"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = b
        .post(
            &app,
            &case_url,
            &[
                ("_csrf", &csrf),
                ("action", "note"),
                ("text", "Volal jsem zákazníkovi."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&app, &case_url).await;
    let page = html_unescape(&page);
    for words in [
        "Čeká na zákazníka",
        "Pozastavený",
        "vysoká",
        "změnil(a) stav: Nový → Čeká na zákazníka",
        "přidal(a) poznámku: Volal jsem zákazníkovi.",
        "kuryr_zpozdeni",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    // An old revision is told, in Czech, and nothing changes.
    let (status, page, _) = b
        .post(
            &app,
            &case_url,
            &[
                ("_csrf", &csrf),
                ("action", "change"),
                ("revision", "1"),
                ("status", "resolved"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html_unescape(&page).contains("Někdo mezitím případ změnil"),
        "{page}"
    );
    // The queue: mine, with the case; overdue, without.
    let (_, page, _) = b.get(&app, "/app/w/acme/cases?view=mine").await;
    let page = html_unescape(&page);
    assert!(
        page.contains(&case_url) && page.contains("Čeká na zákazníka"),
        "{page}"
    );
    let (_, page, _) = b.get(&app, "/app/w/acme/cases?view=overdue").await;
    assert!(page.contains("Žádné případy"), "{page}");
    // The report counts the case, in Czech.
    let (status, page, _) = b.get(&app, "/app/w/acme/case-report").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    for words in [
        "Otevřených případů: 1, vyřešených: 0.",
        "Získaní zpět",
        "kuryr_zpozdeni",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    // The rules, in words; an agent reads them, an analyst writes them (problems placed).
    let (status, _) = json_of(
        app.send_json(
            reqwest::Method::POST,
            "/api/v1/alert-rules",
            &serde_json::json!({"key": "pokles-nps", "name": {"cs": "Pokles NPS"},
                "metric": {"of": "nps", "every": "month", "drop": {}},
                "actions": {"webhook": true}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201);
    let (status, page, _) = b.get(&app, "/app/w/acme/alert-rules").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    assert!(
        page.contains("Pokles NPS")
            && page.contains("NPS podle: Kontaktní bod, každý měsíc → zavolá webhooky"),
        "{page}"
    );
    let (status, _, _) = b
        .post(
            &app,
            "/app/w/acme/alert-rules",
            &[("_csrf", &csrf), ("definition", "{}")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not write rules");
    user_in(
        &app,
        "analytik@obchod.cz",
        "analyst password 1",
        Some("analyst"),
        "cs",
    )
    .await;
    let mut a = signed_in(&app, "analytik@obchod.cz", "analyst password 1").await;
    let (_, page, _) = a.get(&app, "/app/w/acme/alert-rules").await;
    let acsrf = hidden(&page, "_csrf");
    let (status, page, _) = a
        .post(
            &app,
            "/app/w/acme/alert-rules",
            &[
                ("_csrf", &acsrf),
                (
                    "definition",
                    r#"{"key": "k", "name": "x", "conditions": [{"score": {"metric": "nsp", "at_most": 6}}], "actions": {"webhook": true}}"#,
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html_unescape(&page).contains("conditions[0].score.metric"),
        "{page}"
    );
    // The analyst keeps the root-cause list on the report page (the agent has no form).
    let (_, page, _) = b.get(&app, "/app/w/acme/case-report").await;
    assert!(!page.contains("Seznam hlavních příčin"), "{page}");
    let (_, page, _) = a.get(&app, "/app/w/acme/case-report").await;
    assert!(
        html_unescape(&page).contains("Seznam hlavních příčin"),
        "{page}"
    );
    let (status, page, _) = a
        .post(
            &app,
            "/app/w/acme/root-causes",
            &[
                ("_csrf", &acsrf),
                ("c0.key", "kuryr_zpozdeni"),
                ("c0.name.cs", "Zpožděný kurýr"),
                ("c1.key", "Špatný obal"),
                ("c2.key", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(
        page.contains("Klíč · Špatný obal"),
        "the refused row, by its key: {page}"
    );
    assert!(
        page.contains("value=\"Zpožděný kurýr\""),
        "kept as typed: {page}"
    );
    let (status, _, to) = a
        .post(
            &app,
            "/app/w/acme/root-causes",
            &[
                ("_csrf", &acsrf),
                ("c0.key", "kuryr_zpozdeni"),
                ("c0.name.cs", "Zpožděný kurýr"),
                ("c1.key", "obal"),
                ("c2.key", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/app/w/acme/case-report"));
    let list = app.get_json("/api/v1/settings/root-causes").await;
    assert_eq!(
        list,
        serde_json::json!({"codes": [
            {"key": "kuryr_zpozdeni", "name": {"cs": "Zpožděný kurýr"}},
            {"key": "obal", "name": "obal"}]}),
        "{list}"
    );
    // The case's root cause (set before the list) reads by name now.
    let (_, page, _) = b.get(&app, &case_url).await;
    assert!(html_unescape(&page).contains("Zpožděný kurýr"), "{page}");
    // A viewer has no cases.
    let mut v = signed_in(&app, "divak@obchod.cz", "viewer password 1").await;
    let (status, _, _) = v.get(&app, "/app/w/acme/cases").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = v.get(&app, &case_url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(admins_keep_teams_and_members_find_their_teams_cases);
async fn admins_keep_teams_and_members_find_their_teams_cases(app: TestApp) {
    let admin = user_in(
        &app,
        "szef@sklep.pl",
        "admin password 1",
        Some("admin"),
        "pl",
    )
    .await;
    let agent = user_in(
        &app,
        "kurier@sklep.pl",
        "agent password 1",
        Some("agent"),
        "pl",
    )
    .await;
    user_in(
        &app,
        "inny@sklep.pl",
        "other password 1",
        Some("agent"),
        "pl",
    )
    .await;
    // A case given a team before there was a list.
    let (status, legacy) = json_of(
        app.send_json(
            reqwest::Method::POST,
            "/api/v1/cases",
            &serde_json::json!({"title": "Stara sprawa", "team": "legacy"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{legacy}");
    let mut a = signed_in(&app, "szef@sklep.pl", "admin password 1").await;
    let (status, page, _) = a.get(&app, "/app/w/acme/settings").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    for words in ["Zespoły", "Lider", "Członkowie", "Moje zespoły"] {
        assert!(page.contains(words), "{words}: {page}");
    }
    // Without smtp.host the page says e-mail is off, and how to turn it on.
    assert!(
        page.contains("E-mail jest wyłączony: Puls nic nie wysyła, dopóki administrator serwera nie ustawi smtp.host"),
        "{page}"
    );
    assert!(!page.contains("Wyślij mi wiadomość testową"), "{page}");
    let csrf = hidden(&page, "_csrf");
    // A refused row comes back as typed, named by its key.
    let (status, page, _) = a
        .post(
            &app,
            "/app/w/acme/teams",
            &[
                ("_csrf", csrf.as_str()),
                ("t0.key", "Kurierzy Śląsk"),
                ("t0.name.pl", "Kurierzy"),
                ("t0.lead", admin.as_str()),
                ("t0.member", agent.as_str()),
                ("t1.key", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("Klucz · Kurierzy Śląsk"), "{page}");
    assert!(page.contains("value=\"Kurierzy\""), "kept as typed: {page}");
    let (status, _, to) = a
        .post(
            &app,
            "/app/w/acme/teams",
            &[
                ("_csrf", csrf.as_str()),
                ("t0.key", "couriers"),
                ("t0.name.pl", "Kurierzy"),
                ("t0.name.en", "Couriers"),
                ("t0.lead", admin.as_str()),
                ("t0.member", agent.as_str()),
                ("t1.key", "returns"),
                ("t1.lead", ""),
                ("t2.key", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=saved#teams")
    );
    assert_eq!(
        app.get_json("/api/v1/settings/teams").await,
        serde_json::json!({"teams": [
            {"key": "couriers", "name": {"pl": "Kurierzy", "en": "Couriers"},
             "lead": admin, "members": [agent]},
            {"key": "returns", "name": "returns", "members": []}]})
    );
    let (_, page, _) = a.get(&app, "/app/w/acme/settings").await;
    assert!(
        page.contains(&format!("name=\"t0.member\" value=\"{agent}\" checked")),
        "the members are ticked: {page}"
    );
    // The rule form offers the teams by name.
    let (_, page, _) = a.get(&app, "/app/w/acme/new-alert-rule").await;
    assert!(
        html_unescape(&page).contains("<option value=\"couriers\">Kurierzy</option>"),
        "{page}"
    );

    // The team's member finds its case under "My teams", named; someone in no team is
    // told why the view is empty.
    let (status, case) = json_of(
        app.send_json(
            reqwest::Method::POST,
            "/api/v1/cases",
            &serde_json::json!({"title": "Paczka rzucona", "team": "couriers"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let mut k = signed_in(&app, "kurier@sklep.pl", "agent password 1").await;
    let (status, page, _) = k.get(&app, "/app/w/acme/cases?view=team").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    assert!(
        page.contains("Paczka rzucona") && page.contains("Kurierzy"),
        "{page}"
    );
    let mut o = signed_in(&app, "inny@sklep.pl", "other password 1").await;
    let (_, page, _) = o.get(&app, "/app/w/acme/cases?view=team").await;
    let page = html_unescape(&page);
    assert!(!page.contains("Paczka rzucona"), "{page}");
    assert!(page.contains("Nie należysz do żadnego zespołu"), "{page}");
    // The case page offers the teams by name; an agent may not change the list.
    let case_url = format!("/app/w/acme/cases/{}", case["id"].as_str().unwrap());
    let (_, page, _) = k.get(&app, &case_url).await;
    let page = html_unescape(&page);
    assert!(
        page.contains("<option value=\"couriers\" selected>Kurierzy</option>"),
        "{page}"
    );
    let kcsrf = hidden(&page, "_csrf");
    let (status, _, _) = k
        .post(
            &app,
            "/app/w/acme/teams",
            &[("_csrf", kcsrf.as_str()), ("t0.key", "mine")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status = change_team(&mut k, &app, &case_url, &page, "returns").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = k.get(&app, &case_url).await;
    let page = html_unescape(&page);
    assert!(
        page.contains("zespół: Kurierzy → returns"),
        "named in the history: {page}"
    );
    // The old case's team, off the list, stays offered and selected: saving the form
    // without touching it keeps it.
    let legacy_url = format!("/app/w/acme/cases/{}", legacy["id"].as_str().unwrap());
    let (_, page, _) = k.get(&app, &legacy_url).await;
    assert!(
        page.contains("<option value=\"legacy\" selected>legacy</option>"),
        "{page}"
    );
    let status = change_team(&mut k, &app, &legacy_url, &page, "legacy").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = app
        .get_json(&format!("/api/v1/cases/{}", legacy["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (stored["team"].as_str(), stored["status"].as_str()),
        (Some("legacy"), Some("in_progress"))
    );
}

both_backends!(
    an_owner_sends_a_test_email_through_the_configured_relay,
    |config| {
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn an_owner_sends_a_test_email_through_the_configured_relay(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    app.spawn_worker_mailing_to(&smtp);
    user_in(
        &app,
        "wlasciciel@sklep.pl",
        "owner password 1",
        Some("owner"),
        "pl",
    )
    .await;
    user_in(
        &app,
        "agent@sklep.pl",
        "agent password 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut o = signed_in(&app, "wlasciciel@sklep.pl", "owner password 1").await;
    let (_, page, _) = o.get(&app, "/app/w/acme/settings").await;
    let page = html_unescape(&page);
    assert!(
        page.contains(
            "Puls wysyła e-maile przez 127.0.0.1:587 (STARTTLS) jako Puls <puls@localhost>."
        ),
        "the relay in words, no password: {page}"
    );
    assert!(
        page.contains("Wyślij mi wiadomość testową (wlasciciel@sklep.pl)"),
        "{page}"
    );
    let csrf = hidden(&page, "_csrf");
    let (status, _, to) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", csrf.as_str()), ("action", "smtp_test")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        to.as_deref(),
        Some("/app/w/acme/settings?notice=test_email")
    );
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(mail[0]["to"], "wlasciciel@sklep.pl");
    assert_eq!(mail[0]["subject"], "Puls: wiadomość testowa");
    let text = mail[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Dzień dobry Eva Svobodová") && text.contains("przez 127.0.0.1:587"),
        "{text}"
    );
    // Only those who manage the workspace may.
    let mut a = signed_in(&app, "agent@sklep.pl", "agent password 1").await;
    let (_, page, _) = a.get(&app, "/app/w/acme/cases").await;
    let acsrf = hidden(&page, "_csrf");
    let (status, _, _) = a
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", acsrf.as_str()), ("action", "smtp_test")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(smtp.messages().len(), 1, "nothing else went out");
}

/// Posts a case page's change form (shown as `page`): in progress, normal priority, no
/// owner or root cause, and `team`.
async fn change_team(
    b: &mut Browser,
    app: &TestApp,
    url: &str,
    page: &str,
    team: &str,
) -> StatusCode {
    let (csrf, revision) = (hidden(page, "_csrf"), hidden(page, "revision"));
    let (status, _, _) = b
        .post(
            app,
            url,
            &[
                ("_csrf", csrf.as_str()),
                ("action", "change"),
                ("revision", revision.as_str()),
                ("status", "in_progress"),
                ("priority", "normal"),
                ("owner", ""),
                ("team", team),
                ("root_cause", ""),
            ],
        )
        .await;
    status
}

/// A form's fields as the browser helper takes them.
fn as_refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The `<tr>` of a table that holds `needle`.
fn row_with<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html
        .find(needle)
        .unwrap_or_else(|| panic!("no '{needle}' in {html}"));
    let start = html[..at].rfind("<tr>").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

both_backends!(
    a_survey_is_sent_by_email_from_the_web_app_and_followed_to_each_contact,
    |config| {
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_survey_is_sent_by_email_from_the_web_app_and_followed_to_each_contact(app: TestApp) {
    let survey = app
        .published_survey(&json!({
            "title": { "pl": "Dostawa", "en": "Delivery" },
            "locales": ["pl", "en"], "default_locale": "pl", "touchpoint": "delivery",
            "questions": [
                { "id": "nps", "type": "nps", "required": true,
                  "text": { "pl": "Czy polecisz nas?", "en": "Would you recommend us?" } }
            ]
        }))
        .await;
    let mut ids = Vec::new();
    for body in [
        json!({ "name": "Anna Nowak", "email": "anna@sklep.pl", "locale": "pl" }),
        json!({ "name": "Jan Novák", "email": "jan@obchod.cz", "locale": "cs" }),
        json!({ "name": "Piotr Bezadresowy", "external_id": "no-mail", "locale": "pl" }),
    ] {
        let (status, c) = json_of(
            app.request(reqwest::Method::POST, "/api/v1/contacts")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(status.is_success(), "{c}");
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let no_mail = &ids[2];
    user_in(
        &app,
        "analityk@sklep.pl",
        "hasło analityka 1",
        Some("analyst"),
        "pl",
    )
    .await;
    let mut b = signed_in(&app, "analityk@sklep.pl", "hasło analityka 1").await;
    let (status, page, _) = b.get(&app, "/app/w/acme/distributions").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    assert!(
        page.contains("href=\"/app/w/acme/distributions\" aria-current=\"page\">Wysyłki</a>"),
        "in the navigation: {page}"
    );
    assert!(page.contains("Nie ma jeszcze żadnych wysyłek."), "{page}");
    assert!(
        page.contains(&format!("<option value=\"{survey}\">Dostawa</option>")),
        "published surveys by their title: {page}"
    );
    let csrf = hidden(&page, "_csrf");
    let nonce = hidden(&page, "k");
    assert_eq!(nonce.len(), 32, "the form's own key");
    let form = |name: &'static str, count: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("survey", survey.clone()),
            ("name", name.to_string()),
            ("audience", "all".to_string()),
            ("embed", "yes".to_string()),
            ("reminders_count", count.to_string()),
            ("reminders_after", "48".to_string()),
            ("send_at", String::new()),
            ("window_from", "09:00".to_string()),
            ("window_to", "18:00".to_string()),
            ("k", nonce.clone()),
        ]
    };

    // Problems come back next to their fields, in Polish, with the form as typed.
    let bad = form("", "9");
    let (status, page, _) = b
        .post(&app, "/app/w/acme/distributions", &as_refs(&bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("<p class=\"field-error\" id=\"d-name-error\">Nie może być puste.</p>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<p class=\"field-error\" id=\"d-reminders_count-error\">Musi być od 0 do 5.</p>"
        ),
        "{page}"
    );
    assert!(
        page.contains("name=\"reminders_count\" min=\"0\" max=\"5\" step=\"1\" value=\"9\""),
        "kept as typed: {page}"
    );
    // A draft cannot be sent: said in words at the survey.
    let draft = app.create_survey(&nps_survey()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut drafted = form("Szkic", "0");
    drafted[1].1 = draft;
    let (status, page, _) = b
        .post(&app, "/app/w/acme/distributions", &as_refs(&drafted))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(
            "id=\"d-survey-error\">Ta ankieta jest szkicem: opublikuj ją przed wysłaniem.</p>"
        ),
        "{page}"
    );

    // Sent: the report opens.
    let good = form("Po dostawie – grudzień", "2");
    let (status, _, to) = b
        .post(&app, "/app/w/acme/distributions", &as_refs(&good))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = to.unwrap();
    let id = to
        .strip_prefix("/app/w/acme/distributions/")
        .and_then(|r| r.strip_suffix("?notice=created"))
        .unwrap_or_else(|| panic!("{to}"))
        .to_string();
    // The same form sent again (a double click, a reload) sends nothing more.
    let (status, _, again) = b
        .post(&app, "/app/w/acme/distributions", &as_refs(&good))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(again.as_deref(), Some(to.as_str()));
    let listed = app.get_json("/api/v1/distributions").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let api = app.get_json(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(api["name"], "Po dostawie – grudzień", "{api}");
    assert_eq!(api["counts"]["recipients"], 3, "{api}");
    assert_eq!(api["counts"]["queued"], 2, "{api}");
    let (status, page, _) = b.get(&app, &to).await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    for words in [
        "Ankieta jest w drodze",
        "<dt>W kolejce</dt><dd>2</dd>",
        "<dt>Niewysłane</dt><dd>1<ul><li>brak adresu e-mail: 1</li></ul></dd>",
        "<dt>Odbiorcy</dt><dd>3</dd>",
        "Wszystkie kontakty",
        "Tak: jedno kliknięcie odpowiada na pierwsze pytanie",
        "Najwyżej 2, co 48 godz., tylko do tych, którzy nie ukończyli",
        "09:00–18:00, w strefie czasowej kontaktu, a w przeciwnym razie",
        "Od razu po utworzeniu",
        "Eva Svobodová",
        "anna@sklep.pl",
        "<td data-label=\"Status\">Czeka na wysłanie</td><td data-label=\"Wysłano\">zaplanowana na ",
        &format!("<a href=\"/app/w/acme/contacts/{no_mail}\">Piotr Bezadresowy</a>"),
        "Niewysłana: brak adresu e-mail",
    ] {
        assert!(page.contains(words), "no '{words}': {page}");
    }

    // The survey's reach: by channel and in all, for everyone or a segment.
    let (status, reach, _) = b
        .get(&app, &format!("/app/w/acme/reach?survey={survey}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let reach = html_unescape(&reach);
    for words in [
        "<h1>Zasięg</h1>",
        "<th scope=\"row\">E-mail</th><td class=\"n\">3</td>",
        "<th scope=\"row\">Wszystkie kanały</th><td class=\"n\">3</td>",
    ] {
        assert!(reach.contains(words), "no '{words}': {reach}");
    }

    // Listed with its counts: 3 recipients, none sent yet, 1 not sent; no rate yet.
    let (_, list, _) = b.get(&app, "/app/w/acme/distributions").await;
    let list = html_unescape(&list);
    let row = row_with(&list, "Po dostawie – grudzień");
    assert!(
        row.contains("<span class=\"sr\">Ankieta: </span>Dostawa · "),
        "the survey by title, under the name: {row}"
    );
    assert!(row.contains("<td>Aktywna</td>"), "{row}");
    assert!(
        row.contains(
            "<td class=\"n\">3</td><td class=\"n\">0</td><td class=\"n\">0</td>\
             <td class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">0</td>\
             <td class=\"n\">0</td><td>–</td>"
        ),
        "{row}"
    );

    // Cancelled: nothing more goes out, and the button is gone.
    let csrf = hidden(&page, "_csrf");
    let (status, _, to) = b
        .post(
            &app,
            &format!("/app/w/acme/distributions/{id}/cancel"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&app, &to.unwrap()).await;
    assert!(
        page.contains("Anulowano: nic więcej nie wyjdzie.") && page.contains("Anulowana"),
        "{page}"
    );
    assert!(!page.contains("Anuluj wysyłkę"), "{page}");
    let api = app.get_json(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(api["status"], "cancelled", "{api}");
    // A forged cancel is refused.
    let (status, _, _) = b
        .post(
            &app,
            &format!("/app/w/acme/distributions/{id}/cancel"),
            &[("_csrf", "forged")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Why was this person not asked? Their profile says it in words.
    let (status, profile, _) = b
        .get(&app, &format!("/app/w/acme/contacts/{no_mail}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let profile = html_unescape(&profile);
    assert!(profile.contains("Zaproszenia"), "{profile}");
    assert!(
        profile.contains(&format!(
            "<a href=\"/app/w/acme/distributions/{id}\">Po dostawie – grudzień</a>"
        )),
        "{profile}"
    );
    assert!(
        profile.contains("Niewysłana: brak adresu e-mail"),
        "{profile}"
    );
    assert!(!profile.contains("no_address"), "no codes: {profile}");

    // Agents see contacts but do not send surveys: the invitation without its link, and no
    // distributions pages.
    user_in(
        &app,
        "agent@sklep.pl",
        "hasło agenta 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut agent = signed_in(&app, "agent@sklep.pl", "hasło agenta 1").await;
    let (_, profile, _) = agent
        .get(&app, &format!("/app/w/acme/contacts/{no_mail}"))
        .await;
    let profile = html_unescape(&profile);
    assert!(
        profile.contains("<td>Po dostawie – grudzień</td>") && !profile.contains("Wysyłki"),
        "{profile}"
    );
    for path in [
        "/app/w/acme/distributions".to_string(),
        format!("/app/w/acme/distributions/{id}"),
    ] {
        let (status, _, _) = agent.get(&app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

both_backends!(
    a_trigger_is_created_followed_paused_and_resumed_in_the_web_app_in_words,
    |config| {
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_trigger_is_created_followed_paused_and_resumed_in_the_web_app_in_words(app: TestApp) {
    let survey = app
        .published_survey(&json!({
            "title": { "pl": "Dostawa", "en": "Delivery" },
            "locales": ["pl", "en"], "default_locale": "pl", "touchpoint": "delivery",
            "questions": [
                { "id": "nps", "type": "nps", "required": true,
                  "text": { "pl": "Czy polecisz nas?", "en": "Would you recommend us?" } }
            ]
        }))
        .await;
    let (status, contact) = json_of(
        app.request(reqwest::Method::POST, "/api/v1/contacts")
            .json(&json!({ "name": "Anna Nowak", "email": "anna@sklep.pl", "locale": "pl" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{contact}");
    let contact = contact["id"].as_str().unwrap().to_string();
    user_in(
        &app,
        "analityk@sklep.pl",
        "hasło analityka 1",
        Some("analyst"),
        "pl",
    )
    .await;
    let mut b = signed_in(&app, "analityk@sklep.pl", "hasło analityka 1").await;

    // Beside Distributions, with a word on what a trigger is before there is any.
    let (_, page, _) = b.get(&app, "/app/w/acme/distributions").await;
    assert!(
        page.contains("<a href=\"/app/w/acme/triggers\">Wyzwalacze</a>"),
        "{page}"
    );
    let (status, page, _) = b.get(&app, "/app/w/acme/triggers").await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    assert!(
        page.contains("href=\"/app/w/acme/distributions\" aria-current=\"page\">Wysyłki</a>")
            && page.contains("href=\"/app/w/acme/triggers\" aria-current=\"page\">Wyzwalacze</a>"),
        "in the navigation: {page}"
    );
    assert!(
        page.contains("Nie ma jeszcze żadnych wyzwalaczy.")
            && page.contains("Wyzwalacz zaprasza kontakt e-mailem"),
        "{page}"
    );
    assert!(
        page.contains(&format!("<option value=\"{survey}\">Dostawa</option>")),
        "published surveys by their title: {page}"
    );
    let csrf = hidden(&page, "_csrf");
    let form = |event: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("survey", survey.clone()),
            ("name", "Po dostawie".to_string()),
            ("event", event.to_string()),
            ("where_property", "total".to_string()),
            ("where_op", "gte".to_string()),
            ("where_value", "100".to_string()),
            ("occurrence", "order_id".to_string()),
            ("delay", "2".to_string()),
            ("delay_unit", "days".to_string()),
            ("cancel_event", "Order Returned".to_string()),
            ("expires", "72".to_string()),
            ("embed", "yes".to_string()),
            ("reminders_count", "1".to_string()),
            ("reminders_after", "48".to_string()),
        ]
    };

    // A problem comes back next to its field, in Polish, with the form as typed.
    let (status, page, _) = b
        .post(&app, "/app/w/acme/triggers", &as_refs(&form("")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("<p class=\"field-error\" id=\"t-event-error\">Nie może być puste.</p>"),
        "{page}"
    );
    assert!(
        page.contains("aria-describedby=\"t-event-hint t-event-error\" aria-invalid=\"true\""),
        "{page}"
    );
    for kept in [
        "name=\"name\" value=\"Po dostawie\"",
        "name=\"where_property\" value=\"total\"",
        "<option value=\"gte\" selected>co najmniej</option>",
        "name=\"occurrence\" value=\"order_id\"",
        "name=\"cancel_event\" value=\"Order Returned\"",
        "<option value=\"days\" selected>Dni</option>",
        "name=\"embed\" value=\"yes\" checked",
    ] {
        assert!(page.contains(kept), "kept as typed: '{kept}': {page}");
    }

    // Created: its page opens with its plan in words.
    let (status, _, to) = b
        .post(
            &app,
            "/app/w/acme/triggers",
            &as_refs(&form("Order Delivered")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = to.unwrap();
    let id = to
        .strip_prefix("/app/w/acme/triggers/")
        .and_then(|r| r.strip_suffix("?notice=created"))
        .unwrap_or_else(|| panic!("{to}"))
        .to_string();
    let api = app.get_json(&format!("/api/v1/triggers/{id}")).await;
    assert_eq!(api["definition"]["delay"]["minutes"], 2 * 24 * 60, "{api}");
    assert_eq!(
        api["definition"]["when"]["where"][0],
        json!({ "property": "total", "op": "gte", "value": 100 }),
        "{api}"
    );
    let (status, page, _) = b.get(&app, &to).await;
    assert_eq!(status, StatusCode::OK);
    let page = html_unescape(&page);
    for words in [
        "Wyzwalacz jest aktywny",
        "zdarzenie „Order Delivered” (właściwość „total”: co najmniej 100)",
        "osobę i wartość „order_id”",
        ">2 dni</dd>",
        "zdarzenie „Order Returned”",
        "72 godziny po terminie",
        "Tak: jedno kliknięcie odpowiada na pierwsze pytanie",
        "Najwyżej 1, co 48 godz., tylko do tych, którzy nie ukończyli",
        "Eva Svobodová",
        "<dt>Oczekujące</dt><dd>0</dd>",
        "Jeszcze nic się nie wydarzyło",
    ] {
        assert!(page.contains(words), "no '{words}': {page}");
    }

    // Listed with its delay in words.
    let (_, list, _) = b.get(&app, "/app/w/acme/triggers").await;
    let list = html_unescape(&list);
    assert!(
        !list.contains("Nie ma jeszcze żadnych wyzwalaczy."),
        "{list}"
    );
    let row = row_with(&list, "Po dostawie");
    for words in [
        "Ankieta: Dostawa",
        "Order Delivered (właściwość „total”: co najmniej 100)",
        "<td data-label=\"Opóźnienie\">2 dni</td>",
        "<td data-label=\"Status\">Aktywny</td>",
    ] {
        assert!(row.contains(words), "no '{words}': {row}");
    }

    // Paused: what comes due meanwhile is not sent, and the page says why in words.
    let csrf = hidden(&page, "_csrf");
    let (status, _, to) = b
        .post(
            &app,
            &format!("/app/w/acme/triggers/{id}/pause"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = to.unwrap();
    assert!(to.ends_with("?notice=paused"), "{to}");
    let api = app.get_json(&format!("/api/v1/triggers/{id}")).await;
    assert_eq!(api["status"], "paused", "{api}");
    let contact_id = puls_store::ContactId::parse(&contact).unwrap();
    app.app
        .trigger_occurrence(app.workspace_id, &id, &contact_id, Some("A-1"), None, false)
        .await
        .unwrap();
    let (_, page, _) = b.get(&app, &to).await;
    let page = html_unescape(&page);
    for words in [
        "Wstrzymano: nowe zdarzenia niczego nie uruchamiają",
        "<span class=\"badge\">Wstrzymany</span>",
        "Wznów wyzwalacz",
        "<dt>Oczekujące</dt><dd>1</dd>",
        "Czeka na swój termin",
        &format!("<a href=\"/app/w/acme/contacts/{contact}\">Anna Nowak</a>"),
    ] {
        assert!(page.contains(words), "no '{words}': {page}");
    }
    assert!(!page.contains("Wstrzymaj wyzwalacz"), "{page}");
    let settled = app
        .app
        .run_triggers(puls_store::now_ms() + 2 * 24 * 3_600_000 + 60_000)
        .await
        .unwrap();
    assert_eq!(settled, 1);
    let (_, page, _) = b.get(&app, &format!("/app/w/acme/triggers/{id}")).await;
    let page = html_unescape(&page);
    for words in [
        "<dt>Oczekujące</dt><dd>0</dd>",
        "<dt>Pominięte</dt><dd>1<ul><li>wyzwalacz był wstrzymany: 1</li></ul></dd>",
        "Pominięte: wyzwalacz był wstrzymany",
    ] {
        assert!(page.contains(words), "no '{words}': {page}");
    }
    assert!(
        !page.contains("trigger_paused") && !page.contains("skipped"),
        "no codes: {page}"
    );

    // Resumed.
    let (status, _, to) = b
        .post(
            &app,
            &format!("/app/w/acme/triggers/{id}/resume"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&app, &to.unwrap()).await;
    assert!(
        page.contains("Wznowiono: nowe zdarzenia znów uruchamiają zaproszenia.")
            && page.contains("<span class=\"badge\">Aktywny</span>")
            && page.contains("Wstrzymaj wyzwalacz"),
        "{page}"
    );
    let api = app.get_json(&format!("/api/v1/triggers/{id}")).await;
    assert_eq!(api["status"], "active", "{api}");
    // A forged pause is refused.
    let (status, _, _) = b
        .post(
            &app,
            &format!("/app/w/acme/triggers/{id}/pause"),
            &[("_csrf", "forged")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Agents do not send surveys: no triggers pages.
    user_in(
        &app,
        "agent@sklep.pl",
        "hasło agenta 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut agent = signed_in(&app, "agent@sklep.pl", "hasło agenta 1").await;
    for path in [
        "/app/w/acme/triggers".to_string(),
        format!("/app/w/acme/triggers/{id}"),
    ] {
        let (status, _, _) = agent.get(&app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }

    // Deleted only when the box says so; the list is empty again.
    let delete = format!("/app/w/acme/triggers/{id}/delete");
    let (status, _, _) = b.post(&app, &delete, &[("_csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, to) = b
        .post(
            &app,
            &delete,
            &[("_csrf", csrf.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list, _) = b.get(&app, &to.unwrap()).await;
    assert!(
        list.contains("Wyzwalacz został usunięty.")
            && list.contains("Nie ma jeszcze żadnych wyzwalaczy."),
        "{list}"
    );
    let (status, _, _) = b.get(&app, &format!("/app/w/acme/triggers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(an_analyst_adds_aspects_tries_a_comment_and_reads_problems_in_words);
async fn an_analyst_adds_aspects_tries_a_comment_and_reads_problems_in_words(app: TestApp) {
    let mut b = polish_analyst(&app).await;
    let (status, page, _) = b.get(&app, "/app/w/acme/aspects").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Aspekty odpowiedzi otwartych")
            && page.contains("Dostawa")
            && page.contains("wbudowany"),
        "{page}"
    );
    let csrf = hidden(&page, "_csrf");
    let save = |key: &'static str, mode: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("action", "save".to_string()),
            ("mode", mode.to_string()),
            ("key", key.to_string()),
        ]
    };

    // A new aspect with its names and keywords.
    let mut f = save("parking", "new");
    f.extend([
        ("label.pl", "Parking".to_string()),
        ("label.cs", "Parkování".to_string()),
        ("label.en", "Parking".to_string()),
        (
            "keywords.pl",
            "parking*\r\nmiejsc* parkingow*\r\n".to_string(),
        ),
        ("keywords.cs", "parkov*".to_string()),
        ("keywords.en", String::new()),
    ]);
    let (status, _, location) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&app, location.as_deref().unwrap()).await;
    let page = html_unescape(&page);
    assert!(
        page.contains("Parking")
            && page.contains("własny")
            && page.contains("parking*, miejsc* parkingow*"),
        "{page}"
    );
    let listed = app.get_json("/api/v1/text/aspects").await;
    assert_eq!(
        listed["aspects"][9]["labels"]["cs"], "Parkování",
        "{listed}"
    );

    // A built-in key typed as a new aspect, and problems, told in Polish at their fields.
    let mut f = save("delivery", "new");
    f.extend([
        ("label.pl", "Dostawa".to_string()),
        ("label.cs", "Doručení".to_string()),
        ("label.en", "Delivery".to_string()),
        ("keywords.pl", "dpd".to_string()),
    ]);
    let (status, page, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html_unescape(&page).contains("to aspekt wbudowany"),
        "{page}"
    );
    let mut f = save("garaz", "new");
    f.extend([
        ("label.pl", "Garaż".to_string()),
        ("label.cs", "".to_string()),
        ("label.en", "Garage".to_string()),
        ("keywords.pl", "garaż*\n-kurier".to_string()),
    ]);
    let (status, page, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html_unescape(&page);
    assert!(page.contains("Nazwa (czeski)"), "{page}");
    assert!(page.contains("Słowa kluczowe (polski), wiersz 2"), "{page}");
    assert!(page.contains("value=\"Garaż\""), "kept as typed: {page}");

    // Keywords added to a built-in aspect, in its own form.
    let (_, page, _) = b.get(&app, "/app/w/acme/aspects?edit=delivery").await;
    assert!(
        page.contains("Zmień: Dostawa") && !page.contains("id=\"a-pl\""),
        "{page}"
    );
    let mut f = save("delivery", "edit");
    f.push(("keywords.pl", "dpd\ninpost".to_string()));
    let (status, _, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let listed = app.get_json("/api/v1/text/aspects").await;
    assert_eq!(
        listed["aspects"][0]["keywords"]["pl"],
        json!(["dpd", "inpost"])
    );

    // A comment tried against the aspects as saved.
    let f = vec![
        ("_csrf", csrf.clone()),
        ("action", "try".to_string()),
        (
            "text",
            "Brak miejsc parkingowych, a paczkę z DPD odebrałem dopiero wieczorem.".to_string(),
        ),
        ("lang", "pl".to_string()),
    ];
    let (status, page, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html_unescape(&page).contains("Znalezione aspekty: Dostawa, Parking"),
        "{page}"
    );

    // The inbox offers it by its name.
    let (_, page, _) = b.get(&app, "/app/w/acme/responses").await;
    assert!(
        page.contains("<option value=\"parking\">Parking</option>"),
        "{page}"
    );

    // Deleting asks for the ticked box.
    let f = vec![
        ("_csrf", csrf.clone()),
        ("action", "delete".to_string()),
        ("key", "parking".to_string()),
    ];
    let (status, _, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = f;
    f.push(("confirm", "yes".to_string()));
    let (status, _, _) = post_aspects(&mut b, &app, &f).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let listed = app.get_json("/api/v1/text/aspects").await;
    assert_eq!(listed["aspects"].as_array().unwrap().len(), 9);

    // A viewer reads the answers but does not define what they are read for.
    user_in(&app, "widz@sklep.pl", "hasło widza 1", Some("viewer"), "pl").await;
    let mut v = signed_in(&app, "widz@sklep.pl", "hasło widza 1").await;
    let (status, _, _) = v.get(&app, "/app/w/acme/aspects").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Posts a form of the aspects page.
async fn post_aspects(
    b: &mut Browser,
    app: &TestApp,
    fields: &[(&str, String)],
) -> (StatusCode, String, Option<String>) {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(app, "/app/w/acme/aspects", &refs).await
}
