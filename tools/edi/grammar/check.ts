/**
 * One pass over a transaction's segments against its set's grammar: segment ids the set defines,
 * loops opened by their leading segments (a stack of open loops; a segment belongs to the
 * innermost one), required segments and child loops checked when a loop closes, required
 * elements and components, and one REF per qualifier in a loop. An array lookup by segment-id
 * code and small Set lookups: O(1) per segment, plus the elements a rule names.
 */
import type { Transaction } from "../envelope.js";
import { issueAt, type X12Issue, type X12IssueCode } from "../issues.js";
import { el, type Segment } from "../tokenizer.js";
import { foreignSeparator, shown } from "../values.js";
import { idCode, type CompiledLoop, type CompiledSet, type ElementRule } from "./spec.js";

/** An open loop instance. */
interface Open {
  loop: CompiledLoop;
  /** Its leading segment (ST for the header level): where its missing parts are reported. */
  first: Segment;
  /** Bit i: loop.requiredSegments[i] was seen. */
  seenSegments: number;
  /** Bit i: loop.requiredChildren[i] was opened. */
  seenChildren: number;
  /** REF qualifiers seen: one, then a set. */
  refs: string | Set<string> | null;
}

const pad = (n: number) => String(n).padStart(2, "0");

type Push = (code: X12IssueCode, message: string, s: Segment, extra?: { elementPosition?: number; componentPosition?: number }, severity?: "error" | "warning") => void;

/**
 * The grammar check of one transaction, fed one segment at a time (ST first) as the transaction is
 * walked: `readTransaction` hands it each segment its reader walked, right after the reader, so
 * the segment is found and split once for both (see `grammar/index.ts`). What the walk did not
 * reach is read by `finish`, which closes the open loops and pushes the issues found.
 */
export class GrammarCheck {
  /** The open loops, the header level first (empty before the ST). */
  private readonly stack: Open[] = [];
  /** Issues found so far, pushed to the transaction's issues by `finish`. */
  private readonly found: X12Issue[] = [];
  /** Segments checked so far. */
  private checked = 0;
  /** Whether `step` has been given every segment (see `walked`). */
  private complete = false;
  private readonly push: Push;

  constructor(
    private readonly tx: Transaction,
    private readonly set: CompiledSet,
  ) {
    const control = tx.controlNumber;
    const found = this.found;
    this.push = (code, message, s, extra = {}, severity = "error") => {
      found.push(issueAt(code, message, { index: s.index, id: s.id, offset: s.offset }, { ...extra, severity, transactionControlNumber: control }));
    };
  }

  /**
   * Checks the rest of the transaction (from the segment after the last one `step` was given),
   * closes every loop, and pushes the issues to `issues`. `readerIssuesFrom` is where the
   * reader's issues for this transaction begin in `issues`: an element the reader already
   * reported missing is not reported twice.
   */
  finish(issues: X12Issue[], readerIssuesFrom: number): void {
    if (!this.complete) {
      // Walked with the transaction's cursor: a large 835 is not held in memory for the check.
      const cursor = this.tx.scan();
      let s = cursor.next();
      for (let skip = this.checked; skip > 0 && s !== null; skip -= 1) s = cursor.next();
      for (; s !== null; s = cursor.next()) this.step(s);
    }
    this.popTo(0);
    if (this.found.length === 0) return;
    const reported = new Set<string>();
    for (let i = readerIssuesFrom; i < issues.length; i += 1) {
      const r = issues[i] as X12Issue;
      if (r.code === "ELEMENT_MISSING") reported.add(`${r.segmentIndex}:${r.elementPosition}`);
    }
    for (const f of this.found) {
      if (f.code !== "ELEMENT_MISSING" || !reported.has(`${f.segmentIndex}:${f.elementPosition}`)) issues.push(f);
    }
  }

  /** Says that `step` has been given the transaction's last segment: `finish` reads nothing more. */
  walked(): void {
    this.complete = true;
  }

