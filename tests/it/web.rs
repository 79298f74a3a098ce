//! The service's JSON API in-process, on both backends: the access matrix
//! (role × office × resource × action, other offices' ids answering 404),
//! secret letters, search (Thai without spaces, either digits, B.E. and
//! C.E. dates), bad input, and the OpenAPI description covering every route.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{demo, offices};
use saraban::web::{self, AppState};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, actor, count, on_both};

on_both!(
    access_matrix,
    search_finds_thai_and_numbers,
    bad_input_is_refused_cleanly,
    sessions_need_csrf_tokens
);

/// The demo with the seeds' stories, and one user per (office, role) with
/// an API token.
pub struct Fixture {
    pub router: Router,
    pub tokens: std::collections::HashMap<String, String>,
    pub circular: i64,
    pub seed_003: i64,
}

pub const PASSWORD: &str = "correct horse battery";

/// Users: `<office>.<role>` for the DLA division (every role), Phitsanulok
/// (clerk, drafter), อำเภอเนินมะปราง, อบต.วังยาง and อบต.ชมพู (clerks).
pub async fn fixture(db: &TestDb) -> Fixture {
    demo::load(db, &actor()).await.unwrap();
    let stories = demo::stories(db, &actor()).await.unwrap();
    let mut tokens = std::collections::HashMap::new();
    let mut users: Vec<(&str, &str, Role)> =
        Role::ALL.iter().map(|r| ("dla", "มท 0810.7", *r)).collect();
    users.extend([
        ("pl", "พล 0023", Role::Clerk),
        ("pl", "พล 0023", Role::Drafter),
        ("nmp", "อำเภอเนินมะปราง", Role::Clerk),
        ("wy", "องค์การบริหารส่วนตำบลวังยาง", Role::Clerk),
        ("chomphu", "องค์การบริหารส่วนตำบลชมพู", Role::Clerk),
        ("pao", "องค์การบริหารส่วนจังหวัดพิษณุโลก", Role::Clerk),
    ]);
    for (short, office, role) in users {
        let office = offices::find(db, office).await.unwrap();
        let username = format!("{short}.{}", role.key());
        let user = accounts::add(
            db,
            &actor(),
            &office,
            &NewUser {
                username: &username,
                display_name: &username,
                role,
                password: PASSWORD,
                must_change: false,
            },
        )
        .await
        .unwrap();
        let token = accounts::add_token(db, &actor(), &user, "test")
            .await
            .unwrap();
        tokens.insert(username, token);
    }
    let state = AppState::new(saraban::app::App::new(db.store.clone(), &[])).unwrap();
    Fixture {
        router: web::router(state),
        tokens,
        circular: stories.circular,
        seed_003: stories.seed_003,
    }
}

/// One request; the answer's status and body (JSON when it is JSON).
pub async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

pub fn letter(subject: &str, secrecy: Option<&str>) -> Value {
    let mut doc: Value = serde_json::from_str(demo::SEED_000).unwrap();
    let main = &mut doc["main"];
    main["subject"] = json!(subject);
    main["number"] = Value::Null;
    if let Some(s) = secrecy {
        main["secrecy"] = json!(s);
    }
    doc
}

pub async fn draft(f: &Fixture, who: &str, subject: &str) -> i64 {
    draft_with(f, who, subject, None).await
}

