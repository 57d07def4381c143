/**
 * One pass over a transaction's segments against its set's grammar: segment ids the set defines,
 * loops opened by their leading segments (a stack of open loops; a segment belongs to the
 * innermost one), required segments and child loops checked when a loop closes, required
 * elements and components, and one REF per qualifier in a loop. Set and Map lookups only: O(1)
 * per segment, plus the elements a rule names.
 */
import type { Transaction } from "../envelope.js";
import { issueAt, type X12Issue, type X12IssueCode } from "../issues.js";
import { el, type Segment } from "../tokenizer.js";
import type { CompiledLoop, CompiledSet, ElementRule } from "./spec.js";

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

/** Whether an id has the form of an X12 segment id: 2–3 capital letters or digits, a letter first. */
function wellFormedId(id: string): boolean {
  if (id.length < 2 || id.length > 3) return false;
  for (let i = 0; i < id.length; i += 1) {
    const c = id.charCodeAt(i);
    const letter = c >= 65 && c <= 90;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/**
 * Checks `tx` against `set`, pushing issues. `readerIssuesFrom` is where the reader's issues for
 * this transaction begin in `issues`: an element the reader already reported missing is not
 * reported twice.
 */
export function checkGrammar(tx: Transaction, set: CompiledSet, issues: X12Issue[], readerIssuesFrom: number): void {
  const control = tx.controlNumber;
  const reported = new Set<string>();
  for (let i = readerIssuesFrom; i < issues.length; i += 1) {
    const r = issues[i] as X12Issue;
    if (r.code === "ELEMENT_MISSING") reported.add(`${r.segmentIndex}:${r.elementPosition}`);
  }
  const push = (code: X12IssueCode, message: string, s: Segment, extra: { elementPosition?: number; componentPosition?: number } = {}) => {
    issues.push(issueAt(code, message, { index: s.index, id: s.id, offset: s.offset }, { ...extra, transactionControlNumber: control }));
  };
  const segments = tx.segments;
  const first = segments[0];
  if (first === undefined) return;
  const stack: Open[] = [{ loop: set.root, first, seenSegments: 0, seenChildren: 0, refs: null }];

  const close = (open: Open) => {
    const loop = open.loop;
    const where = loop.id === "root" ? `the ${set.name} header` : `${loop.id} (${loop.name})`;
    for (let b = 0; b < loop.requiredSegments.length; b += 1) {
      if ((open.seenSegments & (1 << b)) === 0) push("SEGMENT_MISSING", `${where} has no ${loop.requiredSegments[b]?.label} segment, which ${set.guide} requires`, open.first);
    }
    for (let b = 0; b < loop.requiredChildren.length; b += 1) {
      const child = loop.requiredChildren[b] as CompiledLoop;
      if ((open.seenChildren & (1 << b)) === 0) push("LOOP_MISSING", `${where} has no ${child.id} (${child.name}) loop, which ${set.guide} requires`, open.first);
    }
  };
  const popTo = (depth: number) => {
    while (stack.length > depth) close(stack.pop() as Open);
  };
  const openLoop = (loop: CompiledLoop, s: Segment) => {
    const parent = stack[stack.length - 1] as Open;
    const bit = parent.loop.requiredChildren.indexOf(loop);
    if (bit !== -1) parent.seenChildren |= 1 << bit;
    stack.push({ loop, first: s, seenSegments: 0, seenChildren: 0, refs: null });
  };
  const matches = (loop: CompiledLoop, s: Segment) => loop.whenValues === null || loop.whenValues.has(el(s, loop.whenElement));

  const last = segments.length - (segments[segments.length - 1]?.id === "SE" ? 1 : 0);
  for (let i = 1; i < last; i += 1) {
    const s = segments[i] as Segment;
    const id = s.id;
    if (!set.allowed.has(id)) {
      if (wellFormedId(id)) push("SEGMENT_NOT_IN_SET", `${id} is not a segment of the ${set.name} transaction set (${set.guide})`, s);
      else push("SEGMENT_ID_UNRECOGNIZED", `"${id.slice(0, 20)}" is not a segment id`, s);
      continue;
    }
    let target: Open | null = null;
    let closeAt = -1;
    if (set.summary.has(id)) {
      popTo(1);
      target = stack[0] as Open;
    } else if (set.ends.has(id) || set.tails.has(id)) {
      // LE closes its LS loop; a tail segment (999 IK5) belongs to the loop whose child loops it follows.
      for (let k = stack.length - 1; k > 0; k -= 1) {
        const loop = (stack[k] as Open).loop;
        if (loop.end === id || loop.tail?.has(id) === true) {
          popTo(k + 1);
          target = stack[k] as Open;
          if (loop.end === id) closeAt = k;
          break;
        }
      }
    }
    if (target === null) {
      const candidates = set.leaders.get(id);
      if (candidates !== undefined) opened: {
        for (let k = stack.length - 1; k >= 0; k -= 1) {
          const parentId = (stack[k] as Open).loop.id;
          for (const c of candidates) {
            if (c.parents.has(parentId) && matches(c, s)) {
              popTo(k + 1);
              openLoop(c, s);
              target = stack[stack.length - 1] as Open;
              break opened;
            }
          }
        }
        const orphan = candidates.find((c) => c.orphan === "open" && matches(c, s));
        if (orphan !== undefined) {
          push("LOOP_MISSING", `${id} opens ${orphan.id} (${orphan.name}), which belongs in ${[...orphan.parents].join(" or ")}; none is open`, s);
          popTo(1);
          openLoop(orphan, s);
          target = stack[stack.length - 1] as Open;
        }
      }
      if (target === null && id === "NM1" && set.nameLoops) {
        // NM1 always leads a loop in this set: an NM1 no loop names still scopes what follows it.
        let k = stack.length - 1;
        while (k > 0 && (stack[k] as Open).loop.isName) k -= 1;
        popTo(k + 1);
        openLoop(set.anonymousName, s);
        target = stack[stack.length - 1] as Open;
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
    const rules = loop.elements.get(id);
    if (rules !== undefined) checkElements(s, rules, loop, set, reported, push);
    if (closeAt !== -1) popTo(closeAt);
  }
  popTo(0);
}

function checkRef(target: Open, s: Segment, push: (code: X12IssueCode, message: string, s: Segment, extra?: { elementPosition?: number }) => void): void {
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

function checkElements(
  s: Segment, rules: readonly ElementRule[], loop: CompiledLoop, set: CompiledSet, reported: ReadonlySet<string>,
  push: (code: X12IssueCode, message: string, s: Segment, extra?: { elementPosition?: number; componentPosition?: number }) => void,
): void {
  const where = loop.id === "root" ? set.guide : `${set.guide} ${loop.id}`;
  for (const r of rules) {
    const v = el(s, r.element);
    if (v === "") {
      if (r.required && !reported.has(`${s.index}:${r.element}`)) push("ELEMENT_MISSING", `${s.id}${pad(r.element)} is required (${where})`, s, { elementPosition: r.element });
      continue;
    }
    if (r.exactLength !== null && v.length !== r.exactLength) {
      push("ELEMENT_INVALID", `${s.id}${pad(r.element)} is ${v.length} characters; ${where} requires exactly ${r.exactLength}`, s, { elementPosition: r.element });
    }
    if (r.components !== null) {
      const parts = v.split(s.delimiters.component);
      for (const c of r.components) {
        if ((parts[c - 1] ?? "") === "") {
          push("COMPONENT_MISSING", `${s.id}${pad(r.element)}-${c} is required when ${s.id}${pad(r.element)} is present (${where})`, s, { elementPosition: r.element, componentPosition: c });
        }
      }
    }
  }
}
