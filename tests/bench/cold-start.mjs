// Cold-start benchmark of the tablet app (issue #19): what a new tablet
// downloads and how long it waits, on a slow network and a slow CPU.
//
//   cargo build --release -p roundbook-server && scripts/build-web
//   node tests/bench/cold-start.mjs
//
// For each run: a fresh Chromium profile (`--user-data-dir`, headless, the
// e2e harness's flags), the page throttled over CDP to 10 Mbit/s each way
// with 20 ms latency (`Network.emulateNetworkConditions`) and a 4x slower
// CPU (`Emulation.setCPUThrottlingRate`). The browser talks to the server
// through a counting TCP proxy, so every byte is counted, the service
// worker's own downloads included (CDP throttles the page, not the worker).
//
// Prints, per run and as medians:
//   1. cold first visit: bytes over the wire and milliseconds until the
//      sign-in form is usable;
//   2. sign-in as guard-a, start the shift: bytes until the on-duty screen;
//      then bytes until the service worker controls the page and the
//      network has been quiet for 2 s (the whole first visit);
//   3. the browser closed and reopened offline on the same profile:
//      milliseconds from navigation to the on-duty screen.
// Asserts nothing about time.
//
// Environment:
//   ROUNDBOOK_SERVER_BIN  server binary (default: the release build)
//   ROUNDBOOK_DIST        built web app (default <repo>/dist)
//   ROUNDBOOK_BENCH_BASELINE_BIN, ROUNDBOOK_BENCH_BASELINE_DIST
//                         another build (e.g. the previous main) measured in
//                         the same run, side by side
//   ROUNDBOOK_BENCH_TLS=1 over HTTPS (the server's own local authority), as
//                         tablets use it: Chromium offers brotli only there
//   ROUNDBOOK_BENCH_RUNS  runs per build (default 3), each on a new server and database

import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  DEMO_PASSWORD,
  DIST,
  freePort,
  sleep,
  startServer,
  startShift,
  trustServerArgs,
  waitFor,
  waitForServiceWorker,
} from "../e2e/harness.mjs";

const RUNS = Number(process.env.ROUNDBOOK_BENCH_RUNS || 3);
const TLS = process.env.ROUNDBOOK_BENCH_TLS === "1";
const TLS_NAME = "roundbook.test";
const MBIT = 1_000_000 / 8;
const NETWORK = { offline: false, latency: 20, downloadThroughput: 10 * MBIT, uploadThroughput: 10 * MBIT };
const CPU_SLOWDOWN = 4;
const QUIET_MS = 2_000;

const releaseBin = path.join(
  process.env.CARGO_TARGET_DIR || path.join(os.homedir(), ".cache/roundbook/target"),
  "release/roundbook-server",
);

const builds = [];
if (process.env.ROUNDBOOK_BENCH_BASELINE_BIN || process.env.ROUNDBOOK_BENCH_BASELINE_DIST) {
  builds.push({
    name: "baseline",
    bin: process.env.ROUNDBOOK_BENCH_BASELINE_BIN || releaseBin,
    dist: process.env.ROUNDBOOK_BENCH_BASELINE_DIST || DIST,
  });
}
builds.push({ name: "this build", bin: process.env.ROUNDBOOK_SERVER_BIN || releaseBin, dist: DIST });

/**
 * A TCP proxy on a free loopback port to `port`, counting the bytes that go
 * to the browser (`down`) and from it (`up`).
 */
