/**
 * A parser for `bytea[]` in PostgreSQL's text format (hex output, the default since 9.0), nested
 * arrays included. pg-types parses such arrays one character at a time, which for the
 * checkpointer's pending writes (`array_agg(array[… blob])`, megabytes of hex per read) was a
 * fifth of a sweep's time; here each element is one `indexOf` and one `Buffer.from(hex)`.
 * Anything that is not hex-format bytea goes to pg-types' own parser, so results are the same.
 */
import pg from "pg";

/** OID of `bytea[]` (pg's type list names only scalar types). */
export const BYTEA_ARRAY_OID = 1001 as Parameters<typeof pg.types.getTypeParser>[0];

type Nested = (Buffer | null | Nested)[];

class NotHex extends Error {}

/** Parses the text form of a `bytea[]` value (null for SQL NULL, as pg-types does). */
export function parseByteaArray(text: string | null): Nested | null {
  if (text === null || text === "") return null;
  try {
    return parseHexArray(text);
  } catch (error) {
    if (!(error instanceof NotHex)) throw error;
    return fallback(text) as Nested;
  }
}

const fallback = pg.types.getTypeParser(BYTEA_ARRAY_OID, "text") as (text: string) => unknown;

function parseHexArray(text: string): Nested {
  let i = 0;
  const element = (body: string): Buffer => {
    // Inside quotes the element's backslash is escaped: "\\x0a1b".
    if (!body.startsWith("\\\\x") || body.indexOf("\\", 2) !== -1) throw new NotHex();
    const hex = body.slice(3);
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new NotHex();
    return Buffer.from(hex, "hex");
  };
  const array = (): Nested => {
    if (text[i] !== "{") throw new NotHex();
    i += 1;
    const out: Nested = [];
    if (text[i] === "}") {
      i += 1;
      return out;
    }
    for (;;) {
      const c = text[i];
      if (c === "{") {
        out.push(array());
      } else if (c === '"') {
        const end = text.indexOf('"', i + 1);
        if (end === -1) throw new NotHex();
        out.push(element(text.slice(i + 1, end)));
        i = end + 1;
      } else {
        let end = i;
        while (end < text.length && text[end] !== "," && text[end] !== "}") end += 1;
        if (text.slice(i, end) !== "NULL") throw new NotHex();
        out.push(null);
        i = end;
      }
      if (text[i] === ",") {
        i += 1;
      } else if (text[i] === "}") {
        i += 1;
        return out;
      } else {
        throw new NotHex();
      }
    }
  };
  const result = array();
  if (i !== text.length) throw new NotHex();
  return result;
}

let installed = false;

/** Makes every `pg` client in this process parse `bytea[]` with `parseByteaArray`. */
export function installByteaArrayParser(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(BYTEA_ARRAY_OID, "text", parseByteaArray);
}
