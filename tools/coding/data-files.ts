/** Where the coding toolkit's reference data lives, whether running from `tools/` or `dist/tools/`. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding `tools/coding/data`. */
export function codingDataDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "tools", "coding", "data");
    if (existsSync(candidate)) return candidate;
    const here = path.join(dir, "data");
    if (path.basename(dir) === "coding" && existsSync(here)) return here;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("infusion-rcm: cannot find tools/coding/data");
    dir = parent;
  }
}
