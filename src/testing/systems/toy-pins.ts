/**
 * A toy "long-term pins vs. lease break" model, scalable by the number of
 * pinners N: the explorer's benchmark and a test bed for its reductions
 * (identical pinners give symmetry, their private steps give independence,
 * a blocked truncate gives a liveness obligation). It is a caricature of the
 * kernel model, not a replacement: one file, one truncating breaker.
 *
 * Pinner (N of them): idle → take a lease → pin (GUP, FOLL_LONGTERM) → issue
 * and land DMAs to one of `pages` pages, counting `dmas` rounds → unpin → drop
 * the lease → idle again. Breaker: truncate; unless `mode` is "unsafe", a
 * truncate over leases breaks them (SIGIO to the holders) and waits until no
 * lease is held; under "revoke" the lease-break timer may fire, killing the
 * holders. A holder's SIGIO handler either cancels (no new DMA) or ignores.
 * Under "revoke", DMAs issued while breaking advance the timer, which caps
 * them at `timer` (so the timer models lease-break-time, not a free choice).
 *
 * Properties: "foreign-dma" (a DMA landed after truncate freed the blocks),
 * "killed" (the timer killed a pinner). Obligation: "truncate-hang".
 *
 * State: [breaker, elapsed, pinner 0, …, pinner N-1]; a pinner is pc | sig<<4.
 */
import type { System, SystemFactory } from "../../engine/explore/system.js";

export interface ToyPinsParams {
  readonly n: number;
  readonly mode?: "unsafe" | "wait" | "revoke";
  readonly handler?: "cancel" | "ignore";
  /** DMA rounds per pin before a voluntary unpin is possible. */
  readonly dmas?: number;
  /** Pages a DMA may target. */
  readonly pages?: number;
  /** DMAs the lease-break timer allows while breaking ("revoke"). */
  readonly timer?: number;
}

// breaker
const B_IDLE = 0;
const B_BREAKING = 1;
const B_TRUNCATED = 3;
const SIG = 16;

