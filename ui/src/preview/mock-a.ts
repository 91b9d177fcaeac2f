// Sample answers for the shell, dashboard, products and settings commands.
export const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {
  status: () => ({
    running: true, error: null, mode: "simulated", listen: "127.0.0.1:8080",
    public_url: "http://127.0.0.1:8080", data_dir: "/home/ada/.local/share/booth",
    secrets_store: "a file only you can read (/home/ada/.local/share/booth/secrets.json, mode 0600)",
    store_name: "Ada's Little Shop", version: "0.1.0",
  }),
};
