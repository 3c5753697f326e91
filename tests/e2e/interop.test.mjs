// Interoperability with the official JavaScript automerge-repo client: the
// server must speak the automerge-repo WebSocket protocol well enough that an
// unmodified Repo can fetch, change and sync our documents, and must keep a
// user out of other zones' documents.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as Automerge from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

import { listDocs, login, sleep, startServer, syncUrl, waitFor } from "./harness.mjs";

const FIND_TIMEOUT_MS = 15_000;

/** Every document kind `GET /api/docs` may list. */
const KINDS = [
  "zone_directory",
  "patrol_log",
  "resident_directory",
  "request_log",
  "visit_log",
  "cleaning_setup",
  "cleaning_month",
  "report_month",
  "work_order_log",
];

// The Rust side writes record fields as scalar strings (automerge-js shows
// them as `ImmutableString`) and reads both those and collaborative text,
// which is what automerge-js writes for a plain JS string. This peer writes
// plain strings, like any JS app would.
const scalar = (text) => text;

/** A field's text, whether scalar (`ImmutableString`) or a plain string. */
function text(value) {
  if (typeof value === "string") return value;
  if (Automerge.isImmutableString(value)) return value.val;
  return undefined;
}

/** A checkpoint as written by JS peers that follow the Rust schema. */
const checkpoint = (id, code, name, location) => ({
  id: scalar(id),
  code: scalar(code),
  name: scalar(name),
  location: scalar(location),
});

/** A Repo with no storage whose only peer is the server, as `token`'s user. */
function openRepo(server, token) {
  return new Repo({
    network: [new WebSocketClientAdapter(syncUrl(server, token))],
  });
}

/** `repo.find` bounded in time, so a silent server fails the test instead of hanging it. */
async function find(repo, documentId) {
  return repo.find(documentId, { signal: AbortSignal.timeout(FIND_TIMEOUT_MS) });
}

/** Shuts a Repo down once (later calls do nothing). */
function closer(repo) {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    await repo.shutdown();
  };
}

/** Fetches a document once through a brand-new peer (fresh Repo, no storage). */
async function fetchFresh(server, token, documentId) {
  const repo = openRepo(server, token);
  const closeRepo = closer(repo);
  try {
    const handle = await find(repo, documentId);
    return {
      // Numbers written as 64-bit integers (schedule minutes) arrive as BigInt.
      json: JSON.parse(JSON.stringify(handle.doc(), (_, v) => (typeof v === "bigint" ? Number(v) : v))),
      bytes: Automerge.save(handle.doc()),
    };
  } finally {
    await repo.shutdown();
  }
}

/** A document's content as plain JSON (scalar strings become strings), read through a brand-new peer. */
async function readFresh(server, token, documentId) {
  return (await fetchFresh(server, token, documentId)).json;
}

async function zoneDirectory(server, token, zone) {
  const docs = await listDocs(server.url, token);
  assert.ok(Array.isArray(docs), "GET /api/docs answers an array");
  for (const entry of docs) {
    assert.equal(typeof entry.document_id, "string");
    assert.ok(KINDS.includes(entry.kind), `known kind: ${entry.kind}`);
    assert.equal(typeof entry.zone, "string");
  }
  const entry = docs.find((doc) => doc.kind === "zone_directory" && doc.zone === zone);
  assert.ok(entry, `a zone_directory for zone ${zone} in ${JSON.stringify(docs)}`);
  return entry.document_id;
}