/// A draft by `who`, of this secrecy (`"secret"`, `"confidential"` …).
pub async fn draft_with(f: &Fixture, who: &str, subject: &str, secrecy: Option<&str>) -> i64 {
    let (status, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens[who]),
        Some(json!({ "document": letter(subject, secrecy) })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// A delivery of the cascade to `office_user`'s office.
async fn delivery_for(f: &Fixture, who: &str) -> i64 {
    let (status, body) = call(
        &f.router,
        Method::GET,
        "/api/v1/inbox",
        Some(&f.tokens[who]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    body["inbox"][0]["delivery"]["id"]
        .as_i64()
        .expect("an inbox item")
}

async fn access_matrix(db: &TestDb) {
    let f = fixture(db).await;
    let circular = f.circular;
    let seed = f.seed_003;
    // A draft per numbering role, so that each can number its own.
    let d_clerk = draft(&f, "dla.drafter", "ร่างสำหรับเจ้าหน้าที่").await;
    let d_signer = draft(&f, "dla.drafter", "ร่างสำหรับผู้ลงนาม").await;
    let d_head = draft(&f, "dla.drafter", "ร่างสำหรับหัวหน้า").await;
    let d = draft(&f, "dla.drafter", "ร่างทั่วไป").await;
    let pl_delivery = delivery_for(&f, "pl.clerk").await;
    let pao_delivery = delivery_for(&f, "pao.clerk").await;
    let edit = json!({ "document": letter("ร่างที่แก้ไขแล้ว", None) });
    use Method as M;
    let ok = StatusCode::OK;
    let created = StatusCode::CREATED;
    let forbidden = StatusCode::FORBIDDEN;
    let missing = StatusCode::NOT_FOUND;
    let cases: Vec<(&str, Method, String, Option<Value>, StatusCode)> = vec![
        // Reading a draft: the DLA division, every role; nobody else.
        (
            "dla.clerk",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            ok,
        ),
        (
            "dla.drafter",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            ok,
        ),
        (
            "dla.signer",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            ok,
        ),
        (
            "dla.head",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            ok,
        ),
        (
            "dla.admin",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            ok,
        ),
        (
            "pl.clerk",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            missing,
        ),
        (
            "wy.clerk",
            M::GET,
            format!("/api/v1/documents/{d}"),
            None,
            missing,
        ),
        (
            "pl.clerk",
            M::GET,
            format!("/api/v1/documents/{d}/pdf"),
            None,
            missing,
        ),
        (
            "pl.clerk",
            M::GET,
            format!("/api/v1/documents/{d}/preview.png"),
            None,
            missing,
        ),
        // Editing a draft: drafting roles of its office.
        (
            "dla.drafter",
            M::PUT,
            format!("/api/v1/documents/{d}"),
            Some(edit.clone()),
            ok,
        ),
        (
            "dla.clerk",
            M::PUT,
            format!("/api/v1/documents/{d}"),
            Some(edit.clone()),
            ok,
        ),
        (
            "dla.admin",
            M::PUT,
            format!("/api/v1/documents/{d}"),
            Some(edit.clone()),
            forbidden,
        ),
        (
            "pl.clerk",
            M::PUT,
            format!("/api/v1/documents/{d}"),
            Some(edit.clone()),
            missing,
        ),
        // Numbering: clerk, signer, head; not drafter or admin; not others.
        (
            "dla.drafter",
            M::POST,
            format!("/api/v1/documents/{d}/number"),
            None,
            forbidden,
        ),
        (
            "dla.admin",
            M::POST,
            format!("/api/v1/documents/{d}/number"),
            None,
            forbidden,
        ),
        (
            "pl.clerk",
            M::POST,
            format!("/api/v1/documents/{d}/number"),
            None,
            missing,
        ),
        (
            "dla.clerk",
            M::POST,
            format!("/api/v1/documents/{d_clerk}/number"),
            None,
            ok,
        ),
        (
            "dla.signer",
            M::POST,
            format!("/api/v1/documents/{d_signer}/number"),
            None,
            ok,
        ),
        (
            "dla.head",
            M::POST,
            format!("/api/v1/documents/{d_head}/number"),
            None,
            ok,
        ),
        // Dispatching: clerk and head of the issuing office only.
        (
            "dla.signer",
            M::POST,
            format!("/api/v1/documents/{d_signer}/dispatch"),
            Some(json!({"to": "provinces"})),
            forbidden,
        ),
        (
            "pl.clerk",
            M::POST,
            format!("/api/v1/documents/{d_clerk}/dispatch"),
            Some(json!({"to": "districts"})),
            missing,
        ),
        (
            "dla.clerk",
            M::POST,
            format!("/api/v1/documents/{d_clerk}/dispatch"),
            Some(json!({"to": "พล 0023"})),
            created,
        ),
        // The circular: its issuer, its recipients and offices down its cascade.
        (
            "dla.drafter",
            M::GET,
            format!("/api/v1/documents/{circular}"),
            None,
            ok,
        ),
        (
            "pl.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}"),
            None,
            ok,
        ),
        (
            "nmp.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}"),
            None,
            ok,
        ),
        (
            "wy.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}"),
            None,
            ok,
        ),
        (
            "chomphu.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}"),
            None,
            missing,
        ),
        (
            "chomphu.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}/tracking"),
            None,
            missing,
        ),
        (
            "wy.clerk",
            M::GET,
            format!("/api/v1/documents/{circular}/thread"),
            None,
            ok,
        ),
        // Seed 003 went from พล 0023.3 to อำเภอเนินมะปราง only.
        (
            "nmp.clerk",
            M::GET,
            format!("/api/v1/documents/{seed}"),
            None,
            ok,
        ),
        (
            "dla.head",
            M::GET,
            format!("/api/v1/documents/{seed}"),
            None,
            missing,
        ),
        (
            "wy.clerk",
            M::GET,
            format!("/api/v1/documents/{seed}"),
            None,
            missing,
        ),
        // Deliveries: only the office they were sent to acts on them.
        (
            "dla.clerk",
            M::GET,
            format!("/api/v1/deliveries/{pao_delivery}"),
            None,
            missing,
        ),
        (
            "pl.clerk",
            M::POST,
            format!("/api/v1/deliveries/{pao_delivery}/receive"),
            None,
            missing,
        ),
        (
            "pl.drafter",
            M::POST,
            format!("/api/v1/deliveries/{pl_delivery}/acknowledge"),
            None,
            forbidden,
        ),
        (
            "pao.clerk",
            M::POST,
            format!("/api/v1/deliveries/{pao_delivery}/receive"),
            None,
            ok,
        ),
        (
            "pao.clerk",
            M::POST,
            format!("/api/v1/deliveries/{pao_delivery}/acknowledge"),
            None,
            ok,
        ),
        (
            "pao.clerk",
            M::POST,
            format!("/api/v1/deliveries/{pao_delivery}/acknowledge"),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Registers are the caller's office's own.
        (
            "dla.clerk",
            M::GET,
            "/api/v1/registers/send?year=2567".into(),
            None,
            ok,
        ),
        // Users: administrators only.
        ("dla.admin", M::GET, "/api/v1/users".into(), None, ok),
        ("dla.head", M::GET, "/api/v1/users".into(), None, forbidden),
        (
            "dla.clerk",
            M::POST,
            "/api/v1/users".into(),
            Some(
                json!({"username": "x", "display_name": "x", "role": "clerk", "office": "พล 0023"}),
            ),
            forbidden,
        ),
    ];
    // API tokens: a user's own, or anyone's for an administrator; every
    // role of the DLA division against a user of its own office
    // (dla.drafter) and of another office (pl.drafter).
    let mut cases = cases;
    for target in ["dla.drafter", "pl.drafter"] {
        let owner = accounts::find(db, target).await.unwrap().unwrap();
        for role in Role::ALL {
            let who = format!("dla.{}", role.key());
            let allowed = role == Role::Admin || who == target;
            let spare = accounts::add_token_for(db, &actor(), &owner, "spare", None)
                .await
                .unwrap();
            let who: &'static str = Box::leak(who.into_boxed_str());
            cases.push((
                who,
                M::GET,
                format!("/api/v1/users/{}/tokens", owner.id),
                None,
                if allowed { ok } else { forbidden },
            ));
            cases.push((
                who,
                M::DELETE,
                format!("/api/v1/users/{}/tokens/{}", owner.id, spare.info.id),
                None,
                if allowed { ok } else { forbidden },
            ));
            cases.push((
                who,
                M::POST,
                format!("/api/v1/users/{}/tokens", owner.id),
                Some(json!({"label": "matrix"})),
                if role == Role::Admin {
                    created
                } else {
                    forbidden
                },
            ));
        }
        // The other office's own users: pl.drafter itself, and its colleague.
        let pl_spare = accounts::add_token_for(db, &actor(), &owner, "spare", None)
            .await
            .unwrap();
        for (who, want) in [("pl.drafter", target == "pl.drafter"), ("pl.clerk", false)] {
            cases.push((
                who,
                M::GET,
                format!("/api/v1/users/{}/tokens", owner.id),
                None,
                if want { ok } else { forbidden },
            ));
            cases.push((
                who,
                M::DELETE,
                format!("/api/v1/users/{}/tokens/{}", owner.id, pl_spare.info.id),
                None,
                if want { ok } else { forbidden },
            ));
        }
    }
    // Official copies and drafts' history: versions and links are the
    // office's own; alarms are for administrators; naming readers is the
    // head's, and only on a secret letter; another office gets 404.
    for role in Role::ALL {
        let who: &'static str = match role {
            Role::Clerk => "dla.clerk",
            Role::Drafter => "dla.drafter",
            Role::Checker => "dla.checker",
            Role::Signer => "dla.signer",
            Role::Head => "dla.head",
            Role::Admin => "dla.admin",
        };
        let drafts = role != Role::Admin;
        cases.push((
            who,
            M::GET,
            format!("/api/v1/documents/{d}/versions"),
            None,
            ok,
        ));
        cases.push((
            who,
            M::POST,
            format!("/api/v1/documents/{d}/links"),
            Some(json!({ "relation": "cites", "number": "พล 0023.3/2122", "date": "2567-05-21" })),
            if drafts { created } else { forbidden },
        ));
        cases.push((
            who,
            M::GET,
            "/api/v1/alarms".into(),
            None,
            if role == Role::Admin { ok } else { forbidden },
        ));
        cases.push((
            who,
            M::POST,
            format!("/api/v1/documents/{d}/readers"),
            Some(json!({ "readers": [] })),
            if role == Role::Head {
                missing
            } else {
                forbidden
            },
        ));
    }
    for (method, uri, body) in [
        (M::GET, format!("/api/v1/documents/{d}/versions"), None),
        (
            M::POST,
            format!("/api/v1/documents/{d}/links"),
            Some(json!({ "relation": "cites", "number": "มท 0810.7/ว 1" })),
        ),
        (
            M::POST,
            format!("/api/v1/documents/{circular}/replace"),
            None,
        ),
        (M::DELETE, format!("/api/v1/documents/{d}"), None),
    ] {
        cases.push(("pl.clerk", method, uri, body, missing));
    }
    cases.push((
        "dla.admin",
        M::POST,
        format!("/api/v1/documents/{circular}/replace"),
        None,
        forbidden,
    ));
    cases.push((
        "dla.admin",
        M::DELETE,
        format!("/api/v1/documents/{d}"),
        None,
        forbidden,
    ));
    let mut failures = Vec::new();
    for (who, method, uri, body, want) in &cases {
        let (got, answer) = call(
            &f.router,
            method.clone(),
            uri,
            Some(&f.tokens[*who]),
            body.clone(),
        )
        .await;
        if got != *want {
            failures.push(format!(
                "{who} {method} {uri}: want {want}, got {got} {answer}"
            ));
        }
        if !got.is_success() {
            // Every refusal explains itself in both languages.
            let e = &answer["error"];
            assert!(
                e["message_th"].as_str().is_some_and(|m| !m.is_empty()),
                "{who} {uri}: {answer}"
            );
            assert!(
                e["message_en"].as_str().is_some_and(|m| !m.is_empty()),
                "{who} {uri}: {answer}"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix:\n{}",
        failures.join("\n")
    );

    // The ids of other offices read exactly like ids that do not exist.
    let (a, body_a) = call(
        &f.router,
        M::GET,
        &format!("/api/v1/documents/{d}"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    let (b, body_b) = call(
        &f.router,
        M::GET,
        "/api/v1/documents/999999",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!((a, b), (missing, missing));
    assert_eq!(body_a["error"]["code"], body_b["error"]["code"]);

    // No credentials, or a wrong token: 401.
    let (s, _) = call(&f.router, M::GET, "/api/v1/inbox", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(
        &f.router,
        M::GET,
        "/api/v1/inbox",
        Some("srb_not-a-token"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Inboxes are the office's own.
    let (_, inbox) = call(
        &f.router,
        M::GET,
        "/api/v1/inbox",
        Some(&f.tokens["chomphu.clerk"]),
        None,
    )
    .await;
    assert_eq!(inbox["inbox"].as_array().unwrap().len(), 0);

    // Secret letters: only the named users, even inside the office.
    let (s, secret) = call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": letter("เรื่องลับเฉพาะ", Some("confidential")), "readers": ["dla.head"] })),
    )
    .await;
    assert_eq!(s, created, "{secret}");
    let id = secret["id"].as_i64().unwrap();
    for (who, want) in [
        ("dla.drafter", ok),
        ("dla.head", ok),
        ("dla.clerk", missing),
        ("dla.signer", missing),
    ] {
        let (got, _) = call(
            &f.router,
            M::GET,
            &format!("/api/v1/documents/{id}"),
            Some(&f.tokens[who]),
            None,
        )
        .await;
        assert_eq!(got, want, "{who} reading a confidential letter");
    }
    let (_, found) = call(
        &f.router,
        M::GET,
        "/api/v1/documents?q=เรื่องลับเฉพาะ",
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(
        found["documents"].as_array().unwrap().len(),
        0,
        "search does not leak secrets"
    );
    let (_, found) = call(
        &f.router,
        M::GET,
        "/api/v1/documents?q=เรื่องลับเฉพาะ",
        Some(&f.tokens["dla.head"]),
        None,
    )
    .await;
    assert_eq!(found["documents"].as_array().unwrap().len(), 1);

    // ลับที่สุด stays off e-saraban, with a message saying so.
    let before = count(db, "SELECT COUNT(*) FROM documents").await;
    let (s, refused) = call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": letter("ลับที่สุด", Some("top_secret")) })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "top_secret");
    assert!(
        refused["error"]["message_th"]
            .as_str()
            .unwrap()
            .contains("ลับที่สุด")
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM documents").await, before);
}

async fn search_finds_thai_and_numbers(db: &TestDb) {
    let f = fixture(db).await;
    let find = |who: &'static str, query: &'static str| {
        let router = f.router.clone();
        let token = f.tokens[who].clone();
        async move {
            let uri = format!("/api/v1/documents?{query}");
            let uri = uri.replace(' ', "%20");
            let req_uri: String = uri
                .chars()
                .map(|c| {
                    if c.is_ascii() {
                        c.to_string()
                    } else {
                        percent(c)
                    }
                })
                .collect();
            let (status, body) = call(&router, Method::GET, &req_uri, Some(&token), None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            body["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    let c = f.circular;
    // The subject, with its typo, as printed: "คลินิกะบบ".
    assert!(find("pl.clerk", "q=คลินิกะบบ").await.contains(&c));
    // Words that the letter separates with a space, typed without one.
    assert!(find("pl.clerk", "q=ส่วนท้องถิ่นประจำปี").await.contains(&c));
    // Thai and Arabic digits are one.
    assert!(find("pl.clerk", "q=ประจำปี 2567").await.contains(&c));
    assert!(find("pl.clerk", "q=มท ๐๘๑๐.๗/ว ๒๑๓๕").await.contains(&c));
    assert!(find("pl.clerk", "q=มท0810.7/ว2135").await.contains(&c));
    assert!(
        find("pl.clerk", "number=มท 0810.7/ว 2135")
            .await
            .contains(&c)
    );
    // Filters: urgency, kind, issuer, recipient, dates in B.E. and C.E.
    assert!(find("pl.clerk", "urgency=most_urgent").await.contains(&c));
    assert!(!find("pl.clerk", "kind=memo").await.contains(&c));
    assert!(
        find("pl.clerk", "issuer=ส่งเสริมการปกครองท้องถิ่น")
            .await
            .contains(&c)
    );
    assert!(
        find("pl.clerk", "recipient=ผู้ว่าราชการจังหวัด")
            .await
            .contains(&c)
    );
    assert!(
        find("pl.clerk", "from=1/5/2567&to=31/5/2567")
            .await
            .contains(&c)
    );
    assert!(
        find("pl.clerk", "from=2024-05-01&to=2024-05-31")
            .await
            .contains(&c)
    );
    assert!(!find("pl.clerk", "from=1/6/2567").await.contains(&c));
    let s = f.seed_003;
    let feb_be = find("nmp.clerk", "from=๑/๒/๒๕๖๔&to=๒๘/๒/๒๕๖๔").await;
    assert!(feb_be.contains(&s) && !feb_be.contains(&c), "{feb_be:?}");
    assert!(find("nmp.clerk", "q=พล ๐๐๒๓.๓/๒๑๒๒").await.contains(&s));
    // Several words, in any order, all required.
    assert!(find("nmp.clerk", "q=ปรินทร์ พาเลซ สัมมนา").await.contains(&s));
    assert!(!find("nmp.clerk", "q=ปรินทร์ ไม่มีคำนี้แน่นอน").await.contains(&s));
    // What the caller may not see is never found.
    assert!(!find("chomphu.clerk", "q=คลินิกะบบ").await.contains(&c));
    assert!(!find("dla.head", "q=พล ๐๐๒๓.๓/๒๑๒๒").await.contains(&s));
}

/// A request with the session cookie and, optionally, a CSRF header.
async fn with_cookie(
    router: &Router,
    method: Method,
    uri: &str,
    cookie: &str,
    csrf: Option<&str>,
    content_type: &str,
    body: String,
) -> (StatusCode, Option<String>) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={cookie}"))
        .header(header::CONTENT_TYPE, content_type);
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status(), location)
}

async fn sessions_need_csrf_tokens(db: &TestDb) {
    let f = fixture(db).await;
    let user = accounts::find(db, "dla.drafter").await.unwrap().unwrap();
    let session = accounts::open_session(db, &user).await.unwrap();
    let before = count(db, "SELECT COUNT(*) FROM documents").await;
    let doc = json!({ "document": letter("ผ่านคุกกี้", None) }).to_string();
    let json_type = "application/json";
    let form_type = "application/x-www-form-urlencoded";
    // The API through the cookie: a change needs the X-CSRF-Token header.
    let (s, _) = with_cookie(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        &session.secret,
        None,
        json_type,
        doc.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = with_cookie(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        &session.secret,
        Some("wrong"),
        json_type,
        doc.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(count(db, "SELECT COUNT(*) FROM documents").await, before);
    let (s, _) = with_cookie(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        &session.secret,
        Some(&session.csrf),
        json_type,
        doc,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // A UI form needs the token as a field.
    let form = "kind=letter&subject=x&to=y&body=z&signer_name=w";
    let (s, _) = with_cookie(
        &f.router,
        Method::POST,
        "/documents",
        &session.secret,
        None,
        form_type,
        form.into(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM documents").await,
        before + 1
    );
    let (s, to) = with_cookie(
        &f.router,
        Method::POST,
        "/documents",
        &session.secret,
        None,
        form_type,
        format!("{form}&csrf={}", session.csrf),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to:?}");
    assert!(to.unwrap().starts_with("/documents/"));
    // Pages without a session go to the login page; a closed session is over.
    let (s, to) = with_cookie(
        &f.router,
        Method::GET,
        "/",
        "not-a-session",
        None,
        form_type,
        String::new(),
    )
    .await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    accounts::close_session(db, &session.secret).await.unwrap();
    let (s, _) = with_cookie(
        &f.router,
        Method::GET,
        "/api/v1/inbox",
        &session.secret,
        None,
        json_type,
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

fn percent(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

async fn bad_input_is_refused_cleanly(db: &TestDb) {
    let f = fixture(db).await;
    let t = Some(f.tokens["dla.clerk"].as_str());
    let documents_before = count(db, "SELECT COUNT(*) FROM documents").await;
    let audit_before = count(db, "SELECT COUNT(*) FROM audit_events").await;
    // A letter without its subject: the field is named, in Thai and English.
    let mut doc = letter("x", None);
    doc["main"].as_object_mut().unwrap().remove("subject");
    let (s, e) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        t,
        Some(json!({ "document": doc })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("subject"),
        "{e}"
    );
    // An unknown kind.
    let (s, e) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        t,
        Some(json!({ "document": {"kind": "poem"} })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // An impossible date in a search.
    let (s, e) = call(
        &f.router,
        Method::GET,
        "/api/v1/documents?from=31/2/2567",
        t,
        None,
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from")),
        "{e}"
    );
    // Recipients that resolve to nobody.
    let id = draft(&f, "dla.clerk", "ส่งถึงใคร").await;
    let (s, _) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/number"),
        t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/dispatch"),
        t,
        Some(json!({"to": "ไม่มีหน่วยงานนี้"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    // Unknown ids.
    let (s, e) = call(&f.router, Method::GET, "/api/v1/deliveries/987654", t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "not_found");
    // An oversize upload is refused before it is read whole.
    let big = vec![b'x'; web::MAX_BODY + 1];
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/documents/{id}/attachments?name=big.bin"))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", f.tokens["dla.clerk"]),
        )
        .body(Body::from(big))
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let e: Value = serde_json::from_slice(&bytes).expect("a JSON error");
    assert_eq!(e["error"]["code"], "payload_too_large");
    // Only the one good draft and its numbering were written.
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM documents").await,
        documents_before + 1
    );
    assert!(count(db, "SELECT COUNT(*) FROM audit_events").await <= audit_before + 4);
    assert_eq!(count(db, "SELECT COUNT(*) FROM attachments").await, 0);
}

/// Every `/api/v1` route is in the OpenAPI description, and nothing else.
#[test]
fn openapi_describes_every_route() {
    let spec: Value = serde_json::from_str(web::OPENAPI).expect("openapi.json is JSON");
    assert_eq!(spec["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let described: std::collections::BTreeSet<String> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.trim_start_matches("/api/v1").to_string())
        .collect();
    let source = [
        "src/web/api.rs",
        "src/web/workflow_api.rs",
        "src/web/template_api.rs",
        "src/web/mail_api.rs",
    ]
    .map(|f| std::fs::read_to_string(crate::support::root().join(f)).unwrap())
    .join("\n");
    let routed: std::collections::BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .map(str::to_string)
        .collect();
    assert!(routed.len() > 20);
    assert_eq!(routed, described);
}

/// The first start of `serve` on an empty database: demo data, the seeds'
/// stories and accounts with one-time passwords; nothing the second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_makes_the_demo_once() {
    let db = crate::db::sqlite().await;
    let made = saraban::app::App::new(db.store.clone(), &[])
        .first_start()
        .await
        .unwrap();
    let names: Vec<&str> = made.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(
        names,
        [
            "admin",
            "dla.clerk",
            "pl.clerk",
            "nmp.clerk",
            "wangyang.clerk",
            "pl.head",
            "pl.checker",
            "pl.signer",
            "pl.drafter"
        ]
    );
    assert!(made.iter().all(|a| a.password.len() == 12));
    let verifier = accounts::Verifier::default();
    let accounts::Verdict::Welcome(admin) =
        accounts::authenticate(&db, &verifier, "admin", &made[0].password)
            .await
            .unwrap()
    else {
        panic!("the one-time password logs in");
    };
    assert!(admin.must_change && admin.role == Role::Admin);
    assert_eq!(
        accounts::authenticate(&db, &verifier, "admin", "wrong password")
            .await
            .unwrap(),
        accounts::Verdict::Refused
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM deliveries").await,
        76 + 10 + 1 + 1
    );
    assert!(
        saraban::app::App::new(db.store.clone(), &[])
            .first_start()
            .await
            .unwrap()
            .is_empty()
    );

    // A database that already holds an imported hierarchy gets only the
    // administrator: no demo letters, no demo clerks.
    let db = crate::db::sqlite().await;
    let fields = offices::OfficeFields::new(
        offices::OfficeKind::ProvincialOffice,
        "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดน่าน",
    )
    .code("นน", "0023");
    offices::insert(&db, &actor(), None, &fields).await.unwrap();
    let made = saraban::app::App::new(db.store.clone(), &[])
        .first_start()
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].username.as_str(), made[0].role),
        ("admin", Role::Admin)
    );
    assert_eq!(made[0].office, "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดน่าน");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM documents").await, 0);
}

/// Password guessing is slowed: after five wrong passwords a name cannot log
/// in for a while, even with the right one; other names are not affected.
/// Behind an HTTPS proxy the session cookie is `Secure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_throttled_and_cookies_secure_behind_https() {
    use crate::login::{login_request, login_token, send};
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    let token = login_token(&f.router).await;
    let login = |user: &str, password: &str, https: bool| {
        let extra: &[(&str, &str)] = if https {
            &[("x-forwarded-proto", "https")]
        } else {
            &[]
        };
        let req = login_request(user, password, Some(&token), None, extra);
        let router = f.router.clone();
        async move {
            let a = send(&router, req).await;
            let cookie = a
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .find(|c| c.starts_with("saraban_session="));
            (a.status, cookie, a.body)
        }
    };
    let (s, cookie, _) = login("pl.clerk", PASSWORD, false).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(!cookie.unwrap().contains("Secure"));
    for _ in 0..5 {
        let (s, cookie, page) = login("pl.clerk", "guess", false).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(cookie.is_none() && page.contains("ไม่ถูกต้อง"));
    }
    let (s, cookie, page) = login("PL.clerk ", PASSWORD, false).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(cookie.is_none());
    assert!(
        page.contains("ใส่รหัสผ่านผิดหลายครั้ง") && page.contains("15"),
        "{page}"
    );
    let (s, cookie, _) = login("nmp.clerk", PASSWORD, true).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cookie = cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
}
