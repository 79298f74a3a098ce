//! `saraban serve` (the web UI and JSON API) and `saraban user` (accounts,
//! one-time passwords and API tokens from the command line: make, list,
//! revoke; disable and enable users).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use saraban::app::App;
use saraban::app::admin::Operator;

use super::db::DbArgs;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "SARABAN_ADDR")]
    addr: SocketAddr,
    /// A folder of the agency's own fonts (TH SarabunIT๙ …), used first.
    #[arg(long, env = "SARABAN_FONTS")]
    fonts: Option<std::path::PathBuf>,
    /// The address the public reaches this service at: official copies'
    /// verification QR codes point to `{URL}/v/{code}` (default: the listen
    /// address).
    #[arg(long, env = "SARABAN_PUBLIC_URL")]
    public_url: Option<String>,
}

pub fn serve(db: &DbArgs, args: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SARABAN_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info")
            }),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let fonts: Vec<&std::path::Path> = args.fonts.as_deref().into_iter().collect();
        let app = App::open(&db.database, &fonts).await?;
        app.set_public_url(
            &args
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", args.addr)),
        );
        saraban::web::serve(app, args.addr).await
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to an office; prints a one-time password (and a token).
    Add {
        username: String,
        /// The office: a code (`พล 0023`), `#id` or exact name.
        #[arg(long)]
        office: String,
        /// clerk, drafter, signer, head or admin.
        #[arg(long)]
        role: String,
        /// The name shown in the UI and the audit log.
        #[arg(long)]
        name: Option<String>,
        /// Also make an API bearer token and print it.
        #[arg(long)]
        token: bool,
    },
    /// List users (name, office, role, display name, disabled).
    List,
    /// Make an API bearer token for a user (printed once).
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// How long the token lasts, in days.
        #[arg(long, default_value_t = saraban::app::accounts::TOKEN_DAYS)]
        days: i64,
    },
    /// List a user's API tokens: id, label, created, expires, last used,
    /// revoked (instants in UTC).
    Tokens { username: String },
    /// Revoke one of a user's API tokens by id, or all of them.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["all", "token_id"])))]
    Revoke {
        username: String,
        /// The token's id (`saraban user tokens NAME` lists them).
        token_id: Option<i64>,
        #[arg(long)]
        all: bool,
    },
    /// Set a new one-time password for a user (they must change it within
    /// 24 hours); their sessions end and their API tokens are revoked.
    Reset { username: String },
    /// Disable a user: no login, sessions end, API tokens revoked.
    Disable { username: String },
    /// Enable a disabled user again (their old tokens stay revoked).
    Enable { username: String },
}

pub fn user(db: &DbArgs, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let op = Operator::from_env();
        match cmd {
            UserCommand::Add {
                username,
                office,
                role,
                name,
                token,
            } => {
                let (user, at, password) = app
                    .operator_add_user(&op, &username, &office, &role, name.as_deref())
                    .await?;
                println!(
                    "{}\t{}\t{}\tone-time password: {password}",
                    user.username,
                    at.fields.name,
                    user.role.key()
                );
                if token {
                    let made = app.operator_token(&op, &username, "cli", None).await?;
                    println!("token: {}", made.token);
                }
            }
            UserCommand::List => {
                for u in app.operator_users().await? {
                    println!(
                        "{}\t#{}\t{}\t{}{}",
                        u.username,
                        u.office_id,
                        u.role.key(),
                        u.display_name,
                        if u.active { "" } else { "\tdisabled" }
                    );
                }
            }
            UserCommand::Token {
                username,
                label,
                days,
            } => {
                let made = app
                    .operator_token(&op, &username, &label, Some(days))
                    .await?;
                println!("{}", made.token);
                eprintln!(
                    "token #{} expires {} (shown once; keep it secret)",
                    made.info.id, made.info.expires_at
                );
            }
            UserCommand::Tokens { username } => {
                println!("id\tlabel\tcreated\texpires\tlast_used\trevoked");
                for t in app.operator_tokens(&username).await? {
                    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.id,
                        t.label,
                        t.created_at,
                        t.expires_at,
                        dash(&t.last_used_at),
                        dash(&t.revoked_at)
                    );
                }
            }
            UserCommand::Revoke {
                username,
                token_id,
                all,
            } => {
                if all {
                    let n = app.operator_revoke_all(&op, &username).await?;
                    println!("{username}\trevoked {n} token(s)");
                } else if let Some(id) = token_id {
                    let t = app.operator_revoke(&op, &username, id).await?;
                    println!(
                        "{username}\ttoken #{} revoked {}",
                        t.id,
                        t.revoked_at.unwrap_or_default()
                    );
                }
            }
            UserCommand::Reset { username } => {
                let (user, password) = app.operator_reset(&op, &username).await?;
                println!(
                    "{}\tone-time password: {password}\t(valid 24 hours; API tokens revoked)",
                    user.username
                );
            }
            UserCommand::Disable { username } => {
                app.operator_set_active(&op, &username, false).await?;
                println!("{username}\tdisabled (sessions ended, API tokens revoked)");
            }
            UserCommand::Enable { username } => {
                app.operator_set_active(&op, &username, true).await?;
                println!("{username}\tenabled");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
