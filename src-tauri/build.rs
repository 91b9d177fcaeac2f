// The window's commands are listed here too, so each gets an `allow-…` permission that
// src-tauri/capabilities/ grants to the main window only (and to no remote page).
const COMMANDS: &[&str] = &[
    "status",
    "restart_shop",
    "open_external",
    "dashboard",
    "list_products",
    "create_product",
    "edit_product",
    "add_files",
    "new_version",
    "product_links",
    "open_test_purchase",
    "list_purchases",
    "purchase_detail",
    "reset_downloads",
    "set_download_limit",
    "resend_receipt",
    "revoke",
    "refund",
    "grant",
    "export_csv",
    "preview_mailing",
    "send_mailing",
    "mailings",
    "mailing",
    "mailing_failures",
    "cancel_mailing",
    "outbox",
    "retry_mail",
    "settings",
    "save_settings",
    "check_stripe",
    "send_test_mail",
    "customize_template",
    "tunnel",
    "start_tunnel",
    "stop_tunnel",
    "check_tunnel",
];

fn main() {
    // The window embeds the built UI; say how to make it rather than fail inside a macro.
    assert!(
        std::path::Path::new("ui/dist/index.html").exists(),
        "ui/dist is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build` \
         (scripts/test.sh and scripts/demo.sh do this)"
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
