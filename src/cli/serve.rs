//! `saraban serve` (the web UI and JSON API) and `saraban user` (accounts
//! and API tokens from the command line).

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
    /// List users.
    List,
    /// Make an API bearer token for a user.
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Set a new one-time password for a user (they must change it).
    Reset { username: String },
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
                        "{}\t#{}\t{}\t{}",
                        u.username,
                        u.office_id,
                        u.role.key(),
                        u.display_name
                    );
                }
            }
            UserCommand::Token { username, label } => {
                let user = accounts::find(&store, &username)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("ไม่พบผู้ใช้ {username} (no such user)"))?;
                println!(
                    "{}",
                    accounts::add_token(&store, &actor, &user, &label).await?
                );
            }
            UserCommand::Reset { username } => {
                let user = accounts::find(&store, &username)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("ไม่พบผู้ใช้ {username} (no such user)"))?;
                let password = accounts::one_time_password();
                accounts::reset_password(&store, &actor, &user, &password).await?;
                println!("{}\tone-time password: {password}", user.username);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
