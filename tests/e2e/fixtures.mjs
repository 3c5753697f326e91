// Media the patrol tests feed to the browser: a fake camera video that shows
// checkpoint QR tags one after another, and a large photo to downscale.
//
// Chromium plays a Y4M file as its fake camera when started with
// `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE`
// (see `fakeCameraArgs`). The QR codes are encoded by the `qrcode` package;
// the frames and the PNG are written here byte by byte (both formats are
// simple), so nothing is drawn by the code under test.

import fs from "node:fs";
import zlib from "node:zlib";

import QRCode from "qrcode";

/** Chromium flags that make `getUserMedia` play `y4mPath` without asking. */
export function fakeCameraArgs(y4mPath) {
  return [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${y4mPath}`,
  ];
}

/**
 * Writes a Y4M video (4:2:0, `fps` frames a second) showing the QR code of
 * each text in turn for `secondsEach` seconds, black on white, centred.
 * Chromium loops the file, so every code comes round again.
 */
export function writeQrVideo(y4mPath, texts, { width = 640, height = 480, fps = 10, secondsEach = 1.5 } = {}) {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frameHeader = Buffer.from("FRAME\n");
  const parts = [header];
  for (const text of texts) {
    const luma = qrLuma(text, width, height);
    for (let n = 0; n < Math.round(fps * secondsEach); n++) {
      parts.push(frameHeader, luma, chroma, chroma);
    }
  }
  fs.writeFileSync(y4mPath, Buffer.concat(parts));
}

/** One luma plane with the QR code of `text` drawn in the middle. */
function qrLuma(text, width, height) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const quiet = 4;
  const cells = modules.size + 2 * quiet;
  const scale = Math.floor((Math.min(width, height) * 0.8) / cells);
  const left = Math.floor((width - cells * scale) / 2);
  const top = Math.floor((height - cells * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < scale; y++) {
        const offset = (top + (row + quiet) * scale + y) * width + left + (col + quiet) * scale;
        luma.fill(16, offset, offset + scale);
      }
    }
  }
  return luma;
}

/**
 * A PNG photo of `width` x `height` pixels: smooth colour gradients with a
 * little noise, like a camera picture, so it is large before downscaling.
 */
export function photoPng(width = 2400, height = 1800) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let seed = 42;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >> 16) % 4;
  };
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      raw[at] = ((x * 255) / width + noise()) & 0xff;
      raw[at + 1] = ((y * 255) / height + noise()) & 0xff;
      raw[at + 2] = (((x + y) * 127) / (width + height) + 64 + noise()) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", zlib.deflateSync(raw, { level: 6 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}
