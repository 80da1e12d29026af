//! The harness: a real server on a free port over a fresh database, and typed helpers.
//!
//! Every test gets its own database: a temporary SQLite file, or a PostgreSQL database made
//! on the server of `PULS_TEST_DATABASE_URL` and dropped when the test ends (also when it
//! fails). PostgreSQL is never skipped silently: an unreachable server fails the test unless
//! `PULS_SKIP_POSTGRES=1` is set, and then a loud `SKIPPED postgres` line is printed.

use std::sync::Arc;
use std::time::Duration;

use puls_app::{App, Config};
use puls_http::AppState;
use puls_store::{ConnectOptions, Store, WriteOp, WriteOutcome};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub use puls_testdb::{Backend, TestDb, loud};

/// Runs the test function `name(app: TestApp)` once per backend, as the tests
/// `name::sqlite` and `name::postgres`:
///
/// ```ignore
/// both_backends!(submitting_works);
/// async fn submitting_works(app: TestApp) { .. }
///
/// // With a changed configuration:
/// both_backends!(small_bodies_only, |config| {
///     config.http.max_body_bytes = 2048;
/// });
/// ```
///
/// The function is a plain item, not a macro argument, so rustfmt and the IDE see it.
macro_rules! both_backends {
    ($name:ident) => {
        both_backends!(@tests $name, |backend| $crate::helpers::spawn_app(backend));
    };
    ($name:ident, $configure:expr) => {
        both_backends!(@tests $name, |backend| {
            $crate::helpers::spawn_app_with(backend, $configure)
        });
    };
    (@tests $name:ident, $spawn:expr) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let spawn = $spawn;
                let app = spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                super::$name(app).await;
            }

            #[tokio::test]
            async fn postgres() {
                let spawn = $spawn;
                // `None` only when PULS_SKIP_POSTGRES=1 asked for it, loudly.
                if let Some(app) = spawn($crate::helpers::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    };
}

/// A running server over its own database, with a workspace and an API key for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// Follows no redirects, as a test must see every 303.
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The application the server runs (for tests that start its background work).
    pub app: App,
    pub workspace_id: puls_store::WorkspaceId,
    /// A key of the workspace `acme`.
    pub api_key: String,
    pub backend: Backend,
    /// Tells the server to stop; sent by `Drop`, which runs before the fields drop.
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// Removes the database when the test ends, whether it passed or not.
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts a server over a fresh database with the test defaults (no rate limit); `None`
/// only when PostgreSQL is skipped on purpose.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Starts a server over a fresh database, after `configure` has changed the test defaults
/// (which turn rate limiting off); `None` only when PostgreSQL is skipped on purpose.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let db = TestDb::create(backend).await?;
    let store = puls_store::connect(db.url(), &ConnectOptions { max_connections: 8 })
        .await
        .expect("opening the test database");
    store.migrate().await.expect("migrating the test database");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a free port");
    let addr = listener.local_addr().expect("the bound address");
    let mut config = Config::default();
    config.http.listen = addr.to_string();
    config.database.url = db.url().to_string();
    config.rate_limit.per_second = 0;
    configure(&mut config);

    let app = App::new(store.clone(), config);
    let state = AppState::new(app.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        if let Err(e) = puls_http::serve(listener, state, shutdown).await {
            loud(&format!("test server failed: {e}"));
        }
    });

    let workspace = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("creating the workspace");
    let (_, api_key) = store
        .create_api_key(workspace.id, "tests")
        .await
        .expect("creating an API key");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A guard against a hung server, not an assertion about speed.
        .timeout(Duration::from_secs(60))
        .build()
        .expect("building the HTTP client");
    Some(TestApp {
        address: format!("http://{addr}"),
        client,
        store,
        app,
        workspace_id: workspace.id,
        api_key,
        backend,
        shutdown: Some(tx),
        _db: db,
    })
}

