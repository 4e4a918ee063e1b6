/**
 * A scenario far too large to finish (about 9^8 interleavings, no symmetry):
 * eight processes opening their own files. For what must stop a running
 * check: Ctrl-C, bounds.
 */
export function hugeScenario(): string {
  const lines = ['scenario "huge"', "fs pagecache blocks=16", "user alice"];
  for (let i = 0; i < 8; i++) lines.push(`file d${i} owner=alice mode=0644 pages=1`);
  for (let i = 0; i < 8; i++) {
    const ops = Array.from({ length: 7 + (i % 2) }, (_, j) => `f${j} = open d${i} r`);
    lines.push(`proc p${i} user=alice { ${ops.join("; ")} }`);
  }
  return `${lines.join("\n")}\n`;
}