  /** Checks the transaction's next segment. */
  step(s: Segment): void {
    this.checked += 1;
    const stack = this.stack;
    const set = this.set;
    if (stack.length === 0) {
      stack.push({ loop: set.root, first: s, seenSegments: 0, seenChildren: 0, refs: null });
      return;
    }
    const id = s.id;
    // The SE trailer is the envelope's to check.
    if (id === "SE") return;
    const push = this.push;
    const code = idCode(id);
    const info = code === -1 ? undefined : set.segments[code];
    if (info === undefined) {
      if (code !== -1) push("SEGMENT_NOT_IN_SET", `${id} is not a segment of the ${set.name} transaction set (${set.guide})`, s);
      else push("SEGMENT_ID_UNRECOGNIZED", `"${id.slice(0, 20)}" is not a segment id`, s);
      return;
    }
    let target: Open | null = null;
    let closeAt = -1;
    if (info.summary) {
      this.popTo(1);
      target = stack[0] as Open;
    } else if (info.closer) {
      // LE closes its LS loop; a tail segment (999 IK5) belongs to the loop whose child loops it follows.
      for (let k = stack.length - 1; k > 0; k -= 1) {
        const loop = (stack[k] as Open).loop;
        if (loop.end === id || loop.tail?.has(id) === true) {
          this.popTo(k + 1);
          target = stack[k] as Open;
          if (loop.end === id) closeAt = k;
          break;
        }
      }
    }
    if (target === null) {
      const candidates = info.leaders;
      if (candidates !== null) opened: {
        for (let k = stack.length - 1; k >= 0; k -= 1) {
          const parentId = (stack[k] as Open).loop.id;
          for (const c of candidates) {
            if (c.parents.has(parentId) && matches(c, s)) {
              this.popTo(k + 1);
              target = this.openLoop(c, s);
              break opened;
            }
          }
        }
        const orphan = candidates.find((c) => c.orphan === "open" && matches(c, s));
        if (orphan !== undefined) {
          push("LOOP_MISSING", `${id} opens ${orphan.id} (${orphan.name}), which belongs in ${[...orphan.parents].join(" or ")}; none is open`, s);
          this.popTo(1);
          target = this.openLoop(orphan, s);
        }
      }
      if (target === null && id === "NM1" && set.nameLoops) {
        // NM1 always leads a loop in this set: an NM1 no loop names still scopes what follows it.
        let k = stack.length - 1;
        while (k > 0 && (stack[k] as Open).loop.isName) k -= 1;
        this.popTo(k + 1);
        target = this.openLoop(set.anonymousName, s);
      }
    }
    target ??= stack[stack.length - 1] as Open;
    const loop = target.loop;
    if (target.first !== s) {
      const req = loop.requiredSegments;
      for (let b = 0; b < req.length; b += 1) {
        const r = req[b];
        if (r !== undefined && r.id === id && (r.values === null || r.values.has(el(s, 1)))) target.seenSegments |= 1 << b;
      }
    }
    if (id === "REF") checkRef(target, s, push);
    const rules = loop.rules?.get(id) ?? info.rules;
    if (rules !== null) checkElements(s, rules, loop, set, push);
    if (closeAt !== -1) this.popTo(closeAt);
  }

  /** Opens `loop` at its leading segment `s` inside the innermost open loop; gives the new loop. */
  private openLoop(loop: CompiledLoop, s: Segment): Open {
    const stack = this.stack;
    const parent = stack[stack.length - 1] as Open;
    const bit = parent.loop.requiredChildren.indexOf(loop);
    if (bit !== -1) parent.seenChildren |= 1 << bit;
    const open: Open = { loop, first: s, seenSegments: 0, seenChildren: 0, refs: null };
    stack.push(open);
    return open;
  }

  /** Closes loops until `depth` are open. */
  private popTo(depth: number): void {
    while (this.stack.length > depth) this.close(this.stack.pop() as Open);
  }