/// A second server over the same database, as another `puls serve` process would be: its
/// own connection pools, response writer, survey cache and rate limiter. Stops on drop.
pub struct Node {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    api_key: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Node {
    /// A request to this node with the workspace's API key.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.api_key)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    /// Another node's application over this app's database, serving nothing: for tests
    /// that run background work on two nodes by hand.
    pub async fn second_app(&self) -> App {
        let store = puls_store::connect(self._db.url(), &ConnectOptions { max_connections: 8 })
            .await
            .expect("opening the database from a second node");
        App::new(store, self.app.config().clone())
    }

    /// Starts another server node over this app's database.
    pub async fn second_node(&self) -> Node {
        // The same configuration as this node, as another process of one deployment.
        self.node_with(self.app.config().clone(), false, None).await
    }

    /// Another node over this app's database with its own `config` (its listen address
    /// set here), running its outbox worker when `worker`: e-mail through `smtp` when
    /// given (else none), SMS as `config` says.
    pub async fn node_with(
        &self,
        mut config: Config,
        worker: bool,
        smtp: Option<&puls_testdb::SmtpServer>,
    ) -> Node {
        let store = puls_store::connect(self._db.url(), &ConnectOptions { max_connections: 8 })
            .await
            .expect("opening the database from a second node");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a free port");
        let addr = listener.local_addr().expect("the bound address");
        config.http.listen = addr.to_string();
        let app = App::new(store, config);
        match (worker, smtp) {
            (true, Some(smtp)) => spawn_worker_of(&app, smtp),
            (true, None) => {
                let transport = puls_send::HttpTransport::new(&app.config().webhooks).unwrap();
                puls_send::spawn_worker(app.clone(), std::sync::Arc::new(transport), None);
            }
            (false, _) => {}
        }
        let state = AppState::new(app);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = puls_http::serve(listener, state, shutdown).await {
                loud(&format!("second test node failed: {e}"));
            }
        });
        Node {
            address: format!("http://{addr}"),
            api_key: self.api_key.clone(),
            shutdown: Some(tx),
        }
    }
}

/// A response's status and body, read as JSON.
pub async fn json_of(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("reading the body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("body of a {status} is not JSON ({e}): {text}"));
    (status, body)
}

/// Asserts an error response: its status, its JSON shape and its stable code.
pub async fn expect_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let url = resp.url().clone();
    let (got, body) = json_of(resp).await;
    assert_eq!(got.as_u16(), status, "{url}: {body}");
    assert_eq!(body["error"]["code"], code, "{url}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "an error needs a message: {body}"
    );
    body
}

