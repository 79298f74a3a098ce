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
        ("nmp.clerk", "อำเภอเนินมะปราง"),
        ("wy.clerk", "องค์การบริหารส่วนตำบลวังยาง"),
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
    let (_chromedriver, mut b, _profile) = chromium(base).await;
    b.step = 0;

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

    // Two enclosures chosen at once: a schedule (PDF) and a map (photo),
    // each shown by its first page.
    let files = enclosures();
    let paths: Vec<String> = files
        .iter()
        .map(|(path, _)| path.to_string_lossy().to_string())
        .collect();
    b.find(By::Id("attach-files"))
        .await
        .send_keys(paths.join("\n"))
        .await
        .unwrap();
    b.submit("attach").await;
    let listed = b.text(By::Css("ul.attachments")).await;
    assert!(
        listed.contains("กำหนดการประชุม.pdf") && listed.contains("แผนที่.png"),
        "{listed}"
    );
    b.wait_images_loaded("ul.attachments img.thumb", 2).await;
    b.shot("draft-with-enclosures").await;

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

    // 5b. อำเภอเนินมะปราง receives the province's cover and forwards it
    // to อบต.วังยาง with its own cover letter.
    b.login("nmp.clerk").await;
    b.open_from_inbox("ระบบสารบรรณอิเล็กทรอนิกส์").await;
    b.find(By::Id("delivery-state")).await;
    b.submit("receive").await;
    b.fill("to", "องค์การบริหารส่วนตำบลวังยาง").await;
    b.submit("forward").await;
    b.find(By::Css("#preview[data-ready]")).await;
    b.submit("save").await;
    b.accept_confirms().await;
    b.submit("forward-send").await;
    let nmp_number = b.text(By::Id("doc-number")).await;
    assert!(
        nmp_number.starts_with("พล ๐๖๑๘."),
        "the district's own series: {nmp_number}"
    );
    b.logout().await;

    // 5c. วังยาง sees its letter, the chain above it (the DLA's circular
    // with both enclosures, then the province's cover), and gets each
    // enclosure byte for byte.
    b.login("wy.clerk").await;
    b.open_from_inbox("ระบบสารบรรณอิเล็กทรอนิกส์").await;
    let letters = b.text(By::Id("letters")).await;
    assert!(letters.contains(&nmp_number), "its own letter: {letters}");
    let chain = b.text(By::Css("ol.chain")).await;
    let (dla_at, pl_at) = (
        chain
            .find("มท ๐๘๑๐.๗/ว ๑")
            .expect("the DLA's circular in the chain"),
        chain
            .find("พล ๐๐๒๓/๑")
            .expect("the province's cover in the chain"),
    );
    assert!(dla_at < pl_at, "the original first: {chain}");
    for (path, name) in &files {
        let link = b
            .find(By::XPath(format!(
                "//ol[@class='chain']//a[text()='{name}']"
            )))
            .await;
        let href = link.attr("href").await.unwrap().unwrap();
        let got = b
            .driver
            .execute(
                "return fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)));",
                vec![serde_json::json!(href)],
            )
            .await
            .unwrap()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect::<Vec<u8>>();
        assert!(
            got == std::fs::read(path).unwrap(),
            "{name} arrived changed"
        );
    }
    b.shot("wy-letter-with-chain").await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.driver.refresh().await.unwrap();
    b.find(By::Css("ol.chain")).await;
    b.fits("วังยาง's letter and its chain at 390 px").await;
    b.shot("phone-wy-letter-with-chain").await;
    b.driver.set_window_rect(0, 0, 1280, 1000).await.unwrap();
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

/// The enclosures the DLA clerk attaches: a one-page schedule rendered
/// as PDF and a photo, in a folder kept for the test's life, with their
/// names.
fn enclosures() -> Vec<(PathBuf, &'static str)> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-enclosures");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = saraban::model::Document::from_json(
        &crate::web::letter("กำหนดการประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์", None).to_string(),
    )
    .unwrap();
    let pdf = saraban::render::Renderer::new(&[])
        .unwrap()
        .render_pdf(&doc, &saraban::render::RenderOptions::default())
        .unwrap();
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 160])
    })
    .write_to(&mut png, image::ImageFormat::Png)
    .unwrap();
    let files = [("กำหนดการประชุม.pdf", pdf), ("แผนที่.png", png.into_inner())];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            (path, name)
        })
        .collect()
}