  /** A loop closes: its missing required segments and child loops are reported at its leading segment. */
  private close(open: Open): void {
    const loop = open.loop;
    const segmentsDone = open.seenSegments === (1 << loop.requiredSegments.length) - 1;
    if (segmentsDone && open.seenChildren === (1 << loop.requiredChildren.length) - 1) return;
    const set = this.set;
    const where = loop.id === "root" ? `the ${set.name} header` : `${loop.id} (${loop.name})`;
    for (let b = 0; b < loop.requiredSegments.length; b += 1) {
      if ((open.seenSegments & (1 << b)) === 0) this.push("SEGMENT_MISSING", `${where} has no ${loop.requiredSegments[b]?.label} segment, which ${set.guide} requires`, open.first);
    }
    for (let b = 0; b < loop.requiredChildren.length; b += 1) {
      const child = loop.requiredChildren[b] as CompiledLoop;
      if ((open.seenChildren & (1 << b)) === 0) this.push("LOOP_MISSING", `${where} has no ${child.id} (${child.name}) loop, which ${set.guide} requires`, open.first);
    }
  }
}

const matches = (loop: CompiledLoop, s: Segment) => loop.whenValues === null || loop.whenValues.has(el(s, loop.whenElement));

function checkRef(target: Open, s: Segment, push: Push): void {
  const q = el(s, 1);
  if (q === "" || target.loop.refRepeats?.has(q) === true) return;
  const refs = target.refs;
  const seen = refs === null ? false : typeof refs === "string" ? refs === q : refs.has(q);
  if (seen) {
    const where = target.loop.id === "root" ? "the header" : `loop ${target.loop.id} (${target.loop.name})`;
    push("SEGMENT_REPEATED", `A second REF*${q} in ${where}: the implementation guide allows one`, s, { elementPosition: 1 });
    return;
  }
  if (refs === null) target.refs = q;
  else if (typeof refs === "string") target.refs = new Set([refs, q]);
  else refs.add(q);
}

const where = (loop: CompiledLoop, set: CompiledSet) => (loop.id === "root" ? set.guide : `${set.guide} ${loop.id}`);

function checkElements(s: Segment, rules: readonly ElementRule[], loop: CompiledLoop, set: CompiledSet, push: Push): void {
  for (const r of rules) {
    // Presence and length are read from where the element is, without making a string of it.
    const length = s.elementLength(r.element);
    if (length === 0) {
      if (r.required) push("ELEMENT_MISSING", `${s.id}${pad(r.element)} is required (${where(loop, set)})`, s, { elementPosition: r.element });
      continue;
    }
    if (r.exactLength !== null && length !== r.exactLength) {
      push("ELEMENT_INVALID", `${s.id}${pad(r.element)} is ${length} characters; ${where(loop, set)} requires exactly ${r.exactLength}`, s, { elementPosition: r.element });
    }
    if (r.components !== null) {
      const v = el(s, r.element);
      const sep = s.delimiters.component;
      if (r.components.length > 1 && v.indexOf(sep) === -1) {
        // A qualifier-and-code composite with no ISA16 in it: the sender may use another
        // separator. Warned once here for every reader; the parts are not guessed.
        const other = foreignSeparator(v);
        push("COMPOSITE_INVALID", `${s.id}${pad(r.element)} ${shown(v)} has no component separator (ISA16 "${s.delimiters.component}")${other === null ? "" : `; it holds "${other}", which may be the sender's`}`, s, { elementPosition: r.element }, "warning");
      }
      for (const c of r.components) {
        if (componentEmpty(v, sep, c)) {
          push("COMPONENT_MISSING", `${s.id}${pad(r.element)}-${c} is required when ${s.id}${pad(r.element)} is present (${where(loop, set)})`, s, { elementPosition: r.element, componentPosition: c });
        }
      }
    }
  }
}

/** Whether component `c` (1-based) of a composite value is empty, found with indexOf (no split, no allocation). */
function componentEmpty(value: string, sep: string, c: number): boolean {
  let from = 0;
  for (let k = 1; k < c; k += 1) {
    const at = value.indexOf(sep, from);
    if (at === -1) return true;
    from = at + 1;
  }
  return from >= value.length || value.startsWith(sep, from);
}
