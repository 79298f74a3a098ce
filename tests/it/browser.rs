//! The web UI in real headless Chromium (Debian `chromium` and
//! `chromium-driver`), driven over WebDriver with thirtyfour: the DLA clerk
//! composes a circular (watching the live preview), numbers it and sends it
//! to every province; the Phitsanulok clerk receives it and forwards it
//! with the drafted cover letter; the อบจ. clerk receives and acknowledges;
//! the DLA clerk sees the tracking tree change. Every page is kept as a
//! screenshot under `target/tmp/screenshots/`.
//!
//! Without chromedriver the test says SKIPPED (and `.ci/run` fails).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{demo, offices};
use saraban::web::{self, AppState};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::db::actor;
use crate::support::skipped;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const PASSWORD: &str = "browser-test-password";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until chromedriver answers on `port` (polling; it starts in well
/// under a second).
async fn wait_ready(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

struct Browser {
    driver: WebDriver,
    base: String,
    step: usize,
}

impl Browser {
    async fn go(&self, path: &str) {
        self.driver
            .goto(format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn find(&self, by: By) -> WebElement {
        match self
            .driver
            .query(by.clone())
            .wait(Duration::from_secs(30), Duration::from_millis(100))
            .first()
            .await
        {
            Ok(el) => el,
            Err(e) => {
                let url = self
                    .driver
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let text = self.driver.source().await.unwrap_or_default();
                panic!(
                    "{by:?} not found on {url}: {e}\n{}",
                    &text[..text.len().min(3000)]
                );
            }
        }
    }

    /// Clicks a button that loads a new page, and waits for that page.
    async fn submit(&self, id: &str) {
        self.driver
            .execute("window.__before_submit = true;", Vec::new())
            .await
            .unwrap();
        self.click(id).await;
        for _ in 0..600 {
            let gone = self
                .driver
                .execute(
                    "return window.__before_submit === undefined && document.readyState === 'complete';",
                    Vec::new(),
                )
                .await
                .map(|r| r.json().as_bool() == Some(true))
                .unwrap_or(false);
            if gone {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking #{id} did not load a new page");
    }

    async fn fill(&self, id: &str, text: &str) {
        let el = self.find(By::Id(id)).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    async fn click(&self, id: &str) {
        self.find(By::Id(id)).await.click().await.unwrap();
    }

    async fn text(&self, by: By) -> String {
        self.find(by).await.text().await.unwrap()
    }

    /// Keeps a screenshot of the page, numbered in order.
    async fn shot(&mut self, name: &str) {
        self.step += 1;
        let path = shots().join(format!("{:02}-{name}.png", self.step));
        self.driver.screenshot(&path).await.unwrap();
    }

    async fn login(&mut self, username: &str) {
        self.go("/login").await;
        self.fill("username", username).await;
        self.fill("password", PASSWORD).await;
        self.submit("login").await;
        self.find(By::Css("header.top")).await;
    }

    async fn logout(&self) {
        self.submit("logout").await;
        self.find(By::Id("username")).await;
    }

    /// Confirmation dialogs are answered "yes" (the page's own confirm()).
    async fn accept_confirms(&self) {
        self.driver
            .execute("window.confirm = () => true;", Vec::new())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerks_send_forward_acknowledge_and_track_in_chromium() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        skipped("chromium and chromium-driver are not installed: the browser tests did not run");
        return;
    }
    // The service, in-process on a free port, over a fresh demo database.
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    for (username, office) in [
        ("dla.clerk", "มท 0810.7"),
        ("pl.clerk", "พล 0023"),
        ("pao.clerk", "องค์การบริหารส่วนจังหวัดพิษณุโลก"),
    ] {
        let office = offices::find(&db, office).await.unwrap();
        accounts::add(
            &db,
            &actor(),
            &office,
            &NewUser {
                username,
                display_name: username,
                role: Role::Clerk,
                password: PASSWORD,
                must_change: false,
            },
        )
        .await
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(AppState::new(saraban::app::App::new(db.store.clone(), &[])).unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // Chromium, headless, with a fresh profile and no background traffic.
    let port = free_port();
    let _chromedriver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_ready(port).await;
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1400",
        "--lang=th-TH",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
        .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("a Chromium session");
    let mut b = Browser {
        driver,
        base,
        step: 0,
    };

    // 1. The DLA clerk composes a circular, watching the live preview.
    b.go("/login").await;
    b.shot("login").await;
    b.login("dla.clerk").await;
    b.shot("dla-inbox-empty").await;
    b.go("/documents/new").await;
    b.fill("subject", "การประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์").await;
    b.fill("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด").await;
    b.fill(
        "body",
        "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดจัดการประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์ \
         ในวันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗ ผ่านระบบการประชุมทางไกล\n\n\
         จึงเรียนมาเพื่อโปรดพิจารณาแจ้งองค์กรปกครองส่วนท้องถิ่นทราบ ภายในวันที่ ๓๑ ธันวาคม ๒๕๗๐",
    )
    .await;
    b.fill("signer_name", "นายศิริพันธ์ ศรีกิ่งพลี").await;
    b.fill(
        "signer_position",
        "รองอธิบดี ปฏิบัติราชการแทน\nอธิบดีกรมส่งเสริมการปกครองท้องถิ่น",
    )
    .await;
    SelectElement::new(&b.find(By::Id("urgency")).await)
        .await
        .unwrap()
        .select_by_value("most_urgent")
        .await
        .unwrap();
    // The preview follows the typing: an image appears once rendered.
    b.find(By::Css("#preview[data-ready]")).await;
    b.shot("compose-with-preview").await;
    b.submit("save").await;
    assert!(b.text(By::Id("doc-state")).await.contains("ร่าง"));
    b.shot("draft").await;

    // 2. Numbering, with the next number shown before confirming.
    b.click("number-link").await;
    b.find(By::Css("input[value='circular']"))
        .await
        .click()
        .await
        .unwrap();
    let choices = b.text(By::Css("form[action$='/number']")).await;
    assert!(choices.contains("มท ๐๘๑๐.๗/ว ๑"), "{choices}");
    b.shot("number-confirm").await;
    b.click("confirm").await;
    b.submit("number").await;
    assert_eq!(b.text(By::Id("doc-number")).await, "มท ๐๘๑๐.๗/ว ๑");
    let doc_url = b.driver.current_url().await.unwrap().to_string();
    b.shot("numbered").await;

    // 3. Dispatch to every provincial office.
    SelectElement::new(&b.find(By::Id("group")).await)
        .await
        .unwrap()
        .select_by_value("provinces")
        .await
        .unwrap();
    b.accept_confirms().await;
    b.submit("dispatch").await;
    let rollup = b.text(By::Id("rollup")).await;
    assert!(rollup.contains("๗๖"), "76 provinces sent: {rollup}");
    b.shot("tracking-after-dispatch").await;
    b.logout().await;

    // 4. Phitsanulok receives it and forwards it with a cover letter.
    b.login("pl.clerk").await;
    let inbox = b.text(By::Css("table.list")).await;
    assert!(
        inbox.contains("ระบบสารบรรณอิเล็กทรอนิกส์") && inbox.contains("ด่วนที่สุด"),
        "{inbox}"
    );
    b.shot("pl-inbox").await;
    b.find(By::LinkText("การประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์"))
        .await
        .click()
        .await
        .unwrap();
    b.find(By::Id("delivery-state")).await;
    b.submit("receive").await;
    assert_eq!(b.text(By::Id("delivery-state")).await, "ลงรับแล้ว");
    b.shot("pl-received").await;
    b.submit("forward").await;
    // The cover letter is drafted and open for editing.
    let subject = b
        .find(By::Id("subject"))
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(subject.contains("ระบบสารบรรณอิเล็กทรอนิกส์"), "{subject}");
    b.find(By::Css("#preview[data-ready]")).await;
    b.shot("pl-cover-draft").await;
    b.submit("save").await;
    b.accept_confirms().await;
    b.submit("forward-send").await;
    let cover_number = b.text(By::Id("doc-number")).await;
    assert_eq!(cover_number, "พล ๐๐๒๓/๑");
    b.shot("pl-forwarded").await;
    b.logout().await;

    // 5. The อบจ. receives and acknowledges.
    b.login("pao.clerk").await;
    b.shot("pao-inbox").await;
    b.find(By::Css("table.list a")).await.click().await.unwrap();
    b.find(By::Id("delivery-state")).await;
    b.submit("receive").await;
    b.submit("acknowledge").await;
    assert_eq!(b.text(By::Id("delivery-state")).await, "รับทราบแล้ว");
    b.shot("pao-acknowledged").await;
    b.logout().await;

    // 6. The DLA clerk sees the tree: Phitsanulok forwarded, the อบจ. acknowledged.
    b.login("dla.clerk").await;
    b.driver.goto(format!("{doc_url}/tracking")).await.unwrap();
    b.click_tree_open().await;
    let tree = b.text(By::Id("tree")).await;
    assert!(
        tree.contains("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดพิษณุโลก ส่งต่อแล้ว"),
        "{tree}"
    );
    assert!(
        tree.contains("องค์การบริหารส่วนจังหวัดพิษณุโลก รับทราบแล้ว"),
        "{tree}"
    );
    let rollup = b.text(By::Id("rollup")).await;
    assert!(
        rollup.contains("๑๐"),
        "ten sent at the second level: {rollup}"
    );
    b.shot("dla-tracking-tree").await;

    // 7. Search without spaces, and the inbox on a phone-sized screen.
    b.go("/search?q=ชี้แจงระบบสารบรรณ").await;
    assert!(b.text(By::Id("results")).await.contains("การประชุมชี้แจง"));
    b.shot("search").await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.go("/documents").await;
    b.shot("phone-documents").await;
    b.driver.quit().await.unwrap();
}

impl Browser {
    async fn click_tree_open(&self) {
        self.find(By::Css("button[data-tree='open']"))
            .await
            .click()
            .await
            .unwrap();
    }
}

/// A clerk registers a scanned letter from outside: uploads the scan
/// (an image-only PDF made in the test), checks the pre-filled fields and
/// their confidences, registers it, sees the เลขรับ, and the stamped copy
/// carries the office name and เลขรับ at the top right (poppler reads it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_registers_a_scanned_letter_in_chromium() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        skipped("chromium and chromium-driver are not installed: the browser tests did not run");
        return;
    }
    if !crate::ocr::scan_tools() {
        return;
    }
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    let office = offices::find(&db, "พล 0023").await.unwrap();
    accounts::add(
        &db,
        &actor(),
        &office,
        &NewUser {
            username: "pl.clerk",
            display_name: "pl.clerk",
            role: Role::Clerk,
            password: PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(AppState::new(saraban::app::App::new(db.store.clone(), &[])).unwrap());
    let api = router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let port = free_port();
    let _chromedriver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_ready(port).await;
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--window-size=1280,1400",
        "--lang=th-TH",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
        .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("a Chromium session");
    let mut b = Browser {
        driver,
        base,
        step: 40,
    };
    // The letter as it came: page 1 of seed-003, scanned.
    let json = crate::render::example("seed-003");
    let input: serde_json::Value = serde_json::from_str(&json).unwrap();
    let input = input.get("main").cloned().unwrap_or(input);
    let scan =
        crate::ocr::scanned_pages("browser-scan", &crate::render::render_json(&json), Some(1));

    b.login("pl.clerk").await;
    b.go("/intake").await;
    b.shot("intake-choose").await;
    b.find(By::Id("files"))
        .await
        .send_keys(scan.display().to_string())
        .await
        .unwrap();
    b.submit("read-files").await;
    b.find(By::Id("intake-0")).await;
    b.shot("intake-prefilled").await;
    // Pre-filled from the scan: the number and date as the letter has them.
    let value = |id: &'static str| {
        let b = &b;
        async move {
            b.find(By::Id(id))
                .await
                .value()
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    let number = value("number-0").await;
    let want = saraban::docnum::DocNumber::parse(input["number"].as_str().unwrap()).unwrap();
    assert_eq!(
        saraban::docnum::DocNumber::parse(&number)
            .map(|n| n.key())
            .ok(),
        Some(want.key()),
        "pre-filled number {number}"
    );
    let date = value("date-0").await;
    assert_eq!(
        saraban::thai::parse_date(&date)
            .map(|d| d.to_string())
            .ok()
            .as_deref(),
        input["date"].as_str(),
        "pre-filled date {date}"
    );
    // Each pre-filled field says how sure saraban is.
    let conf = b.text(By::Id("conf-number-0")).await;
    assert!(
        ["มั่นใจสูง", "ควรตรวจ", "ไม่แน่ใจ"].contains(&conf.as_str()),
        "{conf}"
    );
    // The clerk checks the subject against the paper and types it.
    b.fill("subject-0", input["subject"].as_str().unwrap())
        .await;
    b.submit("register-all").await;
    let shown = b.text(By::Id("receive-number-0")).await;
    b.shot("intake-registered").await;
    assert!(
        shown.starts_with('๑'),
        "the first เลขรับ of the year: {shown}"
    );
    let href = b
        .find(By::Id("stamped-0"))
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    // The stamped copy, fetched with the clerk's session.
    let cookies = b.driver.get_all_cookies().await.unwrap();
    let cookie = cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ");
    let path = href.trim_start_matches(&b.base).to_string();
    let req = axum::http::Request::builder()
        .uri(path)
        .header(axum::http::header::COOKIE, cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = api.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), axum::http::StatusCode::OK);
    let pdf = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    let corner: String = crate::intake::top_right_text(&pdf)
        .split_whitespace()
        .collect();
    let office_name: String = office.fields.name.split_whitespace().collect();
    assert!(corner.contains(&office_name), "{corner}");
    assert!(
        corner.contains("เลขรับ") && corner.contains(&shown.replace(' ', "")),
        "{shown} in {corner}"
    );
    let png = crate::render::temp_pdf("browser-stamped", &pdf);
    let out = Command::new("pdftoppm")
        .args(["-r", "60", "-f", "1", "-l", "1", "-png"])
        .arg(&png)
        .arg(shots().join(format!("{:02}-intake-stamped-copy", b.step + 1)))
        .output()
        .unwrap();
    assert!(out.status.success());
    b.driver.quit().await.unwrap();
}
