//! The web quickstart (`examples/quickstart_web/`) in a real browser: headless Chromium,
//! driven over WebDriver (fantoccini), opens the page, clicks through the emulator's Link as a
//! user would, and reads what the page then shows (docs: `quickstart.txt`, `link-web.txt`,
//! `link-update-mode.txt`). Elements are found by their role and visible label; every wait is
//! WebDriver's wait for an element, never a sleep.
//!
//! These need chromedriver: `eval "$(bash scripts/chromium.sh)"` sets `WEBDRIVER_URL`; without
//! it they fail, saying so. On a failure the page's screenshot, its console log and its HTML
//! are saved under `target/browser-artifacts/<test>/`, and the path is printed.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../examples/quickstart_web/app.rs"]
mod app;

use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client as Browser, ClientBuilder, Locator};
use plaid_client_ext::{types, ErrorCode, PlaidClient};
use plaid_emulator::Emulator;
use serde_json::{json, Value};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// What the tests say when no chromedriver is running.
const NEEDS: &str = "needs chromedriver: eval \"$(bash scripts/chromium.sh)\"";

/// An XPath predicate: the element is not inside a `hidden` pane.
const SHOWN: &str = "[not(ancestor-or-self::*[@hidden])]";

/// The institution the tests link at (docs, `sandbox-institutions.txt`).
const GINGHAM: &str = "First Gingham Credit Union";

/// How long a wait for an element lasts before the test fails.
const WAIT: Duration = Duration::from_secs(30);

/// The emulator, the quickstart in front of it, and a browser on the quickstart's page.
struct Run {
    _emulator: Emulator,
    client: PlaidClient,
    app: Arc<app::App>,
    browser: Browser,
    webdriver: String,
}

async fn start() -> Run {
    let webdriver = std::env::var("WEBDRIVER_URL").unwrap_or_else(|_| panic!("{NEEDS}"));
    let (emulator, client, script) = app::offline().await.unwrap();
    let products = vec![types::Products::Auth, types::Products::Transactions];
    let app = Arc::new(app::App::new(client.clone(), script, products));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app::router(app.clone())).into_future());
    let browser = browser(&webdriver).await;
    browser.goto(&url).await.unwrap();
    Run {
        _emulator: emulator,
        client,
        app,
        browser,
        webdriver,
    }
}

/// A headless Chromium session that keeps the page's console log.
async fn browser(webdriver: &str) -> Browser {
    let binary = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,1000"],
        },
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .unwrap_or_else(|e| panic!("{NEEDS} ({webdriver}: {e})"))
}

impl Run {
    /// Ends the test with its `outcome`: on a failure, saves the page's artifacts and fails.
    async fn finish(self, name: &str, outcome: Result<(), Failure>) {
        if let Err(failure) = outcome {
            let saved = self.save_artifacts(name).await;
            let _ = self.browser.close().await;
            panic!("{name} failed: {failure}\n  screenshot, console log and page: {saved}");
        }
        self.browser.close().await.unwrap();
    }

    async fn save_artifacts(&self, name: &str) -> String {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/browser-artifacts")
            .join(name);
        let _ = std::fs::create_dir_all(&dir);
        // The frame the test was in (Link's, if it was open), then the page around it.
        if let Ok(html) = self.browser.source().await {
            let _ = std::fs::write(dir.join("frame.html"), html);
        }
        let _ = self.browser.enter_parent_frame().await;
        if let Ok(png) = self.browser.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        if let Ok(html) = self.browser.source().await {
            let _ = std::fs::write(dir.join("page.html"), html);
        }
        let _ = std::fs::write(dir.join("console.log"), self.console_log().await);
        dir.display().to_string()
    }

