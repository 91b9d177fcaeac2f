// Booth's desktop app: its arguments, then the shell (lib.rs) on the shop they name.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use std::path::PathBuf;

// The same allocator as `booth serve`: the shop runs in this process too.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "booth-desktop",
    version,
    about = "Booth: sell digital goods on your own terms"
)]
struct Args {
    /// Where the shop lives (default: the same as the `booth` CLI's).
    #[arg(long, env = "BOOTH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Add the sample e-book if the shop has no products yet.
    #[arg(long)]
    demo: bool,
    /// Start with the shop open and no window (how Booth starts at login).
    #[arg(long)]
    background: bool,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tao=warn,wry=warn".into()),
        )
        .init();
    let args = Args::parse();
    let data_dir = args
        .data_dir
        .unwrap_or_else(|| booth_core::DataDir::platform_default().root().to_path_buf());
    booth_desktop::run(data_dir, args.demo, args.background);
}
