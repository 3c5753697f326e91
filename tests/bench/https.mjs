// What HTTPS costs a tablet, against plain HTTP on the same machine: the
// server with its own local authority (`--tls-self-signed roundbook.test`)
// beside one without TLS, the real app in headless Chromium.
//
//   cargo build --release -p roundbook-server && scripts/build-web
//   ROUNDBOOK_SERVER_BIN=$HOME/.cache/roundbook/target/release/roundbook-server node tests/bench/https.mjs
//
// Prints, for each: a fresh connection's handshake and one small request
// (`GET /api/health`, no keep-alive, from Node), and a new tablet's first
// load of the sign-in page and first sign-in and sync (until the sync
// socket has been quiet for 300 ms). Minimum, median and maximum over the
// runs. Asserts nothing about speed.

import fs from "node:fs";
import http from "node:http";
import https from "node:https";

import { DEMO_PASSWORD, launchBrowser, startServer, trustServerArgs } from "../e2e/harness.mjs";

const NAME = "roundbook.test";
const REQUESTS = Number(process.env.ROUNDBOOK_BENCH_REQUESTS || 50);
const TABLETS = Number(process.env.ROUNDBOOK_BENCH_TABLETS || 7);


/** Milliseconds of one request on a new connection. */
function oneRequest(server, secure) {
  const started = process.hrtime.bigint();
  const options = { host: "127.0.0.1", port: server.port, path: "/api/health", agent: false };
  const get = secure
    ? https.get.bind(https, { ...options, servername: NAME, ca: fs.readFileSync(`${server.tlsDir}/ca.crt`) })
    : http.get.bind(http, options);
  return new Promise((resolve, reject) => {
    const request = get((response) => {
      response.resume();
      response.on("end", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
    });
    request.on("error", reject);
  });
}

/** Milliseconds to the sign-in form, and from submitting it to a quiet sync. */
async function oneTablet(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let lastFrame = 0;
  page.on("websocket", (socket) => socket.on("framereceived", () => (lastFrame = Date.now())));
  const started = Date.now();
  await page.goto(url);
  await page.getByTestId("signin-username").waitFor();
  const loaded = Date.now() - started;
  await page.getByTestId("signin-username").fill("guard-a");
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  const submitted = Date.now();
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("user-name").waitFor();
  // The first frame, then 300 ms without one (at most 20 s).
  const deadline = Date.now() + 20_000;
  while ((lastFrame === 0 || Date.now() - lastFrame < 300) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const synced = lastFrame - submitted;
  await context.close();
  return { loaded, synced };
}

function figure(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `min ${sorted[0].toFixed(1)}  median ${median.toFixed(1)}  max ${sorted.at(-1).toFixed(1)} ms`;
}

const plain = await startServer();
const secure = await startServer({ tlsName: NAME });
const browser = await launchBrowser({
  args: trustServerArgs(secure, NAME),
});
try {
  for (const [label, server, isSecure, url] of [
    ["plain HTTP", plain, false, plain.url],
    ["HTTPS", secure, true, secure.url],
  ]) {
    const requests = [];
    for (let n = 0; n < REQUESTS; n++) requests.push(await oneRequest(server, isSecure));
    const tablets = [];
    for (let n = 0; n < TABLETS; n++) tablets.push(await oneTablet(browser, url));
    console.log(`${label}:`);
    console.log(`  new connection + GET /api/health (${REQUESTS}): ${figure(requests)}`);
    console.log(`  first load of the sign-in page (${TABLETS}):   ${figure(tablets.map((t) => t.loaded))}`);
    console.log(`  sign-in and first sync (${TABLETS}):           ${figure(tablets.map((t) => t.synced))}`);
  }
} finally {
  await browser.close();
  await plain.stop();
  await secure.stop();
}
