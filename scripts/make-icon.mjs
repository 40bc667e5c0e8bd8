// Draws images/icon.png (128x128): a white shield with a keyhole on a WSO2-orange rounded square.
// No image library: shapes are tested per pixel (4x4 supersampling for smooth edges) and written as a PNG with zlib.
// Run: node scripts/make-icon.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;
const ORANGE = [244, 123, 32];
const WHITE = [255, 255, 255];
const DARK = [64, 64, 64];

const roundedSquare = (x, y) => {
  const r = 24, m = 4;
  const cx = Math.min(Math.max(x, m + r), SIZE - m - r);
  const cy = Math.min(Math.max(y, m + r), SIZE - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && x <= SIZE - m && y >= m && y <= SIZE - m;
};
// Shield: straight top from y=24, sides down to y=64, then curving to a point at (64, 108).
const shield = (x, y) => {
  const left = 30, right = 98, top = 24, shoulder = 64, tip = 108;
  if (y < top || y > tip) return false;
  if (y <= shoulder) return x >= left && x <= right;
  const t = (y - shoulder) / (tip - shoulder);
  const half = ((right - left) / 2) * Math.sqrt(1 - t * t);
  return Math.abs(x - 64) <= half;
};
const keyhole = (x, y) => (x - 64) ** 2 + (y - 56) ** 2 <= 11 ** 2 || (y >= 56 && y <= 86 && Math.abs(x - 64) <= 5 + (y - 56) * 0.12);

function colourAt(x, y) {
  if (!roundedSquare(x, y)) return null;
  if (keyhole(x, y)) return DARK;
  if (shield(x, y)) return WHITE;
  return ORANGE;
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4);
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const c = colourAt(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
        if (!c) continue;
        r += c[0]; g += c[1]; b += c[2]; a++;
      }
    }
    const o = 1 + px * 4;
    if (a) {
      row[o] = Math.round(r / a); row[o + 1] = Math.round(g / a); row[o + 2] = Math.round(b / a);
      row[o + 3] = Math.round((255 * a) / (SAMPLES * SAMPLES));
    }
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(new URL('../images/', import.meta.url), { recursive: true });
writeFileSync(new URL('../images/icon.png', import.meta.url), png);
console.log(`images/icon.png: ${png.length} bytes`);
