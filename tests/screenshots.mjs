#!/usr/bin/env node
// The screenshot review (issue #20): every screen of every demo role at
// 1280×800 (landscape tablet) and 800×1280 (portrait), written as PNGs so the
// next change can be compared picture by picture.
//
//   node tests/screenshots.mjs [OUT_DIR]      (default: tests/screenshots/)
//
// Needs what the e2e tests need: a built app (scripts/build-web) and server
// (cargo build -p roundbook-server, or ROUNDBOOK_SERVER_BIN). Starts its own
// demo server on a free port and stops it at the end.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { launchBrowser, startServer } from "./e2e/harness.mjs";
import { DEMO_ROLES, visitScreens } from "./e2e/screens.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, "screenshots"));
const VIEWPORTS = [
  ["landscape", { width: 1280, height: 800 }],
  ["portrait", { width: 800, height: 1280 }],
];

const server = await startServer();
const browser = await launchBrowser();
let count = 0;
try {
  for (const [label, viewport] of VIEWPORTS) {
    for (const [username] of DEMO_ROLES) {
      const dir = path.join(out, label, username);
      fs.mkdirSync(dir, { recursive: true });
      const context = await browser.newContext({ locale: "zh-CN", viewport });
      const page = await context.newPage();
      try {
        await visitScreens(page, server.url, username, async (screen) => {
          const file = path.join(dir, `${screen.replaceAll("/", "-")}.png`);
          await page.screenshot({ path: file, fullPage: true });
          count += 1;
        });
      } finally {
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`${count} screenshots in ${out}`);