impl Browser {
    /// Opens the inbox letter whose subject holds `words`: its delivery page.
    async fn open_from_inbox(&self, words: &str) {
        self.find(By::PartialLinkText(words))
            .await
            .click()
            .await
            .unwrap();
        self.find(By::Id("delivery-state")).await;
    }

    /// Waits until `n` images matching `css` have loaded with a size.
    async fn wait_images_loaded(&self, css: &str, n: usize) {
        let script = format!(
            "return Array.from(document.querySelectorAll({css:?})).filter(i => i.complete && i.naturalWidth > 0).length;"
        );
        for _ in 0..600 {
            let loaded = self
                .driver
                .execute(&script, Vec::new())
                .await
                .map(|r| r.json().as_u64().unwrap_or(0) as usize)
                .unwrap_or(0);
            if loaded >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} images {css} did not load");
    }

    async fn click_tree_open(&self) {
        self.find(By::Css("button[data-tree='open']"))
            .await
            .click()
            .await
            .unwrap();
    }
}

/// Chromium over chromedriver for `base`, at 1280 px wide.
async fn chromium(base: String) -> (Driver, Browser, tempfile::TempDir) {
    let port = free_port();
    let chromedriver = Driver(
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
    (
        chromedriver,
        Browser {
            driver,
            base,
            step: 50,
        },
        profile,
    )
}

impl Browser {
    async fn width(&self, w: u32, h: u32) {
        self.driver
            .set_window_rect(0, 0, w, h)
            .await
            .expect("window resized");
    }

    /// The page is no wider than the window: nothing scrolls sideways.
    async fn fits(&self, what: &str) {
        let r = self
            .driver
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                Vec::new(),
            )
            .await
            .unwrap();
        let v = r.json().clone();
        let (page, window) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        assert!(
            page <= window,
            "{what}: the page is {page} px wide in a {window} px window"
        );
    }
}

