import { describe, expect, it } from "vitest";
import { freedWords, movedWords, transferShare, transferWords } from "./transfer";

describe("transferWords and transferShare", () => {
  it("says the file, what is done to it and its bytes, in the shop's sizes", () => {
    const t = { kind: "upload" as const, name: "guide.pdf", done: 12_000_000, total: 48_000_000 };
    expect(transferWords(t)).toBe("Uploading guide.pdf — 12.0 MB of 48.0 MB");
    expect(transferWords({ ...t, kind: "verify", done: 0 })).toBe("Checking guide.pdf — 0 B of 48.0 MB");
    expect(transferWords({ ...t, kind: "download", done: 48_000_000 })).toBe("Fetching guide.pdf — 48.0 MB of 48.0 MB");
    expect(transferShare(t)).toBe(25);
    expect(transferShare({ ...t, done: 60_000_000 })).toBe(100);
    expect(transferShare({ ...t, done: 0, total: 0 })).toBe(100);
  });
});

describe("movedWords", () => {
  it("counts the files copied and those already there", () => {
    expect(movedWords({ files: 3, bytes: 18, already: 2 }, "bucket")).toBe("Copied 3 files (18 B) to the bucket; 2 were there already.");
    expect(movedWords({ files: 1, bytes: 2_500_000, already: 1 }, "bucket")).toBe("Copied 1 file (2.5 MB) to the bucket; 1 was there already.");
    expect(movedWords({ files: 2, bytes: 18, already: 0 }, "bucket")).toBe("Copied 2 files (18 B) to the bucket.");
    expect(movedWords({ files: 0, bytes: 0, already: 4 }, "bucket")).toBe("Nothing to copy: all 4 files were there already.");
    expect(movedWords({ files: 0, bytes: 0, already: 1 }, "bucket")).toBe("Nothing to copy: the file was there already.");
    expect(movedWords({ files: 0, bytes: 0, already: 0 }, "bucket")).toBe("The shop has no product files yet.");
  });

  it("says the way back leaves the bucket", () => {
    expect(movedWords({ files: 1, bytes: 18, already: 0 }, "local")).toBe(
      "Copied 1 file (18 B) back to this computer. Files and backups now stay on this computer only.",
    );
  });
});

describe("freedWords", () => {
  it("says what was deleted here and that the bucket keeps it", () => {
    expect(freedWords({ files: 2, bytes: 3_000 })).toBe("Deleted this computer's copies of 2 files (3.0 KB); the bucket keeps them.");
    expect(freedWords({ files: 1, bytes: 18 })).toBe("Deleted this computer's copies of 1 file (18 B); the bucket keeps it.");
    expect(freedWords({ files: 0, bytes: 0 })).toMatch(/^Nothing to delete/);
  });
});
