/**
 * Finds a data file shipped in the repository (e.g. `tools/sandbox/data/regimens.json`) whether
 * the code runs from its sources (`tools/…`, under tsx or vitest) or compiled (`dist/tools/…`,
 * where the compiler copies no data files): walk up from here until `relative` exists.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The absolute path of a shipped file or folder, given relative to the project root. */
export function shippedFile(relative: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`infusion-rcm: cannot find the shipped file ${relative}`);
    dir = parent;
  }
}
