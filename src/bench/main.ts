/**
 * `npm run bench`: prints figures; never asserts on them (these machines are
 * shared and noisy). Each benchmark gets the clock from here.
 */
import { cpus } from "node:os";
import { runModelBench } from "./model-bench.js";

const print = (line: string) => process.stdout.write(`${line}\n`);
const clock = { now: () => performance.now() };

print(
  `pinlab benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
);
print("");
runModelBench(print, clock);

// The explorer's benchmark lives beside it when built.
try {
  const specifier = "./explore-bench.js";
  const mod = (await import(specifier)) as {
    runExploreBench?: (p: typeof print) => unknown;
  };
  if (mod.runExploreBench) {
    print("");
    await mod.runExploreBench(print);
  }
} catch (e) {
  if ((e as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw e;
}
