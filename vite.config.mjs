// The playground's build (npm run build runs it after tsc): src/web/app/ into
// dist/playground/, a static folder any web host can serve. It reads the
// report's drill-down and stylesheet from tsc's output (dist/report/html/),
// so that the page draws witnesses with the report's own code.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { DRILL } from "./dist/report/html/client.js";
import { STYLE } from "./dist/report/html/style.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here("./package.json"), "utf8"));

/** `virtual:pinlab-drill` (the report's drill-down as a module) and `virtual:pinlab-report.css`. */
function reportParts() {
  const ids = {
    "virtual:pinlab-drill": `${DRILL}\nexport { pinlabDrill };\n`,
    "virtual:pinlab-report.css": STYLE,
  };
  return {
    name: "pinlab-report-parts",
    resolveId: (id) => (id in ids ? `\0${id}` : null),
    load: (id) => (id.startsWith("\0") && id.slice(1) in ids ? ids[id.slice(1)] : null),
  };
}

export default defineConfig({
  root: here("./src/web/app"),
  base: "./",
  publicDir: false,
  logLevel: "warn",
  plugins: [reportParts()],
  define: { __PINLAB_VERSION__: JSON.stringify(pkg.version) },
  resolve: {
    // The explorer's memory probes read /proc (node:fs) and the machine's
    // memory (node:os); in a browser there is neither (app/node-host.ts).
    alias: [{ find: /^node:(fs|os)$/, replacement: here("./src/web/app/node-host.ts") }],
  },
  worker: { format: "es" },
  build: {
    outDir: here("./dist/playground"),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4000,
    // the engine is one large module graph; its build time is not news
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
