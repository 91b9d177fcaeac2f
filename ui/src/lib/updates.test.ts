import { describe, expect, it } from "vitest";
import { feedRows, feedUrls, keyRows, notesLine } from "./updates";

describe("feedUrls", () => {
  it("builds the three feeds under the public address, as the server routes them", () => {
    expect(feedUrls("https://shop.example.com", "my-app")).toEqual({
      json: "https://shop.example.com/feeds/my-app/versions.json?key=LICENSE_KEY",
      sparkle: "https://shop.example.com/feeds/my-app/appcast.xml?key=LICENSE_KEY&file=FILE",
      tauri: "https://shop.example.com/feeds/my-app/tauri/{{target}}-{{arch}}?key=LICENSE_KEY",
    });
  });

  it("ignores a trailing slash and spaces around the address", () => {
    expect(feedUrls(" http://127.0.0.1:8080/ ", "app").json).toBe("http://127.0.0.1:8080/feeds/app/versions.json?key=LICENSE_KEY");
  });

  it("keeps a path the public address has", () => {
    expect(feedUrls("https://example.com/shop", "app").tauri).toBe("https://example.com/shop/feeds/app/tauri/{{target}}-{{arch}}?key=LICENSE_KEY");
  });

  it("lists them with where each goes", () => {
    const rows = feedRows(feedUrls("https://s.example", "app"));
    expect(rows.map((r) => r.id)).toEqual(["feed-json", "feed-sparkle", "feed-tauri"]);
    expect(rows[1].value).toContain("/appcast.xml?");
  });
});

describe("keyRows", () => {
  it("labels each key with where it goes, the minisign file without its last line break", () => {
    const rows = keyRows(
      { public_key: "TElD", key_id: "k1" },
      { sparkle: "U1BL", tauri: "VEFV", minisign: "untrusted comment: minisign public key\nRWQ=\n" },
    );
    expect(rows.map((r) => [r.where, r.value])).toEqual([
      ["License files: verify with this key", "TElD"],
      ["Sparkle: SUPublicEDKey in Info.plist", "U1BL"],
      ["Tauri: plugins.updater.pubkey", "VEFV"],
      ["minisign: the public key file (minisign -V -p)", "untrusted comment: minisign public key\nRWQ="],
    ]);
  });
});

describe("notesLine", () => {
  it("puts the notes on one line", () => {
    expect(notesLine("  Faster sync.\n\n- Fixed  the crash\ton start \n")).toBe("Faster sync. - Fixed the crash on start");
    expect(notesLine("")).toBe("");
  });
});
