// Sample answers for the Mail screen: the outbox, with every email Booth sent or is sending
// (receipts from purchases.ts, updates from mailings.ts), each shaped like the real
// templates. Messages marked for retry go out on the next outbox poll.
import type { MailPage, MailQuery, OutboxMessage } from "../lib/api";
import { SHOP, SUPPORT, clone, hex, type Commands } from "./data";

// ---- the layout every email shares, as in the real templates (inline styles, tables) --

export const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function layout(title: string, email: string, test: boolean, content: string, footer = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${esc(title)}</title>
<style>@media (prefers-color-scheme: dark) { .bg { background:#0e0e13 !important; } .card { background:#17171f !important; border-color:#2b2b38 !important; } .text { color:#ececf2 !important; } .muted { color:#a3a3b3 !important; } .soft { background:#1d1d27 !important; } .link { color:#a5b4fc !important; } .rule { border-color:#2b2b38 !important; } }</style>
</head>
<body class="bg" style="margin:0; padding:0; background:#f4f4f7;">
<table role="presentation" class="bg" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f7;"><tr><td align="center" style="padding:32px 12px 40px;">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="width:100%; max-width:560px;">
<tr><td style="padding:0 8px 18px; font-family:${FONT}; font-size:17px; font-weight:bold;"><span class="text" style="color:#17161d;">${esc(SHOP)}</span></td></tr>
<tr><td class="card" style="background:#ffffff; border:1px solid #e4e4ec; border-radius:14px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
${test ? `<tr><td style="padding:24px 36px 0;"><div style="background:#fffaeb; border:1px solid #fedf89; border-radius:10px; padding:10px 14px; font-family:${FONT}; font-size:14px; line-height:20px; color:#7a2e0e;"><strong>Test mode.</strong> This was a test purchase &mdash; no real payment was taken.</div></td></tr>` : ""}
${content}
<tr><td style="padding:20px 36px 32px; font-family:${FONT}; font-size:13px; color:#5c5b6a;"><span class="muted">Sent to: ${esc(email)}</span></td></tr>
</table></td></tr>
<tr><td align="center" style="padding:24px 16px 0; font-family:${FONT}; font-size:13px; line-height:20px; color:#6b6a78;"><span class="muted">Questions or trouble downloading? Write to <a class="link" href="mailto:${SUPPORT}" style="color:#4338ca;">${SUPPORT}</a>.<br>${footer}${esc(SHOP)} &middot; Powered by Booth</span></td></tr>
</table></td></tr></table>
</body></html>`;
}

export function button(url: string, label: string): string {
  return `<tr><td style="padding:24px 36px 8px;"><a href="${url}" target="_blank" style="display:inline-block; padding:14px 28px; background:#4f46e5; border-radius:10px; font-family:${FONT}; font-size:16px; font-weight:bold; color:#ffffff; text-decoration:none;">${label}</a></td></tr>
<tr><td style="padding:12px 36px 0; font-family:${FONT}; font-size:13px; line-height:20px; color:#5c5b6a;"><span class="muted">Button not working? Copy this link into your browser:</span><br><a class="link" href="${url}" style="color:#4338ca; word-break:break-all;">${url}</a></td></tr>`;
}

// ---- outbox ----------------------------------------------------------------------

const outbox: OutboxMessage[] = [];
let nextMailId = 1;

export function enqueue(m: Omit<OutboxMessage, "id" | "message_id">): OutboxMessage {
  const msg = { ...m, id: nextMailId++, message_id: `<${hex(16)}@adasshop.com>` };
  outbox.push(msg);
  return msg;
}

// Messages that go out on the next outbox poll: retried ones, resent receipts and grants'
// receipts (purchases.ts), a new mailing's updates (mailings.ts). The misspelt domain fails again.
export const retried = new Set<number>();

// Retried messages go out (or fail again) when the outbox is next read.
function deliverRetried() {
  const at = Math.floor(Date.now() / 1000);
  for (const m of outbox) {
    if (!retried.has(m.id) || m.status !== "queued") continue;
    retried.delete(m.id);
    m.attempts += 1;
    if (m.recipient.endsWith("@gmial.com")) {
      m.status = "failed";
      m.last_error = "550 5.1.2 <j.doe@gmial.com>: Recipient address rejected: Domain not found";
    } else {
      m.status = "sent";
      m.sent_at = at;
      m.last_error = null;
    }
  }
}

export const commands: Commands = {
  outbox: ({ status, limit }) => {
    deliverRetried();
    return clone(
      outbox
        .filter((m) => !status || m.status === status)
        .sort((a, b) => b.created_at - a.created_at || b.id - a.id)
        .slice(0, Number(limit ?? 200)),
    );
  },

  // The core's MailFilter, roughly: text, kind and status, the last id shown as the cursor.
  find_mail: ({ filter }): MailPage => {
    deliverRetried();
    const f = (filter ?? {}) as Partial<MailQuery>;
    const q = String(f.text ?? "").trim().toLowerCase();
    if (q.length > 320) throw { code: "invalid_input", field: "text", message: "search for at most 320 characters" };
    const matching = outbox
      .filter((m) => !q || m.recipient.toLowerCase().includes(q) || m.subject.toLowerCase().includes(q))
      .filter((m) => (!f.kind || m.kind === f.kind) && (!f.status || m.status === f.status))
      .sort((a, b) => b.id - a.id);
    const rest = f.after ? matching.filter((m) => m.id < Number(f.after)) : matching;
    const limit = Number(f.limit ?? 100);
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return clone({ messages: page, total: matching.length, next: rest.length > limit && last ? String(last.id) : null });
  },

  retry_mail: ({ id }) => {
    const m = outbox.find((x) => x.id === id);
    if (!m) throw { code: "not_found", message: `no message #${id}` };
    if (m.status !== "failed") throw { code: "conflict", message: `message #${id} is ${m.status}, not failed` };
    m.status = "queued";
    retried.add(m.id);
    return null;
  },
};
