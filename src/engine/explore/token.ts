/**
 * Replay tokens: everything needed to print and re-judge a witness on any
 * machine, from any directory, in one URL-safe line, e.g. `pl2.AARjb3Jl…`.
 *
 * Layout: "pl" + version + "." + base64url(payload ‖ crc32(payload)). The
 * payload is, in order:
 * - the scenario: 0 and a bundled scenario's name, or 1 and the scenario's
 *   whole source text (its UTF-8 length, then the bytes raw-DEFLATE
 *   compressed); then its content hash (8 bytes, `sourceHash` of the text, or
 *   `specHash` for a scenario built in TypeScript). A token never names a
 *   path: `replay` reads no file a token names.
 * - the policy name, the parameters (count, then key/value pairs sorted by key);
 * - the claim: what the witness shows (a property, or an obligation such as
 *   `always P`) and, for a lasso, where the cycle starts (prefix length + 1;
 *   0 for a run that shows it at its last step or its end);
 * - the actions (count, then each zigzag-encoded);
 * - optionally, bounds that widen the scenario's own (a witness found by
 *   `simulate` may need more copies of a replica group, or more iterations
 *   of a repeating tail, than `bounds replicas` and `bounds repeats` allow):
 *   1, then replicas and repeats, each 0 for "as the scenario writes it".
 * - for a policy from a plugin file only: 2, the file's name (not its path)
 *   and its content hash (8 bytes); replay asks for the file with --policy.
 * Strings are UTF-8 with a length, every integer a LEB128 varint. The CRC-32
 * makes a mistyped or truncated token an error instead of a different trace.
 * Pure code (no Buffer, no node:), so that a browser can read the same tokens;
 * compression is fflate's, which runs in both. docs/replay.md has the format.
 */
import { deflateSync, inflateSync } from "fflate";

/** Where a token's scenario comes from. `hash` is 16 hex digits. */
export type TokenScenario =
  | { readonly kind: "bundled"; readonly name: string; readonly hash: string }
  | { readonly kind: "text"; readonly text: string; readonly hash: string };

/** What a witness shows, so that a replay can judge it the same way. */
export interface WitnessClaim {
  /** A property's name, or a liveness obligation's (`always P`). */
  readonly what: string;
  /** For a lasso: the number of steps before the cycle. */
  readonly loop: number | null;
}

/** A plugin policy's file: its name (never its path) and content hash, 16 hex digits. */
export interface TokenPlugin {
  readonly file: string;
  readonly hash: string;
}

export interface ReplayToken {
  readonly scenario: TokenScenario;
  readonly policy: string;
  /** The plugin file the policy came from; null (or absent) for a built-in policy. */
  readonly plugin?: TokenPlugin | null;
  readonly params: Readonly<Record<string, string>>;
  readonly claim: WitnessClaim;
  readonly actions: readonly number[];
  /** Bounds to replay under instead of the scenario's `bounds replicas` / `bounds repeats`. */
  readonly bounds?: TokenBounds;
}

/** `null`: the scenario's own bound. */
export interface TokenBounds {
  readonly replicas: number | null;
  readonly repeats: number | null;
}

