//! `dossier serve`: the HTTP JSON API (crate dossier-serve).

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on. The default answers only this machine; another
    /// address exposes the knowledge base to the network (use --token).
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Require `Authorization: Bearer TOKEN` on every route but /health.
    #[arg(
        long,
        env = "DOSSIER_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
    /// Store handles, i.e. queries answered in parallel (0 = two per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    workers: usize,
    /// Give up on a request after this many seconds (answered 503 `timeout`).
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
}

pub fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let mut config = dossier_serve::ServeConfig::new(db);
    config.bind = args.bind;
    config.port = args.port;
    config.token = args.token.filter(|t| !t.trim().is_empty());
    config.workers = args.workers;
    config.limits.timeout = Duration::from_secs(args.timeout);
    dossier_serve::run(config)?;
    Ok(ExitCode::SUCCESS)
}
