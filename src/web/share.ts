/**
 * Share links: the scenario's text, deflated (fflate) and base64url-encoded
 * into the URL's fragment, which a browser never sends to a server, with
 * the policies picked and, optionally, a chosen cell (policy, property) whose
 * witness the page opens. The witness is not carried: the page checks the
 * scenario again, and a check is deterministic, so it finds the same
 * shortest witness. Pure, for the page and for Node's tests.
 *
 *   #pin=<text>&policy=revoke&param=escalation=invalidate&cell=revoke/foreign-dma
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";

/** The largest scenario a link may carry once inflated: the command line's bound for a file. */
export const MAX_SHARED_BYTES = 512 * 1024;

export interface Shared {
  readonly text: string;
  /** The policies picked (empty: the page's default). */
  readonly policies: readonly string[];
  /** Policy parameters, `name=value` (as `--param`). */
  readonly params?: readonly string[];
  /** The cell whose witness the link opens. */
  readonly cell: { readonly policy: string; readonly property: string } | null;
}

/** The fragment (with its `#`) that carries a scenario, its policies and a cell. */
export function encodeShare(s: Shared): string {
  const q = new URLSearchParams();
  q.set("pin", toBase64Url(deflateSync(strToU8(s.text), { level: 9 })));
  if (s.policies.length > 0) q.set("policy", s.policies.join(","));
  for (const p of s.params ?? []) q.append("param", p);
  if (s.cell) q.set("cell", `${s.cell.policy}/${s.cell.property}`);
  return `#${q.toString()}`;
}

/** What a fragment carries; null when it carries no scenario; an error for a damaged link. */
export function decodeShare(hash: string): Shared | null | { readonly error: string } {
  const q = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const pin = q.get("pin");
  if (pin === null) return null;
  let text: string;
  try {
    const bytes = fromBase64Url(pin);
    const out = inflateSync(bytes, { out: new Uint8Array(MAX_SHARED_BYTES + 1) });
    if (out.length > MAX_SHARED_BYTES)
      return { error: `the link's scenario is larger than ${MAX_SHARED_BYTES / 1024} KiB` };
    text = strFromU8(out);
  } catch (e) {
    return { error: `the link is damaged: ${(e as Error).message}` };
  }
  const policy = q.get("policy");
  const cell = /^([^/]+)\/(.+)$/.exec(q.get("cell") ?? "");
  return {
    text,
    policies: policy ? policy.split(",").filter((p) => p.length > 0) : [],
    params: q.getAll("param"),
    cell: cell ? { policy: cell[1]!, property: cell[2]! } : null,
  };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function toBase64Url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const k = Math.min(3, bytes.length - i);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (k > 1) out += ALPHABET[(n >> 6) & 63]!;
    if (k > 2) out += ALPHABET[n & 63]!;
  }
  return out;
}

function fromBase64Url(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let n = 0;
  let bits = 0;
  let o = 0;
  for (const c of s) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error(`'${c}' is not base64url`);
    n = (n << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (n >> bits) & 255;
    }
  }
  return out.subarray(0, o);
}
