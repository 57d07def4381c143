/**
 * Prompts are files: `prompts/<agent>/<id>.md`, with a front-matter header (id, version,
 * description) and `{{placeholder}}` names. Rendering refuses a placeholder left unfilled or a
 * value for a placeholder the template does not have; the version hash (SHA-256 of the file)
 * goes into the audit log with every model call.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BadInputError } from "../../tools/errors.js";
import { projectRoot } from "../project-root.js";

/** A loaded template. */
export interface PromptTemplate {
  id: string;
  version: string;
  description: string;
  hash: string;
  body: string;
  placeholders: string[];
}

/** A rendered prompt, ready for a model. */
export interface RenderedPrompt {
  id: string;
  version: string;
  hash: string;
  system: string;
  user: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;

/** Parses a template file's text. */
export function parsePromptTemplate(text: string, source: string): PromptTemplate {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, "\n"));
  if (m === null) throw new BadInputError(`${source}: a prompt file starts with a --- front-matter block`, { code: "INVALID_DATA_FILE" });
  const header = Object.fromEntries((m[1] ?? "").split("\n").map((l) => l.split(/:\s*/, 2)).filter((p) => p.length === 2).map(([k, v]) => [k?.trim(), v?.trim()]));
  if (header.id === undefined || header.version === undefined) throw new BadInputError(`${source}: front matter needs id and version`, { code: "INVALID_DATA_FILE" });
  const body = m[2] ?? "";
  return {
    id: header.id, version: header.version, description: header.description ?? "", body,
    hash: createHash("sha256").update(text).digest("hex"),
    placeholders: [...new Set([...body.matchAll(PLACEHOLDER)].map((x) => x[1] as string))],
  };
}

/** Loads `prompts/<agent>/<name>.md` (or a file path). */
export function loadPrompt(agent: string, name: string, dir = path.join(projectRoot(), "prompts")): PromptTemplate {
  const file = path.join(dir, agent, `${name}.md`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BadInputError(`Prompt ${agent}/${name} cannot be read: ${(error as Error).message}`, { code: "INVALID_DATA_FILE" });
  }
  return parsePromptTemplate(text, file);
}

/**
 * Fills a template. The body's "## system" section (if any) becomes the system message and the
 * rest the user message.
 */
export function renderPrompt(t: PromptTemplate, values: Record<string, string | number>): RenderedPrompt {
  const unknown = Object.keys(values).filter((k) => !t.placeholders.includes(k));
  if (unknown.length > 0) throw new BadInputError(`Prompt ${t.id}: no placeholder named ${unknown.join(", ")}`);
  const missing = t.placeholders.filter((p) => values[p] === undefined || values[p] === "");
  if (missing.length > 0) throw new BadInputError(`Prompt ${t.id}: placeholder ${missing.join(", ")} is not filled`);
  const filled = t.body.replace(PLACEHOLDER, (_m, name: string) => String(values[name]));
  const [, system = "", user = filled] = /^\s*## system\n([\s\S]*?)\n## user\n([\s\S]*)$/.exec(filled) ?? [];
  return { id: t.id, version: t.version, hash: t.hash, system: system.trim(), user: user.trim() };
}
