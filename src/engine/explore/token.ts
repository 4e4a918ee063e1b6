/**
 * Replay tokens: everything needed to print a witness again on any machine
 * (scenario, policy, its parameters, the action sequence) in one short,
 * URL-safe string, e.g. `pl1.AQNmb28…`.
 *
 * Layout: "pl" + version + "." + base64url(payload ‖ crc32(payload)), where
 * the payload is, in order, the scenario and policy names, the parameters
 * (count, then key/value pairs sorted by key) and the actions (count, then
 * each zigzag-encoded), strings as UTF-8 with a length, every integer as a
 * LEB128 varint. The CRC-32 makes a mistyped or truncated token an error
 * instead of a different trace. Pure code (no Buffer) so that a browser can
 * read the same tokens.
 */

export interface ReplayToken {
  readonly scenario: string;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  readonly actions: readonly number[];
}

const PREFIX = "pl";
const VERSION = 1;
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as in zlib and PNG). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

class Writer {
  private bytes: number[] = [];
  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`token: bad integer ${v}`);
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }
  int(v: number): void {
    this.uint(v < 0 ? -2 * v - 1 : 2 * v);
  }
  str(s: string): void {
    const u = new TextEncoder().encode(s);
    this.uint(u.length);
    for (const b of u) this.bytes.push(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  get end(): boolean {
    return this.at === this.b.length;
  }
  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.b.length) throw new RangeError("truncated");
      const x = this.b[this.at++]!;
      v += (x & 0x7f) * scale;
      if (!Number.isSafeInteger(v)) throw new RangeError("integer too large");
      if ((x & 0x80) === 0) return v;
      scale *= 0x80;
    }
  }
  int(): number {
    const u = this.uint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  }
  str(): string {
    const n = this.uint();
    if (this.at + n > this.b.length) throw new RangeError("truncated");
    const s = new TextDecoder("utf-8", { fatal: true }).decode(
      this.b.subarray(this.at, this.at + n),
    );
    this.at += n;
    return s;
  }
}

function toBase64url(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const chars = i + 2 < b.length ? 4 : i + 1 < b.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += B64[(n >>> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64url(s: string): Uint8Array | null {
  if (s.length % 4 === 1) return null;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  // the bits left over must be zero: one encoding per token, so a typo there is caught too
  if (acc !== 0) return null;
  return Uint8Array.from(out);
}

/** The token for a witness. */
export function encodeToken(t: ReplayToken): string {
  const w = new Writer();
  w.str(t.scenario);
  w.str(t.policy);
  const keys = Object.keys(t.params).sort();
  w.uint(keys.length);
  for (const k of keys) {
    w.str(k);
    w.str(t.params[k]!);
  }
  w.uint(t.actions.length);
  for (const a of t.actions) w.int(a);
  const payload = w.done();
  const c = crc32(payload);
  const all = new Uint8Array(payload.length + 4);
  all.set(payload);
  all[payload.length] = c >>> 24;
  all[payload.length + 1] = (c >>> 16) & 0xff;
  all[payload.length + 2] = (c >>> 8) & 0xff;
  all[payload.length + 3] = c & 0xff;
  return `${PREFIX}${VERSION}.${toBase64url(all)}`;
}

/** The witness in a token, or why the token is not one (never throws). */
export function decodeToken(token: string): ReplayToken | { readonly error: string } {
  const t = token.trim();
  const m = /^pl(\d+)\.(.*)$/s.exec(t);
  if (!m) return { error: 'not a pinlab replay token (expected "pl1." followed by the code)' };
  if (Number(m[1]) !== VERSION)
    return {
      error: `replay token version ${m[1]} is not supported (this pinlab reads version ${VERSION})`,
    };
  const bytes = fromBase64url(m[2]!);
  if (!bytes)
    return { error: "replay token has characters outside A–Z a–z 0–9 - _ or a bad length" };
  if (bytes.length < 4) return { error: "replay token is too short" };
  const payload = bytes.subarray(0, bytes.length - 4);
  const n = bytes.length;
  const stored =
    ((bytes[n - 4]! << 24) | (bytes[n - 3]! << 16) | (bytes[n - 2]! << 8) | bytes[n - 1]!) >>> 0;
  if (crc32(payload) !== stored)
    return { error: "replay token checksum mismatch: it was mistyped or cut short" };
  try {
    const r = new Reader(payload);
    const scenario = r.str();
    const policy = r.str();
    const entries: Array<[string, string]> = [];
    const np = r.uint();
    for (let i = 0; i < np; i++) entries.push([r.str(), r.str()]);
    // fromEntries defines own properties, even one named "__proto__"
    const params: Record<string, string> = Object.fromEntries(entries);
    const na = r.uint();
    if (na > payload.length) throw new RangeError("action count");
    const actions: number[] = [];
    for (let i = 0; i < na; i++) actions.push(r.int());
    if (!r.end) throw new RangeError("trailing bytes");
    return { scenario, policy, params, actions };
  } catch (e) {
    return { error: `replay token is malformed (${(e as Error).message})` };
  }
}
