/**
 * Text for a terminal. A scenario's title, a file name or a token can carry
 * control characters: ESC starts sequences that retitle the window, clear
 * the screen or rewrite what was printed, and CR or bidirectional overrides
 * make a line read differently from what it holds. Each such character is
 * shown as `?` (one column, as in diagnostics); newlines and tabs stay.
 */
export function terminalSafe(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!unsafe(text.charCodeAt(i))) continue;
    out += `${text.slice(from, i)}?`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** C0 controls but tab and newline, DEL, C1 controls, bidirectional embeddings and isolates. */
function unsafe(c: number): boolean {
  if (c < 0x20) return c !== 0x09 && c !== 0x0a;
  if (c >= 0x7f && c <= 0x9f) return true;
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}
