/**
 * Placeholders for multi-row INSERTs. Building `($1, $2, …)` cell by cell for every statement cost
 * more than the rest of appending the audit trail; the text for n rows is a prefix of the text for
 * more rows, so one string per row width is built (grown as needed) and sliced.
 */

interface Built {
  text: string;
  /** Where each row's tuple ends in `text`. */
  ends: number[];
}

const byWidth = new Map<number, Built>();

/** `($1, …, $c), ($c+1, …, $2c), …` for `rows` rows of `columns` parameters each. */
export function valuesList(rows: number, columns: number): string {
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`valuesList: ${rows} rows of ${columns} columns`);
  }
  let built = byWidth.get(columns);
  if (built === undefined || built.ends.length < rows) {
    const text = [built?.text ?? ""];
    const ends = built?.ends.slice() ?? [];
    let length = built?.text.length ?? 0;
    // Grow to at least double, so a table's row counts build it a few times at most.
    const target = Math.max(rows, ends.length * 2, 16);
    for (let r = ends.length; r < target; r += 1) {
      const cells: string[] = [];
      for (let c = 1; c <= columns; c += 1) cells.push(`$${r * columns + c}`);
      const tuple = `${r === 0 ? "" : ", "}(${cells.join(", ")})`;
      text.push(tuple);
      length += tuple.length;
      ends.push(length);
    }
    built = { text: text.join(""), ends };
    byWidth.set(columns, built);
  }
  return built.text.slice(0, built.ends[rows - 1]);
}
