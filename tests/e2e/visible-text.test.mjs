// No raw ids, internal words or untranslated text on any screen (issue #20):
// every demo role signs in on a zh-CN tablet and every screen's visible text
// is checked against the patterns below.

import assert from "node:assert/strict";
import { test } from "node:test";

import { launchBrowser, startServer } from "./harness.mjs";
import { DEMO_ROLES, visitScreens } from "./screens.mjs";

/** What must never be visible in the zh-CN interface, and why. */
const FORBIDDEN = [
  [/\b(?:req|tablet|res|insp|mark|ev|finding|scan|round|doc)-[0-9a-f]{6,}/i, "a record or device id"],
  [/\b[0-9a-f]{32,}\b/i, "a hash or document id"],
  [/\(demo\)/, "the demo seed's device name"],
  [/\b[a-z]+(?:_[a-z]+)+\b/, "a locale key or an internal word"],
  [/[\u3400-\u9fff]: /, "an ASCII colon in Chinese text"],
  [/\b(?:owner|family|tenant|undefined|null|NaN)\b/, "an English or internal word"],
];

/** Latin words that belong in the zh-CN interface (names of things). */
const LATIN_ALLOWED = new Set(["English", "QR", "CSV", "UTF", "GBK", "Excel", "JPEG", "PNG", "WebP", "zip", "PDF", "Roundbook", "HTTP", "HTTPS", "ID", "GT", "IT"]);

/** A tablet's default name: its system and a random 4-hex tag ("Android-4b4e", frontend/src/browser.rs). */
const DEVICE_NAMES = /(?<![\w-])(?:iPad|iPhone|Android|ChromeOS|Windows|Mac|Linux|Browser)-[0-9a-f]{4}(?![\w-])/g;

/** Sign-in names are typed by people and shown as they are (the staff list, the header). */
const USERNAMES = /(?<![\w-])(?:guard-a2?|guard-b|security|service-a2?|service-b|service-lead|cleaning2?|environment|head|deputy|admin|frontdesk|engineering|repair-a2?|repair-b|squad)(?![\w-])/g;

/** The problems in one screen's visible text, one line each. */
function problems(text) {
  const found = [];
  for (const line of text.split("\n")) {
    for (const [pattern, why] of FORBIDDEN) {
      const match = line.match(pattern);
      if (match) found.push(`${why}: "${match[0]}" in "${line.trim().slice(0, 120)}"`);
    }
    // English words of three letters or more, outside sign-in and device names.
    for (const word of line.replace(USERNAMES, "").replace(DEVICE_NAMES, "").match(/\b[A-Za-z]{3,}\b/g) ?? []) {
      if (!LATIN_ALLOWED.has(word)) found.push(`English "${word}" in "${line.trim().slice(0, 120)}"`);
    }
  }
  return found;
}

test("every screen of every role shows zh-CN text without ids or internal words", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const report = [];
  for (const [username] of DEMO_ROLES) {
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await visitScreens(page, server.url, username, async (screen) => {
        const text = await page.locator("body").innerText();
        for (const problem of problems(text)) report.push(`${username} ${screen}: ${problem}`);
      });
    } finally {
      await context.close();
    }
  }
  const unique = [...new Set(report)];
  assert.deepEqual(unique, [], `visible text problems:\n${unique.join("\n")}`);
});

test("the check itself finds what it is meant to find", () => {
  assert.equal(problems("受理 08:40 · 陈静").length, 0);
  assert.ok(problems("处理记录 (tablet-a6b7569b1234)").length > 0);
  assert.ok(problems("首问责任人: 陈静").length > 0);
  assert.ok(problems("req_owner").length > 0);
  assert.ok(problems("关系 owner").length > 0);
  assert.ok(problems("0123456789abcdef0123456789abcdef").length > 0);
  assert.ok(problems("Patrol 巡逻").length > 0);
  assert.equal(problems("guard-a · 王强 · service-lead").length, 0);
  // A device's default name, whatever letters its random tag has.
  assert.equal(problems("Linux-aabd\t2026-12-03 17:04").length, 0);
  assert.ok(problems("Linux 设备").length > 0);
});
