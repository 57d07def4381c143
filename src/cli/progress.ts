/** A small progress bar for long CLI commands (on standard error, so JSON output stays clean). */
import cliProgress from "cli-progress";
import type { Writable } from "node:stream";

/** Starts a bar; returns the update and stop functions. */
export function progressBar(label: string, stream: Writable): { update: (done: number, total: number) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, stream: stream as NodeJS.WritableStream, noTTYOutput: true, notTTYSchedule: 1000 }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
