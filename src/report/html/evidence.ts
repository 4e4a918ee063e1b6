/**
 * Evidence a document may carry beside a verdict: why a liveness witness
 * fails (`reason`), and whether a proof is vacuous because the operations it
 * is about never ran (`vacuous`, and the cell's `coverage` of the scenario's
 * operations). Documents written before these fields existed have none, and
 * their shape may be a sentence or an object with one, so they are read here
 * tolerantly and rendered when present. (The inline script reads them alike.)
 */

type Loose = Record<string, unknown>;

/** A sentence from a field that is a string or an object holding one. */
export function textOf(x: unknown): string | null {
  if (typeof x === "string") return x;
  if (x && typeof x === "object") {
    for (const k of ["text", "line", "message", "summary", "why"]) {
      const v = (x as Loose)[k];
      if (typeof v === "string") return v;
    }
  }
  return null;
}

/** Why a witness fails, in a sentence (the liveness reason), when the document says. */
export function reasonOf(v: unknown): string | null {
  return textOf((v as Loose).reason);
}

/** A vacuity field in words, or null when it says "not vacuous". */
function vacuityWords(x: unknown): string | null {
  if (x === undefined || x === null || x === false) return null;
  if (typeof x === "object" && (x as Loose).vacuous === false) return null;
  return textOf(x) ?? "proved, but vacuously: what it is about never happened";
}

/**
 * Whether a Never is vacuous (what it is about never happened), and in what
 * words: the verdict's own `vacuous` (or `vacuity`, or `proof: "vacuous"`),
 * else its cell's, which then holds for each of the cell's Nevers.
 */
export function vacuityOf(v: unknown, cell: unknown = {}): string | null {
  const o = v as Loose;
  if (o?.verdict !== "Never") return null;
  const own = o.vacuous ?? o.vacuity ?? (o.proof === "vacuous" ? true : undefined);
  // `vacuous: false` on the verdict wins over its cell; `true` takes the cell's words.
  if (own === false) return null;
  const c = (cell ?? {}) as Loose;
  const fromCell = vacuityWords(c.vacuity ?? c.vacuous);
  if (own === true) return fromCell ?? vacuityWords(true);
  return vacuityWords(own) ?? fromCell;
}

/** The operations a check never reached (SPIN's "unreached in proctype"), when the document says. */
export function unreachedOf(cell: unknown): string | null {
  const c = cell as Loose;
  const cov = c.coverage ?? (Array.isArray(c.unreached) ? { unreached: c.unreached } : undefined);
  if (!cov) return null;
  if (typeof cov !== "object") return textOf(cov);
  const un = (cov as Loose).unreached;
  if (Array.isArray(un))
    return un.length ? `unreached: ${un.map((u) => textOf(u) ?? String(u)).join(", ")}` : null;
  return textOf(cov);
}