async function countingProxy(port) {
  const counts = { down: 0, up: 0, last: Date.now() };
  const sockets = new Set();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => {
      counts.up += chunk.length;
      counts.last = Date.now();
    });
    upstream.on("data", (chunk) => {
      counts.down += chunk.length;
      counts.last = Date.now();
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  const proxyPort = await freePort();
  await new Promise((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
  return {
    port: proxyPort,
    counts,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/** Opens Chromium on `profile`; the first page throttled (network unless offline, CPU). */
async function openTablet(profile, extraArgs, { offline = false } = {}) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  if (offline) await context.setOffline(true);
  const page = context.pages()[0] || (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (!offline) await cdp.send("Network.emulateNetworkConditions", NETWORK);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  return { context, page };
}

/** Waits until the sign-in form can be typed into and submitted. */
async function signInUsable(page) {
  await waitFor(
    async () =>
      (await page.getByTestId("signin-username").isEditable()) &&
      (await page.getByTestId("signin-submit").isEnabled()),
    { timeout: 120_000, interval: 10, message: "a usable sign-in form" },
  );
}

async function oneRun(server) {
  const proxy = await countingProxy(server.port);
  const url = TLS ? `https://${TLS_NAME}:${proxy.port}` : `http://127.0.0.1:${proxy.port}`;
  const extraArgs = TLS ? trustServerArgs(server, TLS_NAME) : [];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-bench-profile-"));
  const files = [];
  const result = {};
  try {
    let { context, page } = await openTablet(profile, extraArgs);
    try {
      page.on("response", async (response) => {
        const { pathname } = new URL(response.url());
        if (!pathname.startsWith("/app/")) return;
        // Read after the browser may have closed: then the file is not listed.
        try {
          const sizes = await response.request().sizes();
          files.push({
            file: pathname.split("/").pop(),
            encoding: (await response.headerValue("content-encoding")) || "identity",
            bytes: sizes.responseBodySize,
          });
        } catch {
          // closed
        }
      });
      const started = Date.now();
      await page.goto(url);
      await signInUsable(page);
      result.signInMs = Date.now() - started;
      result.signInBytes = proxy.counts.down;

      await page.getByTestId("signin-username").fill("guard-a");
      await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
      await page.getByTestId("signin-submit").click();
      await page.getByTestId("user-name").waitFor({ timeout: 120_000 });
      await startShift(page, { timeout: 120_000 });
      result.onDutyBytes = proxy.counts.down;

      await waitForServiceWorker(page);
      await waitFor(() => Date.now() - proxy.counts.last > QUIET_MS, { timeout: 300_000, interval: 100 });
      result.firstVisitBytes = proxy.counts.down;
      result.firstVisitUpBytes = proxy.counts.up;
    } finally {
      await context.close();
    }

    ({ context, page } = await openTablet(profile, extraArgs, { offline: true }));
    try {
      const started = Date.now();
      await page.goto(url);
      await page.getByTestId("shift-on-duty").waitFor({ timeout: 120_000 });
      result.offlineOnDutyMs = Date.now() - started;
    } finally {
      await context.close();
    }
  } finally {
    await proxy.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  result.files = files;
  return result;
}

const kb = (bytes) => `${(bytes / 1000).toFixed(0)} KB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

function line(label, r) {
  return (
    `${label.padEnd(12)} sign-in form ${kb(r.signInBytes).padStart(8)} in ${String(r.signInMs).padStart(5)} ms | ` +
    `+ sign-in to on-duty ${kb(r.onDutyBytes - r.signInBytes).padStart(8)} (total ${kb(r.onDutyBytes)}) | ` +
    `whole first visit ${kb(r.firstVisitBytes).padStart(8)} | ` +
    `offline reopen to on-duty ${String(r.offlineOnDutyMs).padStart(5)} ms`
  );
}

console.log(
  `cold start: ${TLS ? "HTTPS" : "HTTP"}, 10 Mbit/s, ${NETWORK.latency} ms latency, CPU ${CPU_SLOWDOWN}x slower; ` +
    `bytes are what the server sent (headers included), KB = 1,000 bytes; ${RUNS} run(s) per build`,
);
const summaries = [];
for (const build of builds) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // A new server and database each run: guard-a's shift is not running yet.
    const server = await startServer({ bin: build.bin, dist: build.dist, tlsName: TLS ? TLS_NAME : null });
    try {
      const r = await oneRun(server);
      runs.push(r);
      console.log(line(`${build.name} #${i + 1}`, r));
      if (i === 0) {
        for (const f of r.files) console.log(`    ${f.file.padEnd(22)} ${f.encoding.padEnd(8)} ${kb(f.bytes)}`);
      }
    } finally {
      await server.stop();
    }
    await sleep(200);
  }
  const m = {};
  for (const key of ["signInMs", "signInBytes", "onDutyBytes", "firstVisitBytes", "offlineOnDutyMs"]) {
    m[key] = median(runs.map((r) => r[key]));
  }
  summaries.push([build.name, m]);
}
console.log("medians:");
for (const [name, m] of summaries) console.log(line(name, m));
