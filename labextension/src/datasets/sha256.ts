/**
 * Incremental SHA-256 (FIPS 180-4) for hashing large files in slices.
 *
 * Web Crypto's `digest` needs the whole input at once, so uploads hash the
 * file slice by slice with this instead: `update` any number of times, then
 * `hex()` once.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);

export class Sha256 {
  /** Adds bytes to the hash. */
  update(data: Uint8Array): this {
    if (this._done) {
      throw new Error('sha256: update after digest');
    }
    let pos = 0;
    const length = data.length;
    this._bytes += length;
    // Fill a partially filled block first.
    if (this._used > 0) {
      const take = Math.min(64 - this._used, length);
      this._block.set(data.subarray(0, take), this._used);
      this._used += take;
      pos = take;
      if (this._used === 64) {
        this._compress(this._block, 0);
        this._used = 0;
      }
    }
    // Whole blocks straight from the input.
    while (pos + 64 <= length) {
      this._compress(data, pos);
      pos += 64;
    }
    if (pos < length) {
      this._block.set(data.subarray(pos), 0);
      this._used = length - pos;
    }
    return this;
  }

  /** The digest as 32 bytes; the hash cannot be updated afterwards. */
  digest(): Uint8Array {
    if (!this._done) {
      const bits = this._bytes * 8;
      const tail = new Uint8Array(this._used < 56 ? 64 : 128);
      tail.set(this._block.subarray(0, this._used));
      tail[this._used] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(tail.length - 4, bits >>> 0);
      for (let i = 0; i < tail.length; i += 64) {
        this._compress(tail, i);
      }
      this._done = true;
    }
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) {
      view.setUint32(i * 4, this._h[i]);
    }
    return out;
  }

  /** The digest as 64 lower-case hex digits. */
  hex(): string {
    return Array.from(this.digest(), b => b.toString(16).padStart(2, '0')).join(
      ''
    );
  }

  private _compress(data: Uint8Array, at: number): void {
    const w = this._w;
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] =
        (data[j] << 24) |
        (data[j + 1] << 16) |
        (data[j + 2] << 8) |
        data[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 =
        ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    const h = this._h;
    let a = h[0];
    let b = h[1];
    let c = h[2];
    let d = h[3];
    let e = h[4];
    let f = h[5];
    let g = h[6];
    let k = h[7];
    for (let i = 0; i < 64; i++) {
      const S1 =
        ((e >>> 6) | (e << 26)) ^
        ((e >>> 11) | (e << 21)) ^
        ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K[i] + w[i]) | 0;
      const S0 =
        ((a >>> 2) | (a << 30)) ^
        ((a >>> 13) | (a << 19)) ^
        ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + k) | 0;
  }

  private _h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
    0x1f83d9ab, 0x5be0cd19
  ]);
  private _w = new Int32Array(64);
  private _block = new Uint8Array(64);
  private _used = 0;
  private _bytes = 0;
  private _done = false;
}

/** Bytes read per step while hashing a file. */
const HASH_SLICE = 4 * 1024 * 1024;

/**
 * Hashes a file (or any Blob) slice by slice, reporting the bytes hashed so
 * far; `signal` stops it between slices.
 */
export async function sha256OfBlob(
  blob: Blob,
  onProgress?: (hashed: number) => void,
  signal?: AbortSignal
): Promise<string> {
  const hash = new Sha256();
  for (let at = 0; at < blob.size; at += HASH_SLICE) {
    if (signal?.aborted) {
      throw new DOMException('Hashing was cancelled', 'AbortError');
    }
    const slice = blob.slice(at, Math.min(at + HASH_SLICE, blob.size));
    hash.update(new Uint8Array(await slice.arrayBuffer()));
    onProgress?.(Math.min(at + HASH_SLICE, blob.size));
  }
  return hash.hex();
}
