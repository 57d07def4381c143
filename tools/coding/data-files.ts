/** Where the coding toolkit's reference data lives, whether running from `tools/` or `dist/tools/`. */
import { shippedFile } from "../shipped-files.js";

/** The folder holding `tools/coding/data`. */
export function codingDataDir(): string {
  return shippedFile("tools/coding/data");
}