/// The `(path, code)` of every detail of a validation error, in order.
pub fn details(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|d| {
                    (
                        d["path"].as_str().unwrap_or_default().to_string(),
                        d["code"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The same string with its last character changed: a token that is almost right.
pub fn altered(token: &str) -> String {
    let (kept, last) = token.split_at(token.len() - 1);
    format!("{kept}{}", if last == "a" { "b" } else { "a" })
}

/// Builds `[(path, code)]` for comparing with [`details`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

impl TestApp {
    /// This app's database, for tests that change it behind the server's back.
    pub fn database_url(&self) -> &str {
        self._db.url()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with the workspace's API key.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.api_key)
    }

    /// A request with another API key (or any `Authorization` token at all).
    pub fn request_as(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(key)
    }

    /// A request with no API key, as a respondent's.
    pub fn anonymous(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    /// GET with the API key; asserts 200 and returns the JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let (status, body) = json_of(self.get(path).await).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// GET with the API key; asserts 200 and returns the body as text.
    pub async fn get_text(&self, path: &str) -> String {
        let resp = self.get(path).await;
        let status = resp.status();
        let text = resp.text().await.expect("reading the body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        text
    }

    /// POST /api/v1/surveys with a JSON definition; the raw response.
    pub async fn post_survey(&self, definition: &Value) -> reqwest::Response {
        self.request(reqwest::Method::POST, "/api/v1/surveys")
            .json(definition)
            .send()
            .await
            .expect("POST /api/v1/surveys")
    }

    /// Creates a draft survey; asserts 201 and returns the survey as the API shows it.
    pub async fn create_survey(&self, definition: &Value) -> Value {
        let (status, body) = json_of(self.post_survey(definition).await).await;
        assert_eq!(status, StatusCode::CREATED, "creating a survey: {body}");
        body
    }

    /// Creates and publishes a survey; returns its id.
    pub async fn published_survey(&self, definition: &Value) -> String {
        let id = self.create_survey(definition).await["id"]
            .as_str()
            .expect("a survey id")
            .to_string();
        self.publish(&id).await;
        id
    }

    pub async fn publish(&self, id: &str) -> Value {
        self.lifecycle(id, "publish", "published").await
    }

    pub async fn close(&self, id: &str) -> Value {
        self.lifecycle(id, "close", "closed").await
    }

    async fn lifecycle(&self, id: &str, action: &str, status: &str) -> Value {
        let path = format!("/api/v1/surveys/{id}/{action}");
        let resp = self
            .request(reqwest::Method::POST, &path)
            .send()
            .await
            .expect("POST");
        let (code, body) = json_of(resp).await;
        assert_eq!(code, StatusCode::OK, "POST {path}: {body}");
        assert_eq!(body["status"], status, "{body}");
        body
    }

    /// PUT a new definition; the raw response.
    pub async fn put_survey(&self, id: &str, definition: &Value) -> reqwest::Response {
        self.request(reqwest::Method::PUT, &format!("/api/v1/surveys/{id}"))
            .json(definition)
            .send()
            .await
            .expect("PUT")
    }

    /// Submits a response as a respondent (no key); the raw response.
    pub async fn submit(&self, survey_id: &str, body: &Value) -> reqwest::Response {
        self.anonymous(
            reqwest::Method::POST,
            &format!("/api/v1/surveys/{survey_id}/responses"),
        )
        .json(body)
        .send()
        .await
        .expect("POST responses")
    }

    /// Submits a response as a respondent with an `Idempotency-Key`; status and JSON body.
    pub async fn submit_keyed(
        &self,
        survey_id: &str,
        key: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let resp = self
            .anonymous(
                reqwest::Method::POST,
                &format!("/api/v1/surveys/{survey_id}/responses"),
            )
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("POST responses");
        json_of(resp).await
    }

    /// Submits a response; asserts 201 and returns the result (`id`, `status`...).
    pub async fn submit_ok(&self, survey_id: &str, body: &Value) -> Value {
        let (status, result) = json_of(self.submit(survey_id, body).await).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "submitting {body} to {survey_id}: {result}"
        );
        result
    }

    /// Submits answers with nothing else; returns the new response's id.
    pub async fn answer(&self, survey_id: &str, answers: Value) -> String {
        self.submit_ok(survey_id, &json!({ "answers": answers }))
            .await["id"]
            .as_str()
            .expect("a response id")
            .to_string()
    }

    /// Continues a partial response; the raw response.
    pub async fn continue_response(
        &self,
        response_id: &str,
        resume_token: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.anonymous(
            reqwest::Method::PATCH,
            &format!("/api/v1/responses/{response_id}"),
        )
        .header("X-Resume-Token", resume_token)
        .json(body)
        .send()
        .await
        .expect("PATCH")
    }

    /// One stored response, as the owner reads it.
    pub async fn response(&self, id: &str) -> Value {
        self.get_json(&format!("/api/v1/responses/{id}")).await
    }

    /// Every page of `GET /api/v1/responses?{query}`, following `next_cursor`.
    pub async fn all_responses(&self, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/responses?{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = self.get_json(&path).await;
            out.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return out,
            }
            assert!(out.len() < 100_000, "pagination does not end");
        }
    }

    /// The ids of every listed response matching `query`, newest first.
    pub async fn response_ids(&self, query: &str) -> Vec<String> {
        self.all_responses(query)
            .await
            .iter()
            .map(|r| r["id"].as_str().expect("an id").to_string())
            .collect()
    }

    /// A second workspace with its own key, for isolation tests.
    pub async fn other_workspace(&self, slug: &str) -> (puls_store::WorkspaceId, String) {
        let ws = self
            .store
            .ensure_workspace(slug, slug)
            .await
            .expect("creating a workspace");
        let (_, key) = self
            .store
            .create_api_key(ws.id, "other")
            .await
            .expect("creating a key");
        (ws.id, key)
    }

    /// Stores responses directly, bypassing the API, with chosen creation times; for
    /// pagination and time filters, which must not depend on the clock during the test.
    pub async fn seed_responses(&self, survey_id: &str, created_at: &[i64]) -> Vec<String> {
        let ops: Vec<WriteOp> = created_at
            .iter()
            .map(|&at| WriteOp::Insert(puls_testdb::response(self.workspace_id, survey_id, at)))
            .collect();
        let outcomes = self
            .store
            .write_batch(&ops)
            .await
            .expect("seeding responses");
        assert!(outcomes.iter().all(|o| *o == WriteOutcome::Inserted));
        ops.into_iter()
            .filter_map(|op| match op {
                WriteOp::Insert(r) => Some(r.id.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// The `lang` attribute of a page's `<html>` element.
pub fn html_lang(html: &str) -> Option<&str> {
    let start = html.find("<html lang=\"")? + "<html lang=\"".len();
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

/// The hidden form fields of a page, as a browser would post them back.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    const START: &str = "<input type=\"hidden\" name=\"";
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(START) {
        rest = &rest[at + START.len()..];
        let Some(name_end) = rest.find('"') else {
            break;
        };
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let Some(value_at) = rest.find("value=\"") else {
            break;
        };
        rest = &rest[value_at + "value=\"".len()..];
        let Some(value_end) = rest.find('"') else {
            break;
        };
        out.push((unescape(name), unescape(&rest[..value_end])));
        rest = &rest[value_end..];
    }
    out
}

/// Undoes the HTML escaping of attribute values.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl TestApp {
    /// Saves a journey definition under its key (it must be accepted).
    pub async fn put_journey(&self, journey: &Value) {
        let key = journey["key"].as_str().expect("the journey's key");
        let put = self
            .request(reqwest::Method::PUT, &format!("/api/v1/journeys/{key}"))
            .json(journey)
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success(), "{}", put.text().await.unwrap());
    }

    /// Starts this server's outbox worker, delivering webhooks and sending e-mail through
    /// the test's SMTP server (plain, as a local relay).
    pub fn spawn_worker_mailing_to(&self, smtp: &puls_testdb::SmtpServer) {
        spawn_worker_of(&self.app, smtp);
    }

    /// Another node's application over this app's database (its own pools, writer and
    /// caches, this app's configuration), running its own outbox worker that mails through
    /// `smtp`, as a second `puls serve` process would.
    pub async fn second_worker_mailing_to(&self, smtp: &puls_testdb::SmtpServer) -> App {
        let store = puls_store::connect(self._db.url(), &ConnectOptions { max_connections: 8 })
            .await
            .expect("opening the database from a second node");
        let app = App::new(store, self.app.config().clone());
        spawn_worker_of(&app, smtp);
        app
    }
}

/// Starts `app`'s outbox worker, delivering webhooks and sending e-mail through the test's
/// SMTP server (plain, as a local relay).
fn spawn_worker_of(app: &App, smtp: &puls_testdb::SmtpServer) {
    let config = app.config();
    let transport = puls_send::HttpTransport::new(&config.webhooks).unwrap();
    let relay = puls_app::config::SmtpConfig {
        port: smtp.port,
        security: "none".into(),
        from: "Puls <puls@sklep.pl>".into(),
        ..config.smtp.clone()
    };
    let mailer = puls_send::SmtpMailer::new(&relay).unwrap().unwrap();
    puls_send::spawn_worker(
        app.clone(),
        std::sync::Arc::new(transport),
        Some(std::sync::Arc::new(mailer)),
    );
}

impl TestApp {
    /// A user of the workspace with `role`, speaking `locale`; returns their id.
    pub async fn member(&self, email: &str, locale: &str, role: &str) -> String {
        let puls_store::UserWrite::Done(u) = self
            .store
            .create_user(puls_store::NewUser {
                email,
                name: "Anna Nowak",
                password_hash: "$argon2id$unused",
                locale,
            })
            .await
            .unwrap()
        else {
            panic!("creating {email}")
        };
        self.store
            .set_membership(self.workspace_id, &u.id, role)
            .await
            .unwrap();
        u.id.as_str().to_string()
    }
}
