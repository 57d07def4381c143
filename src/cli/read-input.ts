/** Reading a command's input: a file, or standard input for "-" (X12 is read as latin1, byte for character). */
import { readFile } from "node:fs/promises";
import type { CliIo } from "./command.js";

/** The text of `source` ("-" = standard input). */
export async function readInput(source: string, io: CliIo): Promise<string> {
  if (source !== "-") return readFile(source, "latin1");
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : (chunk as Buffer));
  return Buffer.concat(chunks).toString("latin1");
}
