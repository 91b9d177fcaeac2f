// Sample answers for the purchases, mailings and mail commands.
export const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {};
