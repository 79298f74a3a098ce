//! `saraban serve` (the web UI and JSON API) and `saraban user` (accounts
//! and API tokens from the command line).

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
                    println!(
                        "token: {}",
                        app.operator_token(&op, &username, "cli").await?
                    );
                }
            }
            UserCommand::List => {
                for u in app.operator_users().await? {
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
                println!("{}", app.operator_token(&op, &username, &label).await?);
            }
            UserCommand::Reset { username } => {
                let (user, password) = app.operator_reset(&op, &username).await?;
                println!("{}\tone-time password: {password}", user.username);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
