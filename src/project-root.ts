/** Locates files shipped with the project, whether running from `src/` (tsx, vitest) or `dist/`. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The folder holding this project's package.json. */
export function projectRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (name === "infusion-rcm") return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("infusion-rcm: cannot find the project's package.json");
    dir = parent;
  }
}

/** Reads the project's version from package.json. */
export function projectVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { version: string };
  return manifest.version;
}
