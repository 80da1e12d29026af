//! End to end through a real browser: headless Chromium driven over WebDriver
//! (`chromedriver`, Debian's `chromium-driver`), against a real server over a fresh
//! database, on SQLite and on PostgreSQL.
//!
//! The walk: set up the first owner with the one-time link, land on the overview, sign out
//! and in again, answer a survey on its public page as a respondent would, find the response
//! in the inbox by searching its open answer and open it, see the overview change, switch
//! the interface to Czech, look at it on a phone-sized screen, send the survey by e-mail
//! to the customers (a distribution; no worker runs, so nothing leaves), record a
//! customer's phone feedback by hand (a refused form first), sign out.
//! The loop (`the_loop_*`), against a real SMTP server (aiosmtpd): an owner writes an alert
//! rule in the rule form (a refused team key shown in words first); a detractor answers
//! through their personal link; the case is in an agent's queue; the agent replies from the
//! case page and the e-mail arrives; the agent resolves; the re-survey e-mail arrives and
//! the customer answers 9 through its link; the recovery report counts them.
//! Every main screen is saved as a PNG under `target/e2e-screenshots/` for a person to look
//! at (not committed), and checked with axe-core against WCAG 2.1 A and AA (keyboard
//! access, labels, contrast, names of images and regions); any violation fails the test.
//!
//! Needs `chromium` and `chromedriver` on the PATH (or `PULS_CHROMEDRIVER`) and axe-core in
//! `target/axe` (`npm install --prefix target/axe axe-core@4.14.1`); `.ci/run` installs them. Without them the test fails, unless `PULS_SKIP_BROWSER=1` says to skip,
//! which it then prints loudly.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use puls_app::{App, Config};
use puls_http::AppState;
use puls_store::ConnectOptions;
use puls_testdb::{Backend, TestDb, loud};
use serde_json::json;

/// chromedriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver, or says why it cannot (None: skipped on purpose).
async fn driver() -> Option<Driver> {
    let bin = std::env::var("PULS_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("PULS_SKIP_BROWSER").as_deref() == Ok("1") {
                loud("SKIPPED browser test: no chromedriver (PULS_SKIP_BROWSER=1)");
                return None;
            }
            panic!(
                "cannot start {bin}: {e}. Install Debian's chromium and chromium-driver \
                 (`.ci/run` does), or set PULS_SKIP_BROWSER=1 to skip loudly"
            );
        }
    };
    let d = Driver {
        child,
        port,
        _profile: tempfile::tempdir().expect("a profile directory"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(d);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port} within 10 s");
}

async fn browser(d: &Driver) -> Client {
    let profile = d._profile.path().display().to_string();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("PULS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
                format!("--user-data-dir={profile}"),
            ]
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("a browser session")
}

/// A server over a fresh database (rate limit off), its configuration changed by `tweak`.
async fn server(
    backend: Backend,
    tweak: impl FnOnce(&mut Config),
) -> Option<(String, App, TestDb, tokio::sync::oneshot::Sender<()>)> {
    let db = TestDb::create(backend).await?;
    let store = puls_store::connect(db.url(), &ConnectOptions { max_connections: 8 })
        .await
        .expect("opening the database");
    store.migrate().await.expect("migrating");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config::default();
    config.http.listen = addr.to_string();
    config.http.public_url = Some(format!("http://{addr}"));
    config.database.url = db.url().to_string();
    config.rate_limit.per_second = 0;
    tweak(&mut config);
    let app = App::new(store, config);
    let state = AppState::new(app.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = puls_http::serve(listener, state, async {
            let _ = rx.await;
        })
        .await;
    });
    Some((format!("http://{addr}"), app, db, tx))
}

struct Shots {
    dir: PathBuf,
    prefix: String,
    n: usize,
    /// axe-core's source, run on every page photographed.
    axe: Option<String>,
    /// Accessibility violations found, by page.
    violations: Vec<String>,
}

/// axe-core (npm), installed by `.ci/run` into `target/axe`; the accessibility check of
/// every screen needs it.
fn axe_source(target: &std::path::Path) -> String {
    let path = target.join("axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no {}: install it with `npm install --prefix target/axe axe-core@4.14.1` \
             (`.ci/run` does)",
            path.display()
        )
    })
}

impl Shots {
    fn new(backend: Backend) -> Shots {
        Shots::new_named(&format!("{backend:?}").to_lowercase())
    }