/** The toy as a system (the named export behind `toyPinsFactory`). */
export function toyPinsSystem(params: ToyPinsParams): System<never> {
  const N = params.n;
  const mode = params.mode ?? "wait";
  const cancel = (params.handler ?? "cancel") === "cancel";
  const D = params.dmas ?? 3;
  const P = params.pages ?? 2;
  const T = params.timer ?? 2;
  // pinner pcs
  const IDLE = 0;
  const LEASED = 1;
  const PINNED = 2; // + d
  const INFLIGHT = PINNED + D; // + d*P + page
  const UNPINNED = INFLIGHT + D * P;
  const KILLED = UNPINNED + 1;
  // pinner ops
  const LEASE = 0;
  const PIN = 1;
  const ISSUE = 2; // + page
  const LAND = 2 + P;
  const UNPIN = 3 + P;
  const UNLEASE = 4 + P;
  const OPS = 5 + P;
  const BRK = N * OPS;
  const TRUNCATE = BRK;
  const COMPLETE = BRK + 1;
  const TIMEOUT = BRK + 2;
  const L = N + 2;
  // action → (pinner, op), precomputed: a division per step shows in the profile
  const whoOf = new Int32Array(BRK);
  const opOf = new Int32Array(BRK);
  for (let a = 0; a < BRK; a++) {
    whoOf[a] = Math.floor(a / OPS);
    opOf[a] = a % OPS;
  }
  const revoke = mode === "revoke";
  if (KILLED >= SIG) throw new RangeError("toy-pins: dmas × pages too large for the pc field");

  const holds = (pc: number) => pc >= LEASED && pc <= UNPINNED;
  const anyHolder = (s: Int32Array) => {
    for (let j = 2; j < L; j++) if (holds(s[j]! & 15)) return true;
    return false;
  };
  const issueAllowed = (s: Int32Array, sig: number) =>
    !(sig && cancel) && !(revoke && s[0] === B_BREAKING && s[1]! >= T);

  /** The successor of s by a, written into t. */
  function advance(s: Int32Array, a: number, t: Int32Array): void {
    for (let i = 0; i < L; i++) t[i] = s[i]!;
    if (a >= BRK) {
      if (a === TRUNCATE) {
        if (mode === "unsafe" || !anyHolder(s)) t[0] = B_TRUNCATED;
        else {
          t[0] = B_BREAKING;
          for (let j = 2; j < L; j++) if (holds(t[j]! & 15)) t[j]! |= SIG; // SIGIO to holders
        }
      } else if (a === COMPLETE) {
        t[0] = B_TRUNCATED;
        t[1] = 0;
      } else {
        for (let j = 2; j < L; j++) if (holds(t[j]! & 15)) t[j] = KILLED;
        t[0] = B_TRUNCATED;
        t[1] = 0;
      }
      return;
    }
    const j = 2 + whoOf[a]!;
    const op = opOf[a]!;
    const v = s[j]!;
    const pc = v & 15;
    const sig = v & SIG;
    if (op === LEASE) t[j] = LEASED;
    else if (op === PIN) t[j] = (s[0] === B_TRUNCATED ? UNPINNED : PINNED) | sig;
    else if (op < LAND) {
      t[j] = (INFLIGHT + (pc - PINNED) * P + (op - ISSUE)) | sig;
      if (revoke && s[0] === B_BREAKING) t[1] = s[1]! + 1;
    } else if (op === LAND) t[j] = (PINNED + (((((pc - INFLIGHT) / P) | 0) + 1) % D)) | sig;
    else if (op === UNPIN) t[j] = UNPINNED | sig;
    else t[j] = IDLE;
  }

  const sys: System<never> = {
    init: new Int32Array(L),
    properties: ["foreign-dma", "killed"],
    obligations: ["truncate-hang"],
    enabled(s) {
      const out: number[] = [];
      const b = s[0]!;
      for (let j = 0; j < N; j++) {
        const v = s[2 + j]!;
        const pc = v & 15;
        const sig = v & SIG;
        const base = j * OPS;
        if (pc === IDLE) {
          if (b === B_IDLE) out.push(base + LEASE);
        } else if (pc === LEASED) out.push(base + PIN);
        else if (pc < INFLIGHT) {
          if (issueAllowed(s, sig)) for (let p = 0; p < P; p++) out.push(base + ISSUE + p);
          if (sig || pc - PINNED === D - 1) out.push(base + UNPIN);
        } else if (pc < UNPINNED) out.push(base + LAND);
        else if (pc === UNPINNED) out.push(base + UNLEASE);
      }
      if (b === B_IDLE) out.push(TRUNCATE);
      else if (b === B_BREAKING) {
        if (!anyHolder(s)) out.push(COMPLETE);
        if (revoke) out.push(TIMEOUT);
      }
      return out;
    },
    step(s, a) {
      const t = new Int32Array(L);
      advance(s, a, t);
      return t;
    },
    stepInto(s, a, t) {
      advance(s, a, t);
    },
    judge(before, a, after) {
      if (a === TIMEOUT) {
        for (let j = 2; j < L; j++) if (after[j] === KILLED && before[j] !== KILLED) return 2n;
        return 0n;
      }
      if (a < BRK && opOf[a] === LAND && before[0] === B_TRUNCATED) return 1n;
      return 0n;
    },
    judgeEnd: () => 0n,
    pending: (s) => (s[0] === B_BREAKING ? 1 : 0),
    independent(a, b, s) {
      if (a >= BRK || b >= BRK) return false;
      if (whoOf[a] === whoOf[b]) return false;
      // DMAs issued while breaking share the lease-break timer
      if (revoke && s[0] === B_BREAKING) {
        const oa = opOf[a]!;
        const ob = opOf[b]!;
        if (oa >= ISSUE && oa < LAND && ob >= ISSUE && ob < LAND) return false;
      }
      return true;
    },
    canonical(s) {
      const t = s.slice();
      // insertion sort of the pinners: they are interchangeable
      for (let i = 3; i < L; i++) {
        const v = t[i]!;
        let k = i - 1;
        while (k >= 2 && t[k]! > v) {
          t[k + 1] = t[k]!;
          k--;
        }
        t[k + 1] = v;
      }
      return t;
    },
    describe(a) {
      if (a === TRUNCATE) return "breaker: truncate";
      if (a === COMPLETE) return "breaker: truncate returns";
      if (a === TIMEOUT) return "breaker: lease-break timer";
      const op = a % OPS;
      const who = `pinner ${(a / OPS) | 0}`;
      if (op === LEASE) return `${who}: F_SETLEASE`;
      if (op === PIN) return `${who}: pin`;
      if (op < LAND) return `${who}: issue DMA to page ${op - ISSUE}`;
      if (op === LAND) return `${who}: DMA lands`;
      if (op === UNPIN) return `${who}: unpin`;
      return `${who}: drop lease`;
    },
    factory: toyPinsFactory(params),
  };
  return sys;
}

/** How a worker thread builds the same toy. */
export function toyPinsFactory(params: ToyPinsParams): SystemFactory {
  return { module: import.meta.url, export: "toyPinsSystem", arg: params };
}