    /// The page's console messages, from chromedriver's log endpoint.
    async fn console_log(&self) -> String {
        let Ok(Some(session)) = self.browser.session_id().await else {
            return "no session".into();
        };
        let url = format!("{}/session/{session}/se/log", self.webdriver);
        let answer = reqwest::Client::new()
            .post(url)
            .json(&json!({"type": "browser"}))
            .send()
            .await;
        let Ok(answer) = answer else {
            return "the log could not be read".into();
        };
        let log: Value = answer.json().await.unwrap_or_default();
        log["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| format!("{} {}\n", e["level"], e["message"]))
            .collect()
    }

    /// Waits for the element `xpath` names.
    async fn find(&self, xpath: &str) -> Result<Element, Failure> {
        let wait = self.browser.wait().at_most(WAIT);
        wait.for_element(Locator::XPath(xpath))
            .await
            .map_err(|e| format!("waiting for {xpath}: {e}").into())
    }

    /// Clicks the shown button named `name` once it is there.
    async fn click(&self, name: &str) -> Result<(), Failure> {
        let button = self
            .find(&format!(
                "//button[normalize-space()='{name}' or @aria-label='{name}']{SHOWN}"
            ))
            .await?;
        button
            .click()
            .await
            .map_err(|e| format!("clicking {name}: {e}").into())
    }

    /// Types `text` into the field labelled `label`.
    async fn fill(&self, label: &str, text: &str) -> Result<(), Failure> {
        let field = self
            .find(&format!(
                "//input[@id=//label[normalize-space()='{label}']/@for]{SHOWN}"
            ))
            .await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Waits for an element of role `role` whose text contains `text`.
    async fn shows(&self, role: &str, text: &str) -> Result<Element, Failure> {
        self.find(&format!(
            "//*[@role='{role}' and contains(., \"{text}\")]{SHOWN}"
        ))
        .await
    }

    /// Waits for Link's pane headed `heading` to be the one shown.
    async fn pane(&self, heading: &str) -> Result<Element, Failure> {
        self.find(&format!("//h1[normalize-space()='{heading}']{SHOWN}"))
            .await
    }

    /// Opens Link from the page's `button` and enters its iframe.
    async fn open_link(&self, button: &str) -> Result<(), Failure> {
        self.click(button).await?;
        let frame = self.find("//iframe[@title='Plaid Link']").await?;
        frame.enter_frame().await?;
        self.click("Continue").await
    }

    /// In Link: logs in with `username` and `password`.
    async fn log_in(&self, username: &str, password: &str) -> Result<(), Failure> {
        self.fill("Username", username).await?;
        self.fill("Password", password).await?;
        self.click("Submit").await
    }

    /// In Link: the success pane's Continue, back to the page.
    async fn finish_link(&self) -> Result<(), Failure> {
        self.pane("Success").await?;
        self.click("Continue").await?;
        self.browser.enter_parent_frame().await?;
        Ok(())
    }

    /// The rows of the page's table headed `heading`, once it has some.
    async fn rows(&self, heading: &str) -> Result<Vec<String>, Failure> {
        let table = format!("//table[@aria-labelledby=//h2[normalize-space()='{heading}']/@id]");
        self.find(&format!("{table}//tbody/tr")).await?;
        let rows = self
            .browser
            .find_all(Locator::XPath(&format!("{table}//tbody/tr")))
            .await?;
        let mut texts = Vec::new();
        for row in rows {
            texts.push(row.text().await?);
        }
        Ok(texts)
    }

    /// Links an Item at First Gingham Credit Union, found by searching, with user_good /
    /// pass_good, both accounts.
    async fn link_user_good(&self) -> Result<(), Failure> {
        self.open_link("Launch Link").await?;
        self.fill("Search for your bank", "gingham").await?;
        // The one match left once the search is answered.
        let list = "//ul[@aria-label='Institutions'][count(li)=1]";
        self.find(&format!("{list}//button[normalize-space()='{GINGHAM}']"))
            .await?;
        self.click(GINGHAM).await?;
        self.log_in("user_good", "pass_good").await?;
        self.pane("Select accounts").await?;
        self.click("Continue").await?;
        self.finish_link().await
    }
}

#[tokio::test]
#[ignore = "needs chromedriver: eval \"$(bash scripts/chromium.sh)\""]
async fn user_good_links_an_item_and_the_page_shows_its_accounts_and_transactions() {
    let run = start().await;
    let outcome = link_and_see_accounts(&run).await;
    run.finish("user_good_links_an_item", outcome).await;
}

async fn link_and_see_accounts(run: &Run) -> Result<(), Failure> {
    run.link_user_good().await?;
    run.shows(
        "status",
        "Linked 2 account(s) at First Gingham Credit Union",
    )
    .await?;
    let accounts = run.rows("Accounts").await?;
    let item = run.app.item().ok_or("no Item was linked")?;
    let expected = run
        .client
        .send(&types::AccountsGetRequest::new(item.access_token))
        .await?;
    assert_eq!(accounts.len(), expected.accounts.len());
    for (row, account) in accounts.iter().zip(&expected.accounts) {
        assert!(row.contains(&account.name), "{row} lacks {}", account.name);
    }
    let transactions = run.rows("Transactions").await?;
    assert!(!transactions.is_empty());
    run.find("//p[contains(., 'transactions synced')]").await?;
    // The README's screenshot: `QUICKSTART_SCREENSHOT=<png>` saves the page as it is now.
    if let Ok(path) = std::env::var("QUICKSTART_SCREENSHOT") {
        std::fs::write(path, run.browser.screenshot().await?)?;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs chromedriver: eval \"$(bash scripts/chromium.sh)\""]
async fn an_error_password_shows_link_s_on_exit_error_on_the_page() {
    let run = start().await;
    let outcome = fail_login(&run).await;
    run.finish("an_error_password", outcome).await;
}

async fn fail_login(run: &Run) -> Result<(), Failure> {
    run.open_link("Launch Link").await?;
    run.click("First Platypus Bank").await?;
    run.log_in("user_good", "error_ITEM_LOCKED").await?;
    run.shows("alert", "ITEM_LOCKED").await?;
    run.click("Exit").await?;
    run.browser.enter_parent_frame().await?;
    let error = run.shows("alert", "ITEM_LOCKED").await?;
    assert!(error.text().await?.contains("ITEM_ERROR"));
    run.shows("status", "Link exited (requires_credentials)")
        .await?;
    assert!(run.app.item().is_none(), "no Item is linked");
    Ok(())
}

#[tokio::test]
#[ignore = "needs chromedriver: eval \"$(bash scripts/chromium.sh)\""]
async fn a_reset_login_is_repaired_through_update_mode() {
    let run = start().await;
    let outcome = repair_login(&run).await;
    run.finish("a_reset_login_is_repaired", outcome).await;
}

async fn repair_login(run: &Run) -> Result<(), Failure> {
    run.link_user_good().await?;
    run.rows("Accounts").await?;
    let item = run.app.item().ok_or("no Item was linked")?;
    let reset = types::SandboxItemResetLoginRequest::new(item.access_token.clone());
    run.client.send(&reset).await?;
    run.click("Get accounts").await?;
    run.shows("alert", "ITEM_LOGIN_REQUIRED").await?;
    run.open_link("Repair login").await?;
    run.log_in("user_good", "pass_good").await?;
    run.finish_link().await?;
    run.shows("status", "Login repaired at First Gingham Credit Union")
        .await?;
    assert_eq!(run.rows("Accounts").await?.len(), 2);
    let accounts = types::AccountsGetRequest::new(item.access_token);
    let answer = run.client.send(&accounts).await;
    assert!(
        answer.as_ref().err().and_then(|e| e.error_code()) != Some(&ErrorCode::ItemLoginRequired),
        "the Item still needs its login"
    );
    assert_eq!(answer?.accounts.len(), 2);
    Ok(())
}