const PREFIX = "pl";
const VERSION = 2;
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The longest scenario text a token may carry (a decoder allocates no more). */
export const MAX_TEXT_BYTES = 1 << 20;

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
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
  }
  blob(b: Uint8Array): void {
    this.uint(b.length);
    this.raw(b);
  }
  str(s: string): void {
    this.blob(new TextEncoder().encode(s));
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
  raw(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new RangeError("truncated");
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  blob(): Uint8Array {
    return this.raw(this.uint());
  }
  str(): string {
    return utf8(this.blob());
  }
}

function utf8(b: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(b);
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
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B64.indexOf(s[i]!);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // the bits left over must be zero: one encoding per token, so a typo there is caught too
  if (acc !== 0) return null;
  return out;
}

const HASH = /^[0-9a-f]{16}$/;

function hashBytes(hex: string): Uint8Array {
  if (!HASH.test(hex)) throw new RangeError(`token: bad content hash '${hex}'`);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hashHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** The token for a witness. */
export function encodeToken(t: ReplayToken): string {
  const w = new Writer();
  if (t.scenario.kind === "bundled") {
    w.uint(0);
    w.str(t.scenario.name);
  } else {
    const text = new TextEncoder().encode(t.scenario.text);
    if (text.length > MAX_TEXT_BYTES)
      throw new RangeError(`token: scenario text over ${MAX_TEXT_BYTES} bytes`);
    w.uint(1);
    w.uint(text.length);
    w.blob(deflateSync(text, { level: 9 }));
  }
  w.raw(hashBytes(t.scenario.hash));
  w.str(t.policy);
  const keys = Object.keys(t.params).sort();
  w.uint(keys.length);
  for (const k of keys) {
    w.str(k);
    w.str(t.params[k]!);
  }
  w.str(t.claim.what);
  w.uint(t.claim.loop === null ? 0 : t.claim.loop + 1);
  w.uint(t.actions.length);
  for (const a of t.actions) w.int(a);
  if (t.bounds && (t.bounds.replicas !== null || t.bounds.repeats !== null)) {
    w.uint(1);
    w.uint(t.bounds.replicas ?? 0);
    w.uint(t.bounds.repeats ?? 0);
  }
  // for a policy from a plugin file only: 2, the file's name and content hash
  if (t.plugin) {
    w.uint(2);
    w.str(t.plugin.file);
    w.raw(hashBytes(t.plugin.hash));
  }
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
  const m = /^pl(\d{1,6})\.(.*)$/s.exec(t);
  if (!m) return { error: 'not a pinlab replay token (expected "pl2." followed by the code)' };
  if (m[1] === "1")
    return {
      error:
        "this is a version-1 token, from an older pinlab: it names its scenario without carrying it or a content hash, so pinlab cannot tell whether the scenario changed since. Run 'pinlab check' again for a new token",
    };
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
    const kind = r.uint();
    let scenario: TokenScenario;
    if (kind === 0) {
      const name = r.str();
      scenario = { kind: "bundled", name, hash: hashHex(r.raw(8)) };
    } else if (kind === 1) {
      const size = r.uint();
      if (size > MAX_TEXT_BYTES) throw new RangeError("scenario text too large");
      const packed = r.blob();
      // one byte of room: a stream that inflates to more than it declared is caught
      let text: Uint8Array;
      try {
        text = inflateSync(packed, { out: new Uint8Array(size + 1) });
      } catch {
        throw new RangeError("scenario text does not decompress");
      }
      if (text.length !== size) throw new RangeError("scenario text has the wrong length");
      scenario = { kind: "text", text: utf8(text), hash: hashHex(r.raw(8)) };
    } else throw new RangeError(`unknown scenario kind ${kind}`);
    const policy = r.str();
    const entries: Array<[string, string]> = [];
    const np = r.uint();
    if (np > payload.length) throw new RangeError("parameter count");
    for (let i = 0; i < np; i++) entries.push([r.str(), r.str()]);
    // fromEntries defines own properties, even one named "__proto__"
    const params: Record<string, string> = Object.fromEntries(entries);
    const what = r.str();
    const loop = r.uint();
    const na = r.uint();
    if (na > payload.length) throw new RangeError("action count");
    const actions: number[] = [];
    for (let i = 0; i < na; i++) actions.push(r.int());
    let bounds: TokenBounds | undefined;
    let plugin: TokenPlugin | null = null;
    // optional fields, each once and in this order: 1 bounds, 2 plugin
    let last = 0;
    while (!r.end) {
      const tag = r.uint();
      if (tag <= last || tag > 2) throw new RangeError("trailing bytes");
      last = tag;
      if (tag === 1) {
        const replicas = r.uint();
        const repeats = r.uint();
        if (replicas === 0 && repeats === 0) throw new RangeError("empty bounds");
        bounds = { replicas: replicas || null, repeats: repeats || null };
      } else {
        const file = r.str();
        plugin = { file, hash: hashHex(r.raw(8)) };
      }
    }
    if (loop > na) throw new RangeError("cycle starts after the last step");
    return {
      scenario,
      policy,
      ...(plugin ? { plugin } : {}),
      params,
      claim: { what, loop: loop === 0 ? null : loop - 1 },
      actions,
      ...(bounds ? { bounds } : {}),
    };
  } catch (e) {
    return { error: `replay token is malformed (${(e as Error).message})` };
  }
}