test("the JS automerge-repo client reads, changes and syncs a zone directory", async (t) => {
  const server = await startServer({ demo: true, t });
  // Changing a zone directory takes a security supervisor (or the office head).
  const { token } = await login(server.url, "security", "roundbook");
  const documentId = await zoneDirectory(server, token, "A");

  const repo = openRepo(server, token);
  const closeRepo = closer(repo);
  try {
    const handle = await find(repo, documentId);
    const doc = handle.doc();
    assert.ok(doc.checkpoints && typeof doc.checkpoints === "object", "a checkpoints map");
    const existing = Object.values(doc.checkpoints);
    assert.ok(existing.length > 0, "the demo zone has checkpoints");
    for (const entry of existing) {
      for (const field of ["id", "code", "name", "location"]) {
        assert.equal(typeof text(entry[field]), "string", `checkpoint.${field} is a string`);
      }
      assert.ok(Automerge.isImmutableString(entry.id), "the server writes scalar strings");
    }

    const newId = `cp-interop-${Date.now()}`;
    handle.change((d) => {
      d.checkpoints[newId] = checkpoint(newId, "A-99", "Interop", "test");
    });

    // A second, fresh peer sees the change: it went through the server.
    const seen = await waitFor(
      async () => {
        const fresh = await readFresh(server, token, documentId);
        return fresh.checkpoints?.[newId] ? fresh : null;
      },
      { timeout: 20_000, interval: 250, message: "the change to reach a fresh peer" },
    );
    assert.deepEqual(seen.checkpoints[newId], {
      id: newId,
      code: "A-99",
      name: "Interop",
      location: "test",
    });
    assert.equal(Object.keys(seen.checkpoints).length, existing.length + 1);

    // And it is durable: it survives a server restart.
    await closeRepo();
    await server.restart();
    const afterRestart = await readFresh(server, token, documentId);
    assert.ok(afterRestart.checkpoints[newId], "the change survives a restart");
  } finally {
    await closeRepo();
  }
});

test("a guard cannot read or write another zone's documents", async (t) => {
  const server = await startServer({ demo: true, t });
  const guardA = await login(server.url, "guard-a", "roundbook");
  const guardB = await login(server.url, "guard-b", "roundbook");
  const zoneA = await zoneDirectory(server, guardA.token, "A");
  const zoneB = await zoneDirectory(server, guardB.token, "B");

  const listedForA = await listDocs(server.url, guardA.token);
  assert.ok(
    listedForA.every((doc) => doc.zone === "A"),
    `guard-a is only offered zone A: ${JSON.stringify(listedForA)}`,
  );
  const todayLogA = listedForA.find((doc) => doc.kind === "patrol_log")?.document_id;
  assert.ok(todayLogA, "guard-a is offered today's patrol log of zone A");

  const { json: before, bytes: zoneBBytes } = await fetchFresh(server, guardB.token, zoneB);
  const beforeCount = Object.keys(before.checkpoints).length;

  const repo = openRepo(server, guardA.token);
  try {
    // Reading: the server answers "unavailable".
    await assert.rejects(find(repo, zoneB), /unavailable/i, "zone B is unavailable to guard-a");

    // Writing: guard-a forges a change on top of zone B's real history (as if
    // it had leaked) and offers it to the server.
    const forged = Automerge.change(Automerge.load(zoneBBytes), (d) => {
      d.checkpoints["cp-forged"] = checkpoint("cp-forged", "B-66", "Forged", "x");
    });
    const attacker = openRepo(server, guardA.token);
    try {
      attacker.import(Automerge.save(forged), { docId: zoneB });
      await sleep(1_000);
      // A change to guard-a's own zone on the same connection, sent after the
      // forgery: once it is on the server, the forgery has been handled too.
      // (Guards write patrol logs; the zone directory is the supervisor's.)
      const own = await find(attacker, todayLogA);
      const marker = `scan-marker-${Date.now()}`;
      own.change((d) => {
        // In guard-a's own name: the server refuses a record in another's.
        d.scans[marker] = { id: marker, round_id: "interop", checkpoint_id: "cp-a-01", guard: "guard-a" };
      });
      await waitFor(
        async () => (await readFresh(server, guardA.token, todayLogA)).scans?.[marker],
        { timeout: 20_000, interval: 250, message: "guard-a's own change to reach the server" },
      );
    } finally {
      await attacker.shutdown();
    }

    const after = await readFresh(server, guardB.token, zoneB);
    assert.equal(after.checkpoints["cp-forged"], undefined, "the forged checkpoint was refused");
    assert.equal(Object.keys(after.checkpoints).length, beforeCount, "zone B is unchanged");
    assert.deepEqual(after, before, "zone B is unchanged");
  } finally {
    await repo.shutdown();
  }
});
