/** Command-line durations (`--horizon 24h`): seconds, or a number with a unit. */

const UNITS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/** A duration such as `90`, `1.5h` or `500ms`, in seconds; or a message naming the option. */
export function durationArg(text: string, name: string): number | string {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h|d)?$/.exec(text);
  const v = m ? Number(m[1]) * UNITS[m[2] ?? "s"]! : Number.NaN;
  if (!(v > 0) || !Number.isFinite(v))
    return `--${name} expects a positive duration such as 3600, 90s, 30m or 24h (got '${text}')`;
  return v;
}