    fn new_named(prefix: &str) -> Shots {
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
        let dir = target.join("e2e-screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        let prefix = prefix.to_string();
        // This run's pictures only: an earlier walk may have had other steps.
        for old in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if old
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("{prefix}-"))
            {
                let _ = std::fs::remove_file(old.path());
            }
        }
        Shots {
            axe: Some(axe_source(&target)),
            dir,
            prefix,
            n: 0,
            violations: Vec::new(),
        }
    }

    /// Runs axe-core's WCAG 2.1 A and AA rules on the page and keeps what it finds.
    async fn check_accessibility(&mut self, c: &Client, name: &str) {
        let Some(axe) = &self.axe else { return };
        c.execute(axe, vec![]).await.expect("loading axe-core");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done(r.violations.map(v =>
                  `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)))
              .catch(e => done(['axe failed: ' + e]));
        "#;
        let found = c
            .execute_async(script, vec![])
            .await
            .expect("running axe-core");
        for v in found.as_array().into_iter().flatten() {
            self.violations
                .push(format!("{name}: {}", v.as_str().unwrap_or_default()));
        }
    }

    /// A screenshot of the whole page: the window is made as tall as the page first.
    async fn take_full(&mut self, c: &Client, name: &str) {
        let height = c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1000)
            .clamp(600, 4000);
        c.set_window_size(1280, height as u32 + 120).await.unwrap();
        self.take(c, name).await;
        c.set_window_size(1280, 1000).await.unwrap();
    }

    async fn take(&mut self, c: &Client, name: &str) {
        self.check_accessibility(c, name).await;
        self.n += 1;
        let png = c.screenshot().await.expect("a screenshot");
        let path = self
            .dir
            .join(format!("{}-{:02}-{name}.png", self.prefix, self.n));
        std::fs::write(&path, png).expect("saving a screenshot");
    }
}

/// The page's text; empty while a navigation replaces the page under our feet.
async fn text(c: &Client) -> String {
    match c.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn fill(c: &Client, id: &str, value: &str) {
    let e = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("no #{id}"));
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("nothing matches {css}"))
        .click()
        .await
        .unwrap();
}

/// Waits for a page whose text contains `needle`.
async fn wait_text(c: &Client, needle: &str) -> String {
    // Up to 30 s: a debug build on a busy machine hashes passwords slowly.
    for _ in 0..300 {
        let t = text(c).await;
        if t.contains(needle) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no page with {needle:?}; last page:\n{}", text(c).await);
}

async fn walk(backend: Backend) {
    let Some(d) = driver().await else { return };
    // A relay is named so a survey can be sent; no outbox worker runs, so nothing leaves.
    let Some((base, app, _db, _stop)) = server(backend, |config| {
        config.smtp.host = Some("127.0.0.1".into());
    })
    .await
    else {
        return;
    };
    let store = app.store();
    let c = browser(&d).await;
    let mut shots = Shots::new(backend);

    // 1. The one-time setup link, as `puls serve` prints it.
    let token = store.create_setup_token(3_600_000).await.unwrap().unwrap();
    c.goto(&format!("{base}/app/setup?token={token}"))
        .await
        .unwrap();
    wait_text(&c, "Set up Puls").await;
    shots.take(&c, "setup").await;
    fill(&c, "workspace", "Kavárna Ústí & <Co>").await;
    fill(&c, "name", "Ana Nováková").await;
    fill(&c, "email", "ana@kavarna.cz").await;
    fill(&c, "password", "short").await;
    click(&c, "button.primary").await;
    wait_text(&c, "at least 10 characters").await;
    shots.take(&c, "setup-error").await;
    fill(&c, "password", "káva s mlékem 2026").await;
    click(&c, "button.primary").await;
    let page = wait_text(&c, "Overview").await;
    assert!(
        page.contains("Kavárna Ústí & <Co>"),
        "the name, escaped and shown as typed"
    );
    assert!(page.contains("No responses in this period."));
    shots.take(&c, "overview-empty").await;

    // 2. Sign out and back in.
    click(&c, "form[action='/app/sign-out'] button").await;
    wait_text(&c, "You have signed out.").await;
    shots.take(&c, "signed-out").await;
    fill(&c, "email", "ana@kavarna.cz").await;
    fill(&c, "password", "wrong password!!").await;
    click(&c, "button.primary").await;
    wait_text(&c, "The email or the password is not right.").await;
    fill(&c, "email", "ana@kavarna.cz").await;
    fill(&c, "password", "káva s mlékem 2026").await;
    click(&c, "button.primary").await;
    wait_text(&c, "Overview").await;
    let url = c.current_url().await.unwrap();
    let slug = url.path().trim_start_matches("/app/w/").to_string();
    assert_eq!(slug, "kavarna-usti-co");

    // 3. A survey made in the builder, previewed, published, answered on its public page.
    click(&c, &format!("nav a[href='/app/w/{slug}/surveys']")).await;
    wait_text(&c, "No surveys yet.").await;
    fill(&c, "new-name", "After your visit").await;
    fill(&c, "new-tp", "cafe").await;
    for l in ["pl", "cs"] {
        click(&c, &format!("input[name='locales'][value='{l}']")).await;
    }
    shots.take(&c, "surveys-new").await;
    click(&c, "form[action$='/surveys'] button.primary").await;
    wait_text(
        &c,
        "How likely are you to recommend us to a friend or colleague?",
    )
    .await;
    fill(&c, "title-cs", "Po vaší návštěvě").await;
    fill(&c, "title-pl", "Po wizycie").await;
    let add = c.find(Locator::Id("add-type")).await.unwrap();
    add.select_by_value("open_text").await.unwrap();
    click(&c, "button[value='add']").await;
    wait_text(&c, "Changes not saved yet.").await;
    fill(&c, "q1-text-en", "What made you say that?").await;
    fill(&c, "q1-text-cs", "Proč?").await;
    fill(&c, "q1-text-pl", "Dlaczego?").await;
    // Skip logic: ask why of everyone who answered the first question with at least 0
    // (all of them), which takes the condition through the editor and the respondent page.
    click(&c, "fieldset[aria-labelledby='q1-h'] details summary").await;
    c.find(Locator::Id("q1-sq"))
        .await
        .unwrap()
        .select_by_value("q1")
        .await
        .unwrap();
    c.find(Locator::Id("q1-so"))
        .await
        .unwrap()
        .select_by_value("gte")
        .await
        .unwrap();
    fill(&c, "q1-sv", "0").await;
    shots.take(&c, "builder").await;
    click(&c, "button[value='publish']").await;
    let page = wait_text(&c, "Published: respondents can answer at the link below.").await;
    assert!(page.contains("Proč?") || c.source().await.unwrap().contains("Proč?"));
    shots.take(&c, "builder-published").await;
    let link = c
        .find(Locator::Id("link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .expect("the link");
    let id = link.rsplit('/').next().unwrap().to_string();
    // The preview, as respondents see it, in Czech.
    c.goto(&format!(
        "{base}/app/w/{slug}/surveys/{id}/preview/0?lang=cs"
    ))
    .await
    .unwrap();
    wait_text(&c, "Jak pravděpodobně byste nás doporučili").await;
    shots.take(&c, "preview-cs").await;
    c.goto(&format!("{base}/s/{id}?channel=web&lang=en"))
        .await
        .unwrap();
    wait_text(
        &c,
        "How likely are you to recommend us to a friend or colleague?",
    )
    .await;
    shots.take(&c, "survey-page").await;
    let radio = c
        .find(Locator::Css("input[type=radio][value='9']"))
        .await
        .expect("the 9 of the scale");
    // The page lays the radio over its label, as a big tap target: click what a finger would.
    radio.click().await.unwrap();
    click(&c, "button.pri").await;
    wait_text(&c, "What made you say that?").await;
    fill(&c, "a", "Výborná káva, ale dlouhá fronta").await;
    click(&c, "button.pri").await;
    wait_text(&c, "Thank you").await;
    shots.take(&c, "survey-thanks").await;

    // 4. The response in the inbox, found by a search without accents, and its detail.
    c.goto(&format!("{base}/app/w/{slug}")).await.unwrap();
    wait_text(&c, "Overview").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/responses']")).await;
    let page = wait_text(&c, "Search in open answers").await;
    assert!(page.contains("Výborná káva, ale dlouhá fronta"), "{page}");
    fill(&c, "f-q", "KAVA").await;
    click(&c, "form.filters button.primary").await;
    let page = wait_text(&c, "Responses searched").await;
    assert!(page.contains("Výborná káva"));
    shots.take(&c, "inbox-search").await;
    click(&c, "table tbody a").await;
    let page = wait_text(&c, "What made you say that?").await;
    assert!(page.contains("Výborná káva, ale dlouhá fronta") && page.contains("9"));
    shots.take(&c, "response").await;

    // 5. The overview counts it.
    c.goto(&format!("{base}/app/w/{slug}")).await.unwrap();
    let page = wait_text(&c, "Overview").await;
    assert!(page.contains("+100.0"), "one promoter: NPS +100\n{page}");
    assert!(page.contains("Responses: 1"));
    assert!(page.contains("Small sample"));
    shots.take(&c, "overview").await;

    // The journey map, a touchpoint and the analyses, over the e-commerce template.
    let ws = store.workspace_by_slug(&slug).await.unwrap().unwrap();
    let (_, api_key) = store.create_api_key(ws.id, "e2e").await.unwrap();
    let put = reqwest::Client::new()
        .put(format!("{base}/api/v1/journeys/eshop"))
        .bearer_auth(&api_key)
        .header("content-type", "application/json")
        .body(puls_app::definitions::ECOMMERCE_TEMPLATE)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    click(&c, &format!("nav a[href='/app/w/{slug}/journeys']")).await;
    wait_text(&c, "Courier delivery").await;
    shots.take(&c, "journey-map").await;
    click(&c, "a.tp").await;
    wait_text(&c, "In the funnel").await;
    shots.take(&c, "touchpoint").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/analyses']")).await;
    wait_text(&c, "Funnel").await;
    shots.take(&c, "analyses").await;

    // 6. Settings: invite a colleague (the link is shown once), create a tracking write key.
    click(&c, &format!("nav a[href='/app/w/{slug}/settings']")).await;
    wait_text(&c, "People and roles").await;
    fill(&c, "inv-email", "kolega@kavarna.cz").await;
    c.find(Locator::Id("inv-role"))
        .await
        .unwrap()
        .select_by_value("analyst")
        .await
        .unwrap();
    click(&c, "form input[value='invite'] ~ div button").await;
    wait_text(&c, "Invitation link").await;
    let invite = c
        .find(Locator::Id("invite-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(invite.starts_with(&format!("{base}/app/invite/")));
    click(&c, "form input[value='create_write_key'] ~ div button").await;
    wait_text(&c, "wk_").await;
    shots.take(&c, "settings").await;

    // 7. The interface in Czech, chosen in the account.
    c.goto(&format!("{base}/app/account")).await.unwrap();
    wait_text(&c, "Interface language").await;
    shots.take(&c, "account").await;
    let select = c.find(Locator::Id("locale")).await.unwrap();
    select.select_by_value("cs").await.unwrap();
    click(&c, "form[action='/app/account/language'] button").await;
    wait_text(&c, "Uloženo.").await;
    shots.take(&c, "account-cs").await;
    c.goto(&format!("{base}/app/w/{slug}")).await.unwrap();
    let page = wait_text(&c, "Přehled").await;
    assert!(
        page.contains("+100,0"),
        "Czech writes a decimal comma\n{page}"
    );
    assert!(page.contains("Malý vzorek"));
    shots.take(&c, "overview-cs").await;
    c.set_window_size(390, 844).await.unwrap();
    shots.take(&c, "overview-cs-phone").await;
    // The inbox as a work queue on a phone: the promoters, counted, with their open
    // answers readable without scrolling sideways.
    c.goto(&format!("{base}/app/w/{slug}/responses?band=promoters"))
        .await
        .unwrap();
    let page = wait_text(&c, "Odpovědí: 1").await;
    assert!(page.contains("NPS: promotéři (9–10)"), "{page}");
    shots.take(&c, "inbox-cs-phone").await;
    let fits = c
        .execute(
            "const e = document.querySelector('td.excerpt'); \
             return e !== null && e.getBoundingClientRect().right <= window.innerWidth + 1",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "the open answer fits the phone's width");
    c.execute("document.querySelector('.inbox').scrollIntoView()", vec![])
        .await
        .unwrap();
    shots.take(&c, "inbox-cs-phone-list").await;
    c.set_window_size(1280, 1000).await.unwrap();

    // Customers: the list, a profile with its timeline, and the erasure form, in Czech.
    let created = reqwest::Client::new()
        .post(format!("{base}/api/v1/contacts"))
        .bearer_auth(&api_key)
        .json(&json!({ "external_id": "z-1", "name": "Petra Svobodová",
                       "email": "petra@kavarna.cz", "attributes": { "city": "Brno" } }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success());
    c.goto(&format!("{base}/app/w/{slug}/contacts?q=brno"))
        .await
        .unwrap();
    wait_text(&c, "Petra Svobodová").await;
    shots.take(&c, "contacts-cs").await;
    click(&c, "table a").await;
    wait_text(&c, "Časová osa").await;
    shots.take(&c, "contact-cs").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/segments']")).await;
    wait_text(&c, "Nový segment").await;
    shots.take(&c, "segments-cs").await;
    // A segment built in the form: a second condition added, then saved.
    click(&c, &format!("a[href='/app/w/{slug}/new-segment']")).await;
    wait_text(&c, "Kdo patří do segmentu").await;
    fill(&c, "seg-key", "brno").await;
    fill(&c, "name-cs", "Zákazníci z Brna").await;
    fill(&c, "c0-subject", "city").await;
    fill(&c, "c0-value", "Brno").await;
    c.find(Locator::Css("#new-kind option[value='feedback']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "button[value='add']").await;
    wait_text(&c, "Podmínka 2: Hodnocení v průzkumu").await;
    fill(&c, "c1-value", "6").await;
    click(&c, "input[name='combinator'][value='any']").await;
    shots.take(&c, "segment-form-cs").await;
    click(&c, "button.primary[value='save']").await;
    wait_text(&c, "Upravit jako JSON").await;
    shots.take(&c, "segment-saved-cs").await;
    c.goto(&format!("{base}/app/w/{slug}/journey-definitions/eshop"))
        .await
        .unwrap();
    wait_text(&c, "Fáze a kontaktní body").await;
    shots.take(&c, "journey-definition-cs").await;
    // A stage added in the form, without saving.
    click(&c, "button[value='add_stage']").await;
    wait_text(&c, "Fáze 8").await;
    shots.take(&c, "journey-stage-added-cs").await;

    // Webhooks: one added, its secret shown once; the outbox's log below.
    c.goto(&format!("{base}/app/w/{slug}/webhooks"))
        .await
        .unwrap();
    wait_text(&c, "Zatím žádné webhooky").await;
    fill(&c, "hook-url", "https://hooks.example.com/puls").await;
    click(&c, "form input[value='create'] ~ div button.primary").await;
    wait_text(&c, "Tajný klíč k podpisům").await;
    shots.take(&c, "webhooks-cs").await;

    // Aspects of open answers: one of the shop's own added in the form, a comment tried.
    c.goto(&format!("{base}/app/w/{slug}/aspects"))
        .await
        .unwrap();
    wait_text(&c, "Aspekty otevřených odpovědí").await;
    fill(&c, "a-key", "parkovani").await;
    fill(&c, "a-pl", "Parking").await;
    fill(&c, "a-cs", "Parkování").await;
    fill(&c, "a-en", "Parking").await;
    fill(&c, "k-cs", "parkov*\nmíst* k parkování").await;
    click(&c, "form[aria-labelledby='form-h'] button.primary").await;
    wait_text(&c, "Uloženo.").await;
    fill(&c, "try-text", "Večer není kde parkovat.").await;
    click(&c, "form[aria-labelledby='try-h'] button").await;
    wait_text(&c, "Nalezené aspekty: Parkování").await;
    shots.take_full(&c, "aspects-cs").await;

    // Distributions: a refused form (its problem at the field), the survey sent to every
    // contact, its report, the list, and the invitation on the customer's profile.
    click(&c, &format!("nav a[href='/app/w/{slug}/distributions']")).await;
    wait_text(&c, "Zatím žádné rozesílky.").await;
    click(&c, "form[action$='/distributions'] button.primary").await;
    wait_text(&c, "Nesmí být prázdné.").await;
    shots.take_full(&c, "distribution-form-cs").await;
    fill(&c, "d-name", "Po návštěvě – březen").await;
    fill(&c, "d-reminders_count", "1").await;
    click(&c, "form[action$='/distributions'] button.primary").await;
    let page = wait_text(&c, "Dotazník je na cestě").await;
    assert!(
        page.contains("petra@kavarna.cz") && page.contains("Čeká na odeslání"),
        "{page}"
    );
    shots.take_full(&c, "distribution-cs").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/distributions']")).await;
    let page = wait_text(&c, "Po návštěvě – březen").await;
    assert!(page.contains("Aktivní"), "{page}");
    shots.take(&c, "distributions-cs").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/contacts']")).await;
    wait_text(&c, "Petra Svobodová").await;
    click(&c, "table a").await;
    let page = wait_text(&c, "Pozvánky").await;
    assert!(page.contains("Po návštěvě – březen"), "{page}");
    shots.take_full(&c, "contact-invitations-cs").await;

    // A case opened from the response, worked on its page, and seen in the queue.
    c.goto(&format!("{base}/app/w/{slug}/responses"))
        .await
        .unwrap();
    wait_text(&c, "Výborná káva").await;
    click(&c, "table tbody a").await;
    wait_text(&c, "Otevřít případ").await;
    click(&c, "form[action$='/case'] button").await;
    let page = wait_text(&c, "Otevřeno ručně").await;
    assert!(
        page.contains("První odpověď") && page.contains("V termínu"),
        "{page}"
    );
    fill(&c, "c-note", "Zavolám zákazníkovi zítra.").await;
    click(&c, "form input[value='note'] ~ p button").await;
    wait_text(&c, "přidal(a) poznámku: Zavolám zákazníkovi zítra.").await;
    shots.take_full(&c, "case-cs").await;
    click(&c, &format!("nav a[href='/app/w/{slug}/cases']")).await;
    let page = wait_text(&c, "Všechny otevřené").await;
    assert!(
        page.contains("Nový") && page.contains("Ana Nováková"),
        "{page}"
    );
    shots.take(&c, "cases-cs").await;
    click(&c, &format!("a[href='/app/w/{slug}/case-report']")).await;
    let page = wait_text(&c, "Získaní zpět").await;
    assert!(page.contains("Otevřených případů: 1"), "{page}");
    shots.take_full(&c, "case-report-cs").await;

    // Feedback a customer gave on the phone, recorded by hand from the inbox: a refused
    // form first (a store id with a space; a comment without the score that asks for it),
    // told at its fields with what was typed kept; then a phone call from a new customer,
    // a score and the comment, saved and shown with who recorded it.
    click(&c, &format!("nav a[href='/app/w/{slug}/responses']")).await;
    wait_text(&c, "Zaznamenat zpětnou vazbu").await;
    click(&c, &format!("a[href='/app/w/{slug}/responses/new']")).await;
    wait_text(&c, "Jak zákazník zpětnou vazbu předal").await;
    shots.take_full(&c, "record-cs").await;
    click(&c, "#r-channel-store").await;
    fill(&c, "r-store", "Brno 1").await;
    fill(&c, "r-name", "Marek Dvořák").await;
    fill(&c, "r-email", "marek@kavarna.cz").await;
    fill(&c, "r-phone", "+420 777 123 456").await;
    fill(&c, "q1-a", "Káva byla studená.").await;
    click(&c, "form.record button.primary").await;
    let page = wait_text(&c, "Opravte prosím následující").await;
    assert!(
        page.contains("Použijte jen písmena, číslice, - a _ (nejvýše 64), bez mezer.")
            && page.contains("dotazník tuto otázku neklade"),
        "{page}"
    );
    let kept = c
        .find(Locator::Id("r-email"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("marek@kavarna.cz"));
    shots.take_full(&c, "record-refused-cs").await;
    click(&c, "#r-channel").await;
    // The scale's radio lies over its label, as on the respondent's page.
    click(&c, "#q0-a6").await;
    click(&c, "form.record button.primary").await;
    let page = wait_text(&c, "Zpětná vazba zaznamenána.").await;
    assert!(
        page.contains("Zaznamenal(a) Ana Nováková během telefonátu")
            && page.contains("Káva byla studená.")
            && page.contains("Marek Dvořák"),
        "{page}"
    );
    shots.take_full(&c, "record-saved-cs").await;

    // 8. Sign out, in Czech.
    click(&c, "form[action='/app/sign-out'] button").await;
    wait_text(&c, "Byli jste odhlášeni.").await;
    shots.take(&c, "signed-out-cs").await;
    c.goto(&format!("{base}/app/w/{slug}")).await.unwrap();
    wait_text(&c, "Přihlášení do Pulsu").await;
    shots.take(&c, "sign-in-cs").await;

    c.close().await.unwrap();
    assert!(
        shots.violations.is_empty(),
        "accessibility (axe-core, WCAG 2.1 A and AA):\n{}",
        shots.violations.join("\n")
    );
}

#[tokio::test]
async fn a_manager_and_a_respondent_in_a_real_browser_sqlite() {
    walk(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_manager_and_a_respondent_in_a_real_browser_postgres() {
    walk(Backend::Postgres).await;
}

/// Signs `email` in on the sign-in page and waits until the page after it is there.
async fn sign_in(c: &Client, base: &str, email: &str, password: &str) {
    c.goto(&format!("{base}/app/sign-in?lang=en"))
        .await
        .unwrap();
    wait_text(c, "Sign in").await;
    fill(c, "email", email).await;
    fill(c, "password", password).await;
    click(c, "button.primary").await;
    // What comes next is in the user's own language: wait for the sign-in page to go.
    for _ in 0..300 {
        let url = c.current_url().await.unwrap();
        if !url.path().ends_with("/sign-in") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{email} could not sign in:\n{}", text(c).await);
}

/// Answers the survey on its page: `score` on the NPS scale, then `why`, as a person would.
async fn answer(c: &Client, link: &str, score: u8, why: &str) {
    c.goto(link).await.unwrap();
    wait_text(c, "Czy poleciłbyś nas znajomym?").await;
    c.find(Locator::Css(&format!("input[type=radio][value='{score}']")))
        .await
        .expect("the scale")
        .click()
        .await
        .unwrap();
    click(c, "button.pri").await;
    wait_text(c, "Dlaczego?").await;
    fill(c, "a", why).await;
    click(c, "button.pri").await;
    wait_text(c, "Dziękujemy").await;
}

/// The loop closed in a browser, against a real SMTP server: the owner writes an alert
/// rule; a customer answers 2 through their personal link; the case appears in an agent's
/// queue; the agent replies from the case page and the reply reaches the customer's
/// mailbox; the agent resolves the case; the re-survey reaches the customer, who answers
/// 9 through its link; the recovery report counts them; then the survey runs on a store's
/// kiosk and starts again by itself. In Polish, checked by axe-core.
async fn the_loop(backend: Backend) {
    let Some(d) = driver().await else { return };
    let smtp = puls_testdb::SmtpServer::start();
    let port = smtp.port;
    let Some((base, app, _db, _stop)) = server(backend, |config| {
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
        config.smtp.port = port;
        config.smtp.security = "none".into();
        config.smtp.from = "Puls <puls@sklep.pl>".into();
    })
    .await
    else {
        return;
    };
    let transport = puls_send::HttpTransport::new(&app.config().webhooks).unwrap();
    let mailer = puls_send::mailer(&app.config().smtp).unwrap();
    let worker = puls_send::spawn_worker(app.clone(), Arc::new(transport), mailer);
    let password = "kawa z mlekiem 2026";
    use puls_core::access::Role;
    for (email, name, role) in [
        ("szefowa@sklep.pl", "Olga Szefowa", Role::Owner),
        ("agent@sklep.pl", "Adam Agent", Role::Agent),
    ] {
        let account = app
            .create_account(puls_app::users::NewAccount {
                workspace: "sklep",
                email,
                name,
                password: password.into(),
                locale: "pl",
                role,
            })
            .await
            .unwrap();
        assert!(matches!(account, puls_app::users::Account::Created { .. }));
    }
    let ws = app
        .store()
        .workspace_by_slug("sklep")
        .await
        .unwrap()
        .unwrap();
    let (_, key) = app.store().create_api_key(ws.id, "e2e").await.unwrap();
    let api = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        let mut req = reqwest::Client::new()
            .request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(&key);
        if !body.is_null() {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            assert!(status.is_success(), "{status} {body}");
            body
        }
    };
    let survey = api(
        reqwest::Method::POST,
        "/surveys",
        json!({
            "title": {"pl": "Dostawa"}, "locales": ["pl"], "touchpoint": "delivery",
            "questions": [
                {"id": "nps", "type": "nps", "required": true,
                 "text": {"pl": "Czy poleciłbyś nas znajomym?"}},
                {"id": "why", "type": "open_text", "text": {"pl": "Dlaczego?"}}
            ]
        }),
    )
    .await;
    let sid = survey["id"].as_str().unwrap().to_string();
    api(
        reqwest::Method::POST,
        &format!("/surveys/{sid}/publish"),
        serde_json::Value::Null,
    )
    .await;
    // Ask again as soon as a case is resolved (the policy's delay: 0 hours).
    api(
        reqwest::Method::PUT,
        "/settings/sla",
        json!({"resurvey_after_hours": 0}),
    )
    .await;
    let contact = api(
        reqwest::Method::POST,
        "/contacts",
        json!({"external_id": "k-17", "name": "Jan Klient", "email": "klient@poczta.pl"}),
    )
    .await;
    let invitation = api(
        reqwest::Method::POST,
        &format!("/contacts/{}/invitations", contact["id"].as_str().unwrap()),
        json!({"survey": sid}),
    )
    .await;

    let c = browser(&d).await;
    let mut shots = Shots::new_named(&format!("loop-{backend:?}").to_lowercase());
    // 1. The owner writes the rule in the form: a low NPS and the courier mentioned.
    sign_in(&c, &base, "szefowa@sklep.pl", password).await;
    c.goto(&format!("{base}/app/w/sklep/alert-rules"))
        .await
        .unwrap();
    wait_text(&c, "Nowa reguła dla odpowiedzi").await;
    click(&c, "a[href$='/new-alert-rule']").await;
    wait_text(&c, "Gdy przyjdzie odpowiedź, która spełnia").await;
    fill(&c, "af-key", "courier-detractors").await;
    fill(&c, "name-pl", "Krytycy kuriera").await;
    c.find(Locator::Id("new-kind"))
        .await
        .unwrap()
        .select_by_value("text")
        .await
        .unwrap();
    click(&c, "button[value='add']").await;
    wait_text(&c, "Warunek 2: Słowa w odpowiedzi otwartej").await;
    fill(&c, "c1-values", "kurier, paczk").await;
    c.find(Locator::Id("af-priority"))
        .await
        .unwrap()
        .select_by_value("high")
        .await
        .unwrap();
    fill(&c, "af-team", "Kurierzy Śląsk").await;
    click(&c, "input[name='email_admins']").await;
    click(&c, "button.primary[value='save']").await;
    // A team is a key: refused, in words, with the form as typed.
    let page = wait_text(&c, "Otwórz zgłoszenie (jedno na odpowiedź) · Zespół").await;
    assert!(!page.contains("actions.case"), "{page}");
    shots.take_full(&c, "rule-refused").await;
    fill(&c, "af-team", "kurierzy").await;
    click(&c, "button.primary[value='save']").await;
    wait_text(&c, "Edytuj jako JSON").await;
    shots.take_full(&c, "rule").await;
    let saved = api(
        reqwest::Method::GET,
        "/alert-rules/courier-detractors",
        serde_json::Value::Null,
    )
    .await["definition"]
        .clone();
    assert_eq!(
        saved["conditions"][1]["text"]["any_of"],
        json!(["kurier", "paczk"]),
        "{saved}"
    );
    assert_eq!(saved["actions"]["case"]["team"], "kurierzy", "{saved}");
    assert_eq!(saved["actions"]["email"], json!(["admins"]), "{saved}");
    click(&c, "form[action='/app/sign-out'] button").await;
    wait_text(&c, "Wylogowano.").await;

    // 2. A detractor answers through their personal link; the owner is alerted.
    answer(
        &c,
        invitation["link"].as_str().unwrap(),
        2,
        "Kurier rzucił paczką",
    )
    .await;
    shots.take(&c, "detractor-thanks").await;
    let mail = smtp.wait_for(1).await;
    assert!(
        mail[0]["to"].as_str().unwrap().contains("szefowa@sklep.pl"),
        "{mail:#?}"
    );
    assert_eq!(mail[0]["subject"], "Alert Puls: Krytycy kuriera");

    // 3. The agent finds the case in the queue and replies from its page.
    sign_in(&c, &base, "agent@sklep.pl", password).await;
    c.goto(&format!("{base}/app/w/sklep/cases?view=unassigned"))
        .await
        .unwrap();
    let page = wait_text(&c, "Krytycy kuriera").await;
    assert!(
        page.contains("klient@poczta.pl"),
        "the customer, in the queue: {page}"
    );
    shots.take(&c, "queue").await;
    click(&c, "table tbody a").await;
    let page = wait_text(&c, "Otwarte przez regułę „Krytycy kuriera”").await;
    assert!(page.contains("Kurier rzucił paczką"), "{page}");
    assert!(page.contains("klient@poczta.pl"), "{page}");
    fill(
        &c,
        "c-reply",
        "Przepraszamy, jutro dostarczymy nową paczkę.",
    )
    .await;
    click(&c, "form input[value='reply'] ~ p button").await;
    wait_text(&c, "jutro dostarczymy nową paczkę").await;
    let mail = smtp.wait_for(2).await;
    let reply = mail
        .iter()
        .find(|m| m["to"].as_str().unwrap().contains("klient@poczta.pl"))
        .unwrap_or_else(|| panic!("the reply: {mail:#?}"));
    assert!(
        reply["subject"]
            .as_str()
            .unwrap()
            .starts_with("Re: Twoja opinia"),
        "{reply}"
    );
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains("jutro dostarczymy nową paczkę"),
        "{reply}"
    );
    shots.take_full(&c, "case-replied").await;

    // 4. Resolved: the customer is asked again, and answers 9.
    c.find(Locator::Id("c-status"))
        .await
        .unwrap()
        .select_by_value("resolved")
        .await
        .unwrap();
    fill(&c, "c-root", "kurier").await;
    click(&c, "form input[value='change'] ~ p button").await;
    wait_text(&c, "Rozwiązane").await;
    let mail = smtp.wait_for(3).await;
    let again = mail
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .starts_with("Jak jest teraz?")
        })
        .unwrap_or_else(|| panic!("the re-survey: {mail:#?}"));
    assert!(again["to"].as_str().unwrap().contains("klient@poczta.pl"));
    let text_part = again["text"].as_str().unwrap();
    let link = text_part
        .split_whitespace()
        .find(|w| w.contains("?inv="))
        .unwrap_or_else(|| panic!("a personal link in {text_part}"));
    shots.take_full(&c, "case-resolved").await;
    let agent_page = c.current_url().await.unwrap();
    answer(&c, link, 9, "Nowa paczka dotarła cała").await;

    // 5. The report counts the customer won back.
    c.goto(agent_page.as_str()).await.unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        c.goto(&format!("{base}/app/w/sklep/case-report"))
            .await
            .unwrap();
        page = wait_text(&c, "Odzyskani klienci").await;
        if page.contains("1 ocenia teraz na 7 lub więcej") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        page.contains("Z 1 zgłoszeń krytyków 1 zapytano ponownie, 1 odpowiedziało: 1 ocenia teraz na 7 lub więcej (1 jako promotorzy)."),
        "{page}"
    );
    shots.take_full(&c, "case-report").await;

    // 6. The same survey on a kiosk in a store: answered, thanked, and back at the start
    //    for the next customer by itself (the server's `Refresh`, no script).
    c.goto(&format!("{base}/s/{sid}?kiosk=1&store=WAW-01"))
        .await
        .unwrap();
    wait_text(&c, "Czy poleciłbyś nas znajomym?").await;
    shots.take(&c, "kiosk-question").await;
    c.find(Locator::Css("input[type=radio][value='8']"))
        .await
        .expect("the scale")
        .click()
        .await
        .unwrap();
    click(&c, "button.pri").await;
    wait_text(&c, "Dlaczego?").await;
    fill(&c, "a", "Miła obsługa w sklepie").await;
    click(&c, "button.pri").await;
    wait_text(&c, "Dziękujemy").await;
    shots.take(&c, "kiosk-thanks").await;
    let mut back = false;
    for _ in 0..150 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if text(&c).await.contains("Czy poleciłbyś nas znajomym?") {
            back = true;
            break;
        }
    }
    assert!(back, "the kiosk did not start again: {}", text(&c).await);
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("kiosk=1&lang=pl&store=WAW-01"),
        "{}",
        c.current_url().await.unwrap()
    );
    let responses = api(reqwest::Method::GET, "/responses?limit=500", json!(null)).await;
    let kiosk = responses["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attributes"]["store"] == "WAW-01")
        .expect("the kiosk's response");
    assert_eq!(kiosk["channel"], "store");
    assert_eq!(kiosk["status"], "completed");

    c.close().await.unwrap();
    worker.abort();
    assert!(
        shots.violations.is_empty(),
        "accessibility (axe-core, WCAG 2.1 A and AA):\n{}",
        shots.violations.join("\n")
    );
}

#[tokio::test]
async fn the_loop_in_a_real_browser_with_email_sqlite() {
    the_loop(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_loop_in_a_real_browser_with_email_postgres() {
    the_loop(Backend::Postgres).await;
}

/// Screenshots of the main screens of a server that is already running with data (the
/// demo, say), for a person to look at: `PULS_E2E_URL=http://127.0.0.1:8080
/// PULS_E2E_EMAIL=... PULS_E2E_PASSWORD=... PULS_E2E_WORKSPACE=demo cargo test -p
/// puls-http --test e2e -- --ignored screens`. Files: `target/e2e-screenshots/screens-*`
/// (or `$PULS_E2E_LABEL-*`), in the signed-in user's language.
#[tokio::test]
#[ignore = "needs a running server with data; see its doc"]
async fn screens_of_a_running_server() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("set {k}"));
    let (base, ws) = (var("PULS_E2E_URL"), var("PULS_E2E_WORKSPACE"));
    let Some(d) = driver().await else { return };
    let c = browser(&d).await;
    // PULS_E2E_LABEL names the files (default `screens`), e.g. `screens-pl` for a user
    // whose interface language is Polish.
    let label = std::env::var("PULS_E2E_LABEL").unwrap_or_else(|_| "screens".into());
    let mut shots = Shots::new_named(&label);
    c.goto(&format!("{base}/app/sign-in?lang=en"))
        .await
        .unwrap();
    wait_text(&c, "Sign in").await;
    fill(&c, "email", &var("PULS_E2E_EMAIL")).await;
    fill(&c, "password", &var("PULS_E2E_PASSWORD")).await;
    click(&c, "button.primary").await;
    // What comes next is in the user's own language: wait for the sign-in page to go.
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if !url.path().ends_with("/sign-in") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pages = [
        ("overview", format!("/app/w/{ws}")),
        ("journey-map", format!("/app/w/{ws}/journeys")),
        (
            "touchpoint",
            format!("/app/w/{ws}/journeys/eshop/t/delivery"),
        ),
        ("analyses", format!("/app/w/{ws}/analyses")),
        ("inbox", format!("/app/w/{ws}/responses?q=kurier")),
        (
            "inbox-negative-delivery",
            format!("/app/w/{ws}/responses?sentiment=neg&aspect=delivery"),
        ),
        ("surveys", format!("/app/w/{ws}/surveys")),
        ("segments", format!("/app/w/{ws}/segments")),
        ("segment-form", format!("/app/w/{ws}/new-segment")),
        (
            "journey-form",
            format!("/app/w/{ws}/journey-definitions/eshop"),
        ),
        ("contacts", format!("/app/w/{ws}/contacts")),
        ("distributions", format!("/app/w/{ws}/distributions")),
        ("triggers", format!("/app/w/{ws}/triggers")),
        ("record", format!("/app/w/{ws}/responses/new")),
        ("reach", format!("/app/w/{ws}/reach?survey=checkout-nps")),
        ("webhooks", format!("/app/w/{ws}/webhooks")),
        ("aspects", format!("/app/w/{ws}/aspects")),
        ("cases", format!("/app/w/{ws}/cases?view=all")),
        ("team-cases", format!("/app/w/{ws}/cases?view=team")),
        ("case-report", format!("/app/w/{ws}/case-report")),
        ("alert-rules", format!("/app/w/{ws}/alert-rules")),
        ("alert-rule-form", format!("/app/w/{ws}/new-alert-rule")),
        (
            "metric-rule-form",
            format!("/app/w/{ws}/new-alert-rule?watch=metric"),
        ),
        ("settings", format!("/app/w/{ws}/settings")),
    ];
    // PULS_E2E_CASE: a case's id, for its page too.
    let case = std::env::var("PULS_E2E_CASE")
        .ok()
        .map(|id| ("case", format!("/app/w/{ws}/cases/{id}")));
    // PULS_E2E_RULE: an alert rule's key, for its form too.
    let rule = std::env::var("PULS_E2E_RULE")
        .ok()
        .map(|key| ("rule", format!("/app/w/{ws}/alert-rules/{key}")));
    // PULS_E2E_DISTRIBUTION: a distribution's id, for its report too.
    let distribution = std::env::var("PULS_E2E_DISTRIBUTION")
        .ok()
        .map(|id| ("distribution", format!("/app/w/{ws}/distributions/{id}")));
    // PULS_E2E_CONTACT: a contact's id, for their profile (and invitations).
    let contact = std::env::var("PULS_E2E_CONTACT")
        .ok()
        .map(|id| ("contact", format!("/app/w/{ws}/contacts/{id}")));
    // PULS_E2E_PERIOD: the overview of another period too (`from=2026-08-01&to=2026-08-31`).
    let period = std::env::var("PULS_E2E_PERIOD")
        .ok()
        .map(|q| ("overview-period", format!("/app/w/{ws}?{q}")));
    // PULS_E2E_RESPONSE: a response's id, for its page too.
    let response = std::env::var("PULS_E2E_RESPONSE")
        .ok()
        .map(|id| ("response", format!("/app/w/{ws}/responses/{id}")));
    // PULS_E2E_TRIGGER: a trigger's id, for its page too.
    let trigger = std::env::var("PULS_E2E_TRIGGER")
        .ok()
        .map(|id| ("trigger", format!("/app/w/{ws}/triggers/{id}")));
    for (name, path) in pages
        .into_iter()
        .chain(case)
        .chain(rule)
        .chain(distribution)
        .chain(contact)
        .chain(trigger)
        .chain(period)
        .chain(response)
    {
        c.goto(&format!("{base}{path}")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        shots.take_full(&c, name).await;
    }
    c.close().await.unwrap();
    assert!(
        shots.violations.is_empty(),
        "accessibility (axe-core, WCAG 2.1 A and AA):\n{}",
        shots.violations.join("\n")
    );
}

/// A shop's page on another origin (another port) that includes the widget's loader.
async fn shop_site(puls: &str, key: &str) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let page = format!(
        "<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>Sklep Kawa i Herbata</title></head>\
         <body><header><a href=\"/\">Sklep</a></header><main><h1>Dziękujemy za zamówienie</h1>\
         <p>Zamówienie nr 1042 jest w drodze.</p><p><a href=\"/\">Wróć do sklepu</a></p></main>\
         <script src=\"{puls}/widget.js\" data-key=\"{key}\" async></script></body></html>"
    );
    let app = axum::Router::new().route(
        "/zamowienie/dziekujemy",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (format!("http://{addr}"), tx)
}

/// The widget on a shop's page of another origin: the loader asks once, the survey shows
/// in an accessible dialog (focus on its close button, labelled by the survey's title;
/// axe-core clean around it and inside it), the visitor answers in the frame, the answer
/// is stored with channel `web`, and Escape inside the frame closes the dialog.
async fn widget_walk(backend: Backend) {
    let Some(d) = driver().await else { return };
    let Some((base, app, _db, _stop)) = server(backend, |_| {}).await else {
        return;
    };
    let ws = app
        .store()
        .ensure_workspace("sklep", "Sklep")
        .await
        .unwrap();
    let (_, key) = app.store().create_api_key(ws.id, "e2e").await.unwrap();
    let write_key = app
        .store()
        .create_write_key(ws.id, "site")
        .await
        .unwrap()
        .key;
    let http = reqwest::Client::new();
    let survey: serde_json::Value = http
        .post(format!("{base}/api/v1/surveys"))
        .bearer_auth(&key)
        .json(&json!({
            "title": {"pl": "Jak się kupowało?"}, "locales": ["pl"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "required": true,
                           "text": {"pl": "Czy poleciłbyś nas znajomym?"}}]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = survey["id"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{base}/api/v1/surveys/{sid}/publish"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (shop, _shop_stop) = shop_site(&base, &write_key).await;
    let r = http
        .put(format!("{base}/api/v1/settings/widget"))
        .bearer_auth(&key)
        .json(&json!({"sites": [shop], "placements": [
            {"survey": sid, "pages": ["/zamowienie/*"], "delay_seconds": 1}]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let c = browser(&d).await;
    let mut shots = Shots::new_named(&format!("widget-{backend:?}").to_lowercase());
    c.goto(&format!("{shop}/zamowienie/dziekujemy"))
        .await
        .unwrap();
    let dialog = {
        let mut found = None;
        for _ in 0..100 {
            if let Ok(e) = c.find(Locator::Css("[role=dialog]")).await {
                found = Some(e);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found.expect("the survey's dialog on the shop's page")
    };
    assert_eq!(
        dialog.attr("aria-modal").await.unwrap().as_deref(),
        Some("true")
    );
    let focused = c
        .execute(
            "return document.activeElement.getAttribute('aria-label')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused,
        json!("Zamknij ankietę"),
        "focus starts on the close button"
    );
    let labelled = c
        .execute(
            "const d = document.querySelector('[role=dialog]'); \
             return document.getElementById(d.getAttribute('aria-labelledby')).textContent",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(labelled, json!("Jak się kupowało?"));
    // The page behind cannot be reached while the dialog is open.
    let inert = c
        .execute("return document.querySelector('main').inert", vec![])
        .await
        .unwrap();
    assert_eq!(inert, json!(true));
    tokio::time::sleep(Duration::from_millis(500)).await;
    shots.take(&c, "dialog-on-shop").await;

    // Inside the frame: Puls's own page, answered as anywhere else.
    let frame = c.find(Locator::Css("[role=dialog] iframe")).await.unwrap();
    frame.enter_frame().await.unwrap();
    wait_text(&c, "Czy poleciłbyś nas znajomym?").await;
    shots.check_accessibility(&c, "survey-in-frame").await;
    c.find(Locator::Css("input[type=radio][value='9']"))
        .await
        .expect("the scale in the frame")
        .click()
        .await
        .unwrap();
    click(&c, "button.pri").await;
    wait_text(&c, "Dziękujemy").await;
    // Escape inside the frame closes the dialog (the page's one script tells it).
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    c.enter_parent_frame().await.unwrap();
    let mut closed = false;
    for _ in 0..50 {
        if c.find(Locator::Css("[role=dialog]")).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed, "Escape in the frame closes the dialog");
    let inert = c
        .execute("return document.querySelector('main').inert", vec![])
        .await
        .unwrap();
    assert_eq!(inert, json!(false));

    let responses: serde_json::Value = http
        .get(format!("{base}/api/v1/responses?survey={sid}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = responses["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{responses}");
    assert_eq!(items[0]["channel"], "web");
    assert_eq!(items[0]["answers"]["nps"], 9);
    assert_eq!(items[0]["status"], "completed");

    // Shown once: the same browser is not asked again.
    c.refresh().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(c.find(Locator::Css("[role=dialog]")).await.is_err());
    c.close().await.unwrap();
    assert!(
        shots.violations.is_empty(),
        "accessibility (axe-core, WCAG 2.1 A and AA):\n{}",
        shots.violations.join("\n")
    );
}

#[tokio::test]
async fn the_widget_on_another_site_sqlite() {
    widget_walk(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_widget_on_another_site_postgres() {
    widget_walk(Backend::Postgres).await;
}
