//! One module per group of commands, each a thin call into booth-core.

pub mod backup;
pub mod discount;
pub mod license;
pub mod mail;
pub mod product;
pub mod purchase;
pub mod serve;
pub mod settings;
pub mod storage;
pub mod tax;

/// Is a `booth serve` (or the app) running on this data dir right now?
pub fn shop_is_running(data_dir: &std::path::Path) -> bool {
    booth_runtime::read_run_info(data_dir).is_some_and(|i| {
        cfg!(not(target_os = "linux")) || std::path::Path::new(&format!("/proc/{}", i.pid)).exists()
    })
}
