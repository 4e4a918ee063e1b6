/**
 * `npm run bench`: prints figures; never asserts on them (these machines are
 * shared and noisy). Each benchmark gets the clock from here.
 */
import { cpus } from "node:os";
import { runCheckBench } from "./check-bench.js";
import { runExploreBench } from "./explore-bench.js";
import { runInterruptBench } from "./interrupt-bench.js";
import { runModelBench } from "./model-bench.js";
import { runSimulateBench } from "./simulate-bench.js";
import { runSpinBench } from "./spin-bench.js";
import { runTableBench } from "./table-bench.js";

const print = (line: string) => process.stdout.write(`${line}\n`);
const clock = {
  now: () => performance.now(),
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

print(
  `pinlab benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
);
print("");
runModelBench(print, clock);
// Before the explorer's benchmarks, which leave a heap of a gigabyte and more behind them:
// the simulator allocates a little per seed, and collecting beside such a heap costs more.
print("");
runSimulateBench(print, clock);

print("");
await runTableBench(print, clock.now, {
  big: !process.argv.includes("--quick"),
  huge: process.argv.includes("--huge"),
});
print("");
await runExploreBench(print);
print("");
await runCheckBench(print);
print("");
await runInterruptBench(print, clock);

// The SPIN twin of a bundled scenario (compiles Promela with gcc: slow, so on request).
if (process.argv.includes("--spin")) {
  print("");
  await runSpinBench(print);
} else {
  print("");
  print(
    "(npm run bench:spin also times the SPIN twins of scenarios/core.pin and of repw-N-P: docs/spin.md)",
  );
}
