/** The bundled library (scenarios/*.pin), read at build time: the playground's examples, by name. */
const files = import.meta.glob("../../../scenarios/*.pin", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

export const EXAMPLES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(files)
    .map(([path, text]) => [path.replace(/^.*\//, "").replace(/\.pin$/, ""), text] as const)
    .sort(([a], [b]) => (a === "core" ? -1 : b === "core" ? 1 : a.localeCompare(b))),
);
