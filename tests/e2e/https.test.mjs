// HTTPS as a tablet on the office network meets it (issue #14): the server
// runs with its own local authority for a name that is not localhost
// (`--tls-self-signed roundbook.test`); Chromium maps that name to 127.0.0.1
// and trusts exactly the server's key (its SPKI hash), never every
// certificate. Over HTTPS the service worker installs, an offline reload
// works and the camera may be asked for; over plain HTTP on the same name
// the app says that the HTTPS address is needed; plain HTTP on the redirect
// port is sent to HTTPS.

import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";

import {
  freePort,
  httpsStatus,
  launchBrowser,
  signIn,
  startServer,
  trustServerArgs,
  waitForServiceWorker,
} from "./harness.mjs";

const NAME = "roundbook.test";

/** Status and Location of a plain HTTP GET to 127.0.0.1:`port` as `NAME`. */
function plainGet(port, path) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, headers: { host: `${NAME}:${port}` } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode, location: response.headers.location });
    });
    request.on("error", reject);
  });
}

test("over HTTPS on a name the service worker installs, an offline reload works and the camera is allowed", async (t) => {
  const redirectPort = await freePort();
  const server = await startServer({ t, tlsName: NAME, args: ["--http-redirect", String(redirectPort)] });
  const browser = await launchBrowser({
    t,
    args: [
      ...trustServerArgs(server, NAME),
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.url, "guard-a");
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  assert.equal(await page.getByTestId("https-notice").count(), 0, "no HTTPS notice over HTTPS");
  await waitForServiceWorker(page);

  const camera = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const tracks = stream.getVideoTracks().length;
    stream.getTracks().forEach((track) => track.stop());
    return tracks;
  });
  assert.equal(camera, 1, "getUserMedia gave a video track");

  await context.setOffline(true);
  await page.reload();
  await page.getByTestId("user-name").waitFor();
  await context.setOffline(false);

  // The install page shows the authority's fingerprint, as the server printed it.
  const printed = server.output().match(/SHA-256 ([0-9A-F:]{95})/);
  assert.ok(printed, `the server printed the fingerprint:\n${server.output()}`);
  await page.goto(`${server.url}/install?lang=en`);
  assert.equal(await page.getByTestId("ca-fingerprint").textContent(), printed[1]);
  assert.equal(await httpsStatus(server.port, NAME, server.tlsDir, "/ca.crt"), 200);

  // Plain HTTP on the redirect port goes to the same path over HTTPS.
  assert.deepEqual(await plainGet(redirectPort, "/install?lang=en"), {
    status: 308,
    location: `https://${NAME}:${server.port}/install?lang=en`,
  });
});

test("over plain HTTP on a name that is not localhost the app says the HTTPS address is needed", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t, args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`] });
  const page = await browser.newPage();
  await page.goto(`http://${NAME}:${server.port}/`);
  const notice = page.getByTestId("https-notice");
  await notice.waitFor();
  assert.match(await notice.textContent(), /HTTPS/);
  await page.getByTestId("https-install").click();
  await page.waitForURL(/\/install\?lang=zh-CN$/);
  assert.match(await page.textContent("body"), /还没有开启 HTTPS/);
});