/// Inside สถจ.พิษณุโลก, in the browser: the clerk presents a received
/// letter (desktop), the checker endorses it along the chain, the head
/// assigns it on a phone (390 px), the drafter drafts the reply and
/// submits it, the checker passes it, the signer signs on a phone, the
/// clerk numbers it. Counts show in the header; phone pages do not scroll
/// sideways; every page is kept as a screenshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_the_office_at_desktop_and_phone_in_chromium() {
    use saraban::app::deliveries::{DispatchRequest, Step};
    use saraban::app::documents::NumberRequest;
    use saraban::app::review::SettingsRequest;
    use saraban::app::{App, Caller, DocumentId};
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        skipped("chromium and chromium-driver are not installed: the browser tests did not run");
        return;
    }
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    let mut callers = std::collections::HashMap::new();
    for (username, office, role, name) in [
        ("dla.clerk", "มท 0810.7", Role::Clerk, "เจ้าหน้าที่ สถ."),
        ("pl.clerk", "พล 0023", Role::Clerk, "เจ้าหน้าที่สารบรรณ"),
        ("pl.checker", "พล 0023", Role::Checker, "หัวหน้ากลุ่มงาน"),
        ("pl.signer", "พล 0023", Role::Signer, "ผู้อำนวยการกลุ่มงาน"),
        ("pl.head", "พล 0023", Role::Head, "ท้องถิ่นจังหวัด"),
        ("pl.drafter", "พล 0023", Role::Drafter, "นักวิเคราะห์"),
    ] {
        let office = offices::find(&db, office).await.unwrap();
        let user = accounts::add(
            &db,
            &actor(),
            &office,
            &NewUser {
                username,
                display_name: name,
                role,
                password: PASSWORD,
                must_change: false,
            },
        )
        .await
        .unwrap();
        callers.insert(username, Caller::user(user, office));
    }
    let app = App::new(db.store.clone(), &[]);
    app.set_workflow(
        &callers["pl.head"],
        &SettingsRequest {
            check_tiers: 1,
            require_signing: true,
            chain: vec!["pl.checker".into(), "pl.head".into()],
            checkers: vec!["pl.checker".into()],
            signer: Some("pl.signer".into()),
        },
    )
    .await
    .unwrap();
    // A letter from the DLA, received by the clerk.
    let mut doc: serde_json::Value = serde_json::from_str(demo::SEED_000).unwrap();
    doc["main"]["subject"] =
        serde_json::json!("ขอเชิญประชุมเชิงปฏิบัติการด้านการจัดทำแผนพัฒนาท้องถิ่นประจำปีงบประมาณ");
    doc["main"]["number"] = serde_json::Value::Null;
    let doc = saraban::model::Document::from_json(&doc.to_string()).unwrap();
    let dla = &callers["dla.clerk"];
    let d = app.create_draft(dla, &doc, &[]).await.unwrap();
    app.number(dla, DocumentId(d.id), &NumberRequest::default())
        .await
        .unwrap();
    let sent = app
        .dispatch(
            dla,
            DocumentId(d.id),
            &DispatchRequest {
                to: "พล 0023".into(),
                deadline: None,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let delivery = sent[0].id;
    app.inbox_step(
        &callers["pl.clerk"],
        saraban::app::DeliveryId(delivery),
        Step::Receive,
    )
    .await
    .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(AppState::new(App::new(db.store.clone(), &[])).unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let (_chromedriver, mut b, _profile) = chromium(base).await;
    let inside = format!("/inside/deliveries/{delivery}");

    // 1. Desktop: the clerk presents it along the chain.
    b.login("pl.clerk").await;
    b.go(&format!("/deliveries/{delivery}")).await;
    b.click("inside-link").await;
    b.find(By::Id("present")).await;
    b.fill("present-note", "เรียน หัวหน้ากลุ่มงาน เพื่อโปรดพิจารณา")
        .await;
    b.submit("present").await;
    assert!(
        b.text(By::Id("timeline"))
            .await
            .contains("เสนอ หัวหน้ากลุ่มงาน")
    );
    b.shot("inside-presented").await;
    b.logout().await;

    // 2. The checker sees the count, endorses, and it goes on to the head.
    b.login("pl.checker").await;
    assert!(b.text(By::Id("counts")).await.contains("รอเกษียน ๑"));
    b.click("nav-work").await;
    b.find(By::Id("work-list")).await;
    b.shot("work-checker").await;
    b.go(&inside).await;
    b.fill("endorse-note", "เห็นควรมอบกลุ่มงานแผนฯ เข้าร่วมประชุม")
        .await;
    b.submit("endorse").await;
    assert!(b.text(By::Id("timeline")).await.contains("เสนอ ท้องถิ่นจังหวัด"));
    b.logout().await;

    // 3. Phone: the head assigns it to the drafter with a due date.
    b.width(390, 844).await;
    b.login("pl.head").await;
    b.click("nav-work").await;
    b.find(By::Id("work-list")).await;
    b.fits("my work").await;
    b.shot("phone-work-head").await;
    b.go(&inside).await;
    b.fits("the endorse page").await;
    b.shot("phone-endorse").await;
    b.fill("assign-to", "pl.drafter").await;
    b.fill("assign-due", "31/12/2569").await;
    b.fill("assign-instruction", "เข้าร่วมประชุมและรายงานผล").await;
    b.submit("assign").await;
    assert!(
        b.text(By::Id("timeline"))
            .await
            .contains("มอบหมาย นักวิเคราะห์")
    );
    b.shot("phone-assigned").await;
    // Presented and decided: not offered for presenting again.
    assert!(!b.text(By::Css("main")).await.contains("เสนอถึง"));
    // The head's settings page: the chain, the check tiers, acting roles.
    b.click("nav-workflow").await;
    b.find(By::Id("settings-box")).await;
    b.fits("the workflow settings").await;
    b.shot("phone-workflow-settings").await;
    b.logout().await;

    // 4. The drafter drafts the reply and submits it.
    b.login("pl.drafter").await;
    b.go(&inside).await;
    b.submit("reply").await;
    let url = b.driver.current_url().await.unwrap().to_string();
    let reply: i64 = url
        .split("/documents/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse().ok())
        .expect("the reply's edit page");
    b.go(&format!("/inside/documents/{reply}")).await;
    b.submit("submit").await;
    assert!(b.text(By::Id("stage")).await.contains("รอตรวจร่าง"));
    b.fits("the draft page").await;
    b.logout().await;

    // 5. Desktop: the checker passes it.
    b.width(1280, 1400).await;
    b.login("pl.checker").await;
    b.go(&format!("/inside/documents/{reply}")).await;
    b.submit("check-pass").await;
    assert!(b.text(By::Id("stage")).await.contains("รอลงนาม"));
    b.logout().await;

    // 6. Phone: the signer signs with a typed name.
    b.width(390, 844).await;
    b.login("pl.signer").await;
    assert!(b.text(By::Id("counts")).await.contains("รอลงนาม ๑"));
    b.go(&format!("/inside/documents/{reply}")).await;
    b.fits("the sign page").await;
    b.shot("phone-sign").await;
    b.fill("sign-name", "นายสมชาย ใจดี").await;
    b.submit("sign").await;
    assert!(b.text(By::Id("stage")).await.contains("ลงนามแล้ว"));
    b.shot("phone-signed").await;
    b.logout().await;

    // 7. The clerk numbers the signed reply; the inbox fits a phone.
    b.login("pl.clerk").await;
    b.go("/").await;
    b.fits("the inbox").await;
    b.shot("phone-inbox").await;
    b.width(1280, 1400).await;
    b.go(&format!("/documents/{reply}")).await;
    b.accept_confirms().await;
    b.click("number-link").await;
    b.find(By::Css("form[action$='/number']")).await;
    b.click("confirm").await;
    b.submit("number").await;
    let number = b.text(By::Id("doc-number")).await;
    assert!(number.starts_with("พล"), "{number}");
    b.go(&inside).await;
    b.shot("inside-timeline-desktop").await;
}

/// Reply forms in Chromium: the DLA clerk drafts a circular, designs its
/// reply form, numbers it and sends it to four provinces; two offices
/// answer at phone width through the links their personal letters' QR
/// codes carry (one first sees its mistakes in Thai); the tracking tree
/// shows them as replied; the workbook downloaded in the browser has
/// their rows; a reminder is drafted to the rest, numbered and sent, and
/// the tree shows who was reminded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offices_reply_at_phone_width_and_the_rest_are_reminded_in_chromium() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        skipped(
            "chromium and chromium-driver are not installed: the reply-form browser test did not run",
        );
        return;
    }
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    let dla = offices::find(&db, "มท 0810.7").await.unwrap();
    accounts::add(
        &db,
        &actor(),
        &dla,
        &NewUser {
            username: "dla.clerk",
            display_name: "dla.clerk",
            role: Role::Clerk,
            password: PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = saraban::app::App::new(db.store.clone(), &[]);
    // The QR codes point at this server.
    app.set_public_url(&base);
    let router = web::router(AppState::new(app).unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let (_chromedriver, mut b, _profile) = chromium(base).await;
    b.step = 100;

    // 1. A circular, and its reply form designed on the draft.
    b.login("dla.clerk").await;
    b.go("/documents/new").await;
    b.fill("subject", "การประชุมชี้แจงแบบตอบรับออนไลน์").await;
    b.fill("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด").await;
    b.fill(
        "body",
        "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดจัดการประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์\n\n\
         จึงเรียนมาเพื่อโปรดตอบแบบตอบรับตาม QR Code ที่แนบ ภายในวันที่ ๓๑ ธันวาคม ๒๕๘๐",
    )
    .await;
    b.fill("signer_name", "นายศิริพันธ์ ศรีกิ่งพลี").await;
    b.fill("signer_position", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น")
        .await;
    // หนังสือเวียน, with a grid schedule: days × time slots, a merged cell,
    // the lunch break.
    b.click("circular").await;
    SelectElement::new(&b.find(By::Id("new_annex")).await)
        .await
        .unwrap()
        .select_by_value("grid")
        .await
        .unwrap();
    b.submit("add-annex").await;
    b.fill("a0.title", "กำหนดการ\nการประชุมชี้แจงระบบสารบรรณอิเล็กทรอนิกส์")
        .await;
    b.fill("a0.day0", "๑๕/๑๒/๒๕๘๐").await;
    b.fill("a0.cell0.0", "ลงทะเบียนและพิธีเปิด").await;
    b.click("a0.merge0.0").await;
    b.fill("a0.cell0.2", "ชี้แจงการใช้แบบตอบรับ").await;
    b.fill("a0.cell0.3", "ถาม - ตอบ").await;
    b.submit("a0-addday").await;
    b.fill("a0.day1", "๑๖/๑๒/๒๕๘๐").await;
    for (j, text) in ["ฝึกปฏิบัติ", "ฝึกปฏิบัติ (ต่อ)", "สรุปผล", "ปิดการประชุม"]
        .iter()
        .enumerate()
    {
        b.fill(&format!("a0.cell1.{j}"), text).await;
    }
    assert!(
        b.find(By::Id("circular"))
            .await
            .is_selected()
            .await
            .unwrap(),
        "the switch survives the round trip"
    );
    b.shot("compose-grid").await;
    // At phone width the page does not scroll sideways (the grid does,
    // inside its own box).
    b.width(390, 844).await;
    b.driver
        .execute(
            "document.getElementById('annexes').scrollIntoView();",
            Vec::new(),
        )
        .await
        .unwrap();
    b.shot("phone-compose-grid").await;
    b.fits("the compose page with a grid schedule").await;
    b.width(1280, 1400).await;
    b.submit("save").await;
    b.submit("reply-form-link").await;
    // The starter form: attending or not, and who; a number is added.
    SelectElement::new(&b.find(By::Id("new-kind")).await)
        .await
        .unwrap()
        .select_by_value("number")
        .await
        .unwrap();
    b.submit("add").await;
    b.fill("label-2", "จำนวนผู้เข้าร่วม").await;
    b.submit("remove-1").await;
    b.find(By::Id("label-1")).await;
    let second = b.find(By::Id("label-1")).await.prop("value").await.unwrap();
    assert_eq!(
        second.as_deref(),
        Some("จำนวนผู้เข้าร่วม"),
        "the attendees row was removed"
    );
    SelectElement::new(&b.find(By::Id("new-kind")).await)
        .await
        .unwrap()
        .select_by_value("attendees")
        .await
        .unwrap();
    b.submit("add").await;
    b.fill("label-2", "รายชื่อผู้เข้าร่วม").await;
    b.shot("reply-form-designer").await;
    b.submit("save-form").await;
    assert!(
        b.text(By::Id("reply-form-link"))
            .await
            .contains("แก้ไขแบบตอบรับ")
    );

    // 2. Numbered and sent to four provinces.
    b.click("number-link").await;
    // The ว series is offered by default for a circular.
    assert!(
        b.find(By::Css("input[name='series'][value='circular']"))
            .await
            .is_selected()
            .await
            .unwrap(),
        "a circular is numbered in the ว series by default"
    );
    b.click("confirm").await;
    b.submit("number").await;
    b.fill("to-codes", "พล 0023, สข 0023, ชม 0023, ขก 0023")
        .await;
    b.fill("deadline", "31/12/2580").await;
    b.accept_confirms().await;
    b.submit("dispatch").await;
    assert!(b.text(By::Id("rollup")).await.contains('๔'));

    // 3. Two offices answer through the links in their letters' QR codes.
    let letters: Vec<(String, Vec<u8>)> = sqlx::query(
        "SELECT o.name, d.letter_pdf FROM deliveries d JOIN offices o ON o.id = d.to_office \
         WHERE o.name LIKE '%พิษณุโลก%' OR o.name LIKE '%สงขลา%' ORDER BY o.name",
    )
    .fetch_all(db.store.reader())
    .await
    .unwrap()
    .iter()
    .map(|r| (sqlx::Row::get(r, 0), sqlx::Row::get(r, 1)))
    .collect();
    assert_eq!(letters.len(), 2);
    let tokens: Vec<String> = sqlx::query(
        "SELECT d.token FROM deliveries d JOIN offices o ON o.id = d.to_office \
         WHERE o.name LIKE '%พิษณุโลก%' OR o.name LIKE '%สงขลา%' ORDER BY o.name",
    )
    .fetch_all(db.store.reader())
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::get(r, 0))
    .collect();
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    for (i, ((office, pdf), token)) in letters.iter().zip(&tokens).enumerate() {
        let link = match crate::replies::qr_codes(pdf) {
            Some(codes) => codes
                .into_iter()
                .find(|c| c.contains("/r/"))
                .expect("the reply QR code"),
            None => format!("{}/r/{token}", b.base),
        };
        assert!(link.ends_with(token), "{link}");
        b.driver.goto(&link).await.unwrap();
        assert!(
            b.text(By::Id("reply-office"))
                .await
                .contains(office.as_str())
        );
        b.shot(&format!("phone-reply-form-{i}")).await;
        b.driver
            .execute(
                "document.getElementById('reply-form').scrollIntoView();",
                Vec::new(),
            )
            .await
            .unwrap();
        if i == 0 {
            // Sent without choosing: the mistakes, in Thai.
            b.submit("send").await;
            assert!(b.text(By::Id("errors")).await.contains("การเข้าร่วม"));
            b.driver
                .execute(
                    "document.getElementById('errors').scrollIntoView();",
                    Vec::new(),
                )
                .await
                .unwrap();
            b.shot("phone-reply-errors").await;
        }
        b.find(By::Css("input[name='v.f1'][value='เข้าร่วม']"))
            .await
            .click()
            .await
            .unwrap();
        let field = |name: &str| b.find(By::Css(format!("input[name='{name}']")));
        field("v.f2").await.send_keys("๒").await.unwrap();
        field("a.f3.0.name")
            .await
            .send_keys(&format!("ผู้แทน{office}"))
            .await
            .unwrap();
        field("a.f3.0.position")
            .await
            .send_keys("นักวิเคราะห์นโยบายและแผน")
            .await
            .unwrap();
        field("a.f3.0.phone")
            .await
            .send_keys("๐๘๑ ๒๓๔ ๕๖๗๘")
            .await
            .unwrap();
        field("a.f3.1.name")
            .await
            .send_keys("นายสมชาย ใจดี")
            .await
            .unwrap();
        b.driver
            .execute(
                "document.getElementById('reply-form').scrollIntoView();",
                Vec::new(),
            )
            .await
            .unwrap();
        b.shot(&format!("phone-reply-filled-{i}")).await;
        b.submit("send").await;
        assert!(b.text(By::Id("saved")).await.contains("บันทึกคำตอบ"));
        b.shot(&format!("phone-reply-saved-{i}")).await;
    }
    b.driver.set_window_rect(0, 0, 1280, 1400).await.unwrap();

    // 4. The tracking tree shows them as replied; the workbook has their rows.
    let doc_url = {
        let id: i64 = sqlx::Row::get(
            &sqlx::query("SELECT document_id FROM deliveries ORDER BY id LIMIT 1")
                .fetch_one(db.store.reader())
                .await
                .unwrap(),
            0,
        );
        format!("/documents/{id}")
    };
    b.go(&format!("{doc_url}/tracking")).await;
    let tree = b.text(By::Id("tree")).await;
    for (office, _) in &letters {
        assert!(tree.contains(&format!("{office} ตอบกลับแล้ว")), "{tree}");
    }
    let rollup = b.text(By::Id("rollup")).await;
    assert!(rollup.contains("ตอบกลับ"), "{rollup}");
    b.shot("tracking-replied").await;
    let href = b
        .find(By::Id("replies-xlsx"))
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let got = b
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => r.arrayBuffer())\
             .then(x => done(Array.from(new Uint8Array(x))));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let bytes: Vec<u8> = serde_json::from_value(got.json().clone()).unwrap();
    let rows = crate::replies::xlsx_rows(&bytes);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (office, _) in &letters {
        let row = rows
            .iter()
            .find(|r| &r[0] == office)
            .expect("the office's row");
        assert!(row.contains(&"เข้าร่วม".to_string()), "{row:?}");
        assert!(
            row.iter().any(|c| c.contains(&format!("ผู้แทน{office}"))),
            "{row:?}"
        );
    }

    // 5. A reminder to the rest: drafted, numbered and sent.
    SelectElement::new(&b.find(By::Id("remind-only")).await)
        .await
        .unwrap()
        .select_by_value("not_replied")
        .await
        .unwrap();
    b.accept_confirms().await;
    b.submit("remind").await;
    b.shot("reminder-draft").await;
    b.click("number-link").await;
    b.click("confirm").await;
    b.submit("number").await;
    let to = b.text(By::Id("reminder-to")).await;
    assert!(to.contains("ชม") && to.contains("ขก"), "{to}");
    b.accept_confirms().await;
    b.submit("dispatch").await;
    b.go(&format!("{doc_url}/tracking")).await;
    let tree = b.text(By::Id("tree")).await;
    assert_eq!(tree.matches("ทวงถามแล้ว").count(), 2, "{tree}");
    b.shot("tracking-reminded").await;
    b.driver.quit().await.unwrap();
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
    let (_chromedriver, mut b, _profile) = chromium(base).await;
    b.step = 40;
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
