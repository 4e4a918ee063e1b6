/**
 * Escaping: the only way text from a document reaches the HTML.
 *
 * Every string in a comparison document may come from a user's scenario file,
 * so the renderers never interpolate one without going through here.
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and for quoted attribute values alike. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Escapes a name and lets it wrap after its hyphens, so that long property
 * names fit twelve columns in a 1280-pixel window without a tiny font.
 */
export function wrapName(name: string): string {
  return esc(name).replace(/-/g, "-<wbr>");
}

/**
 * JSON that is safe as the raw text of a `<script>` element: `<`, `>` and `&`
 * become `\u003c`-style escapes (so a scenario titled `</script>` cannot end
 * the element, nor `<!--` start a comment), and the two JavaScript line
 * separators are escaped too. `JSON.parse` restores every character.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
