//! `saraban serve` (the web UI and JSON API) and `saraban user` (accounts,
//! one-time passwords and API tokens from the command line: make, list,
//! revoke; disable and enable users).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{Actor, Store};

use super::db::{DbArgs, office};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "SARABAN_ADDR")]
    addr: SocketAddr,
    /// A folder of the agency's own fonts (TH SarabunIT๙ …), used first.
    #[arg(long, env = "SARABAN_FONTS")]
    fonts: Option<std::path::PathBuf>,
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
        let store = Store::open(&db.database).await?;
        let fonts: Vec<&std::path::Path> = args.fonts.as_deref().into_iter().collect();
        saraban::web::serve(store, args.addr, &fonts).await
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
        #[arg(long, default_value_t = accounts::TOKEN_DAYS)]
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

async fn find_user(store: &Store, username: &str) -> anyhow::Result<accounts::User> {
    accounts::find(store, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("ไม่พบผู้ใช้ {username} (no such user)"))
}

pub fn user(db: &DbArgs, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let actor = Actor::cli();
        match cmd {
            UserCommand::Add {
                username,
                office: at,
                role,
                name,
                token,
            } => {
                let at = office(&store, &at).await?;
                let password = accounts::one_time_password();
                let user = accounts::add(
                    &store,
                    &actor,
                    &at,
                    &NewUser {
                        username: &username,
                        display_name: name.as_deref().unwrap_or(&username),
                        role: Role::parse(&role)?,
                        password: &password,
                        must_change: true,
                    },
                )
                .await?;
                println!(
                    "{}\t{}\t{}\tone-time password: {password}",
                    user.username,
                    at.fields.name,
                    user.role.key()
                );
                if token {
                    println!(
                        "token: {}",
                        accounts::add_token(&store, &actor, &user, "cli").await?
                    );
                }
            }
            UserCommand::List => {
                for u in accounts::list(&store, None).await? {
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
                let user = find_user(&store, &username).await?;
                let made =
                    accounts::add_token_for(&store, &actor, &user, &label, Some(days)).await?;
                println!("{}", made.token);
                eprintln!(
                    "token #{} expires {} (shown once; keep it secret)",
                    made.info.id, made.info.expires_at
                );
            }
            UserCommand::Tokens { username } => {
                let user = find_user(&store, &username).await?;
                println!("id\tlabel\tcreated\texpires\tlast_used\trevoked");
                for t in accounts::tokens(&store, user.id).await? {
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
                let user = find_user(&store, &username).await?;
                if all {
                    let n = accounts::revoke_all(&store, &actor, &user).await?;
                    println!("{}\trevoked {n} token(s)", user.username);
                } else if let Some(id) = token_id {
                    match accounts::revoke_token(&store, &actor, &user, id).await? {
                        Some(t) => println!(
                            "{}\ttoken #{} revoked {}",
                            user.username,
                            t.id,
                            t.revoked_at.unwrap_or_default()
                        ),
                        None => {
                            anyhow::bail!("ผู้ใช้ {} ไม่มีโทเค็นเลขที่ {id} (no such token)", user.username)
                        }
                    }
                }
            }
            UserCommand::Reset { username } => {
                let user = find_user(&store, &username).await?;
                let password = accounts::one_time_password();
                accounts::reset_password(&store, &actor, &user, &password).await?;
                println!(
                    "{}\tone-time password: {password}\t(valid 24 hours; API tokens revoked)",
                    user.username
                );
            }
            UserCommand::Disable { username } => {
                let user = find_user(&store, &username).await?;
                accounts::set_active(&store, &actor, &user, false).await?;
                println!(
                    "{}\tdisabled (sessions ended, API tokens revoked)",
                    user.username
                );
            }
            UserCommand::Enable { username } => {
                let user = find_user(&store, &username).await?;
                accounts::set_active(&store, &actor, &user, true).await?;
                println!("{}\tenabled", user.username);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
