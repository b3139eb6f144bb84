use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SOHOI_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = sohoi::cli::Cli::parse();
    let lang = sohoi::i18n::Lang::parse(&cli.lang).unwrap_or_default();
    match sohoi::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, never a backtrace.
            let message = match e.downcast_ref::<sohoi::error::Error>() {
                Some(service) => service.render(lang),
                None => e.to_string(),
            };
            eprintln!("sohoi: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
