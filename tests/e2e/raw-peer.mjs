// A bare automerge-repo protocol (v1) peer over one WebSocket, for tests that
// play a client bypassing the app: it joins, syncs documents with plain
// Automerge sync messages and reports the server's `error` frames. Unlike a
// Repo it never reconnects, stores nothing and has no timers left running
// once closed, so node exits when the test ends.

import * as Automerge from "@automerge/automerge";
import { decode, encode } from "@automerge/automerge-repo/helpers/cbor.js";
import WebSocket from "ws";

import { syncUrl, waitFor } from "./harness.mjs";

export class RawPeer {
  /** Opens the socket as `token`'s user and completes join / peer. */
  static async connect(server, token, { timeout = 10_000 } = {}) {
    const peer = new RawPeer(new WebSocket(syncUrl(server, token)));
    await new Promise((resolve, reject) => {
      peer.socket.once("open", resolve);
      peer.socket.once("error", reject);
    });
    peer.send({
      type: "join",
      senderId: peer.id,
      peerMetadata: {},
      supportedProtocolVersions: ["1"],
    });
    await waitFor(() => peer.serverId !== undefined || peer.closed, { timeout, message: "the server's peer message" });
    if (peer.serverId === undefined) throw new Error(`no peer message: ${peer.errors.join("; ")}`);
    return peer;
  }

  constructor(socket) {
    this.socket = socket;
    this.id = `raw-peer-${Math.random().toString(36).slice(2)}`;
    this.serverId = undefined;
    /** The `message` of every `error` frame, in order. */
    this.errors = [];
    /** Document ids the server answered `doc-unavailable` for. */
    this.unavailable = new Set();
    this.closed = false;
    /** documentId -> { doc, state } */
    this.docs = new Map();
    socket.binaryType = "nodebuffer";
    socket.on("message", (data) => this.receive(decode(new Uint8Array(data))));
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", (error) => this.errors.push(`socket: ${error.message}`));
  }

  send(message) {
    this.socket.send(encode(message));
  }

  receive(message) {
    switch (message.type) {
      case "peer":
        this.serverId = message.senderId;
        break;
      case "error":
        this.errors.push(message.message);
        break;
      case "doc-unavailable":
        this.unavailable.add(message.documentId);
        break;
      case "sync": {
        const held = this.held(message.documentId);
        [held.doc, held.state] = Automerge.receiveSyncMessage(held.doc, held.state, message.data);
        this.offer(message.documentId);
        break;
      }
      default:
        break;
    }
  }

  held(documentId) {
    if (!this.docs.has(documentId)) {
      this.docs.set(documentId, { doc: Automerge.init(), state: Automerge.initSyncState() });
    }
    return this.docs.get(documentId);
  }

  /** Sends our next sync message for a document, if there is one. */
  offer(documentId, type = "sync") {
    const held = this.held(documentId);
    const [state, data] = Automerge.generateSyncMessage(held.doc, held.state);
    held.state = state;
    if (data && !this.closed) {
      this.send({ type, documentId, senderId: this.id, targetId: this.serverId, data });
    }
  }

  /** Asks for a document and syncs until `ready(doc)` holds. */
  async fetch(documentId, ready, { timeout = 15_000 } = {}) {
    this.offer(documentId, "request");
    await waitFor(() => ready(this.held(documentId).doc) || this.closed || this.unavailable.has(documentId), {
      timeout,
      message: `document ${documentId} synced`,
    });
    if (!ready(this.held(documentId).doc)) {
      throw new Error(`could not fetch ${documentId}: ${this.errors.join("; ") || "unavailable"}`);
    }
    return this.held(documentId).doc;
  }

  /** Changes a held document with plain Automerge and offers the change. */
  change(documentId, edit) {
    const held = this.held(documentId);
    held.doc = Automerge.change(held.doc, edit);
    this.offer(documentId);
  }

  close() {
    if (!this.closed) this.socket.terminate();
    this.closed = true;
  }
}
