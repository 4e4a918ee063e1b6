/**
 * Word wrapping for text meant to be read in a terminal or pasted into a
 * mail: lines break at spaces, continuation lines are indented, and a word
 * longer than the line (a replay token, a path) is kept whole rather than cut.
 */

/** Wraps `text` to `width` columns; the first line starts with `first`, the others with `rest`. */
export function wrap(text: string, width: number, first = "", rest = first): string[] {
  // words and the runs of spaces between them, so that a line keeps its own spacing
  const parts = text.trim().split(/( +)/);
  const out: string[] = [];
  let line = first + (parts[0] ?? "");
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const gap = parts[i]!;
    const w = parts[i + 1]!;
    if (line.length + gap.length + w.length > width && line.trim() !== "") {
      out.push(line);
      line = rest + w;
    } else line += gap + w;
  }
  out.push(line);
  return out;
}

/**
 * Re-wraps every line of a rendered text wider than `width`: the
 * continuation keeps the line's indentation plus `extra` spaces.
 */
export function wrapLines(text: string, width: number, extra = 4): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const indent = /^ */.exec(line)![0];
    // a trace step ("  5  admin   truncate ...") continues under its operation
    const step = /^ *\d+ +\S+ +/.exec(line)?.[0];
    const rest =
      step && step.length < width / 2 ? " ".repeat(step.length + 2) : indent + " ".repeat(extra);
    out.push(...wrap(line.slice(indent.length), width, indent, rest));
  }
  return out.join("\n");
}
