/**
 * The shape of a transaction-set grammar, as data: the segment ids a set defines, its loops (each
 * opened by a leading segment, qualified by one element, inside a parent loop) with the segments
 * and child loops the implementation guide requires, and the required elements of each segment.
 * `compileSet` turns a spec into lookup tables so the check is O(1) per segment.
 */

/**
 * An element rule, written compactly:
 * - "2" element 02 is required;
 * - "?3" element 03 is situational (checked only when present);
 * - "5:1,2,3" element 05 is required and, being a composite, components 1–3 are required;
 * - "?2-12:1,2" elements 02–12 are situational composites whose components 1 and 2 are required;
 * - "3=10" element 03 is required and exactly ten characters (AN 10/10).
 */
export type ElementRuleText = string;

/** One loop of an implementation guide. */
export interface LoopSpec {
  /** The guide's loop id ("2010AA"). */
  id: string;
  name: string;
  /** The segment that opens the loop. */
  start: string;
  /** The leading segment's qualifier that tells this loop from others it starts: [element, values]. */
  when?: readonly [number, readonly string[]];
  /** Enclosing loop ids; "root" is the transaction set's header level. */
  parents: readonly string[];
  /** The loop must occur (at least once) in each of its parents. */
  required?: boolean;
  /** Segments the loop must hold besides its leading one: "N3", or "REF*EI|SY" (id and element-01 values). */
  segments?: readonly string[];
  /** REF qualifiers the guide lets repeat in this loop (every other qualifier appears at most once). */
  refRepeats?: readonly string[];
  /** The segment that closes the loop (LS … LE). */
  end?: string;
  /** Segments that follow the loop's child loops and belong to it (999 IK5 after the IK3 loops). */
  tail?: readonly string[];
  /**
   * What to do when no parent is open: "open" reports the missing parent loop and opens this one
   * at the header level; "plain" reads the segment as an ordinary segment of the current loop
   * (SBR opens 2320 only inside a claim; elsewhere it is the subscriber's SBR).
   */
  orphan?: "open" | "plain";
  /** Element rules for segments in this loop, added to the set's. */
  elements?: Readonly<Record<string, readonly ElementRuleText[]>>;
}

/** A transaction set's grammar. */
export interface SetSpec {
  /** What the issues call it ("837P"). */
  name: string;
  /** The implementation guide, cited in messages ("005010X222A1"). */
  guide: string;
  /** Every segment id the guide defines for the set (ST and SE included). */
  segments: readonly string[];
  /** Segments the header level must hold (BHT; BPR and TRN for the 835). */
  header: readonly string[];
  /** Segments that close every open loop and belong to the header level (PLB, AK9). */
  summary?: readonly string[];
  /** An NM1 that matches no loop still opens an (unnamed) name loop: NM1 always leads its loop in this set. */
  nameLoops?: boolean;
  loops: readonly LoopSpec[];
  /** Element rules per segment id, everywhere in the set. */
  elements: Readonly<Record<string, readonly ElementRuleText[]>>;
  /** REF qualifiers that may repeat at the header level. */
  headerRefRepeats?: readonly string[];
}

/** A compiled element rule. */
export interface ElementRule {
  element: number;
  required: boolean;
  components: readonly number[] | null;
  exactLength: number | null;
}

/** A required segment of a loop: its id and, optionally, the element-01 values that qualify it. */
export interface RequiredSegment {
  id: string;
  values: ReadonlySet<string> | null;
  label: string;
}

/** A compiled loop. */
export interface CompiledLoop {
  id: string;
  name: string;
  start: string;
  whenElement: number;
  whenValues: ReadonlySet<string> | null;
  parents: ReadonlySet<string>;
  isName: boolean;
  orphan: "open" | "plain";
  end: string | null;
  tail: ReadonlySet<string> | null;
  requiredSegments: readonly RequiredSegment[];
  /** Required child loops; a child's bit in `seenChildren` is its index here. */
  requiredChildren: CompiledLoop[];
  refRepeats: ReadonlySet<string> | null;
  /** Element rules of this loop where they differ from the set's (set rules plus the loop's own); null when none do. */
  rules: ReadonlyMap<string, readonly ElementRule[]> | null;
}

/** What the set says about one segment id: one lookup per segment. */
export interface SegmentInfo {
  /** Loops this segment opens. */
  leaders: readonly CompiledLoop[] | null;
  /** PLB, AK9: closes every loop. */
  summary: boolean;
  /** LE, a 999 IK5: belongs to a particular open loop. */
  closer: boolean;
  /** The set's element rules for this segment. */
  rules: readonly ElementRule[] | null;
}

/** A compiled set. */
export interface CompiledSet {
  name: string;
  guide: string;
  /** Every segment id the set defines, by `idCode` (an array index: no string hashing per segment). */
  segments: readonly (SegmentInfo | undefined)[];
  nameLoops: boolean;
  root: CompiledLoop;
  /** The unnamed name loop (nameLoops). */
  anonymousName: CompiledLoop;
}

/** How many `idCode` values there are: three places of 37 (end, 0–9, A–Z). */
export const ID_CODES = 37 * 37 * 37;

/**
 * A segment id (2–3 capital letters or digits, a letter first) as a number below ID_CODES, or -1
 * when it is not one: the checker indexes an array with it instead of hashing the id string.
 */
export function idCode(id: string): number {
  const n = id.length;
  if (n < 2 || n > 3) return -1;
  let code = 0;
  for (let i = 0; i < 3; i += 1) {
    let d = 0;
    if (i < n) {
      const c = id.charCodeAt(i);
      if (c >= 65 && c <= 90) d = c - 54; // A–Z → 11–36
      else if (c >= 48 && c <= 57 && i > 0) d = c - 47; // 0–9 → 1–10, not first
      else return -1;
    }
    code = code * 37 + d;
  }
  return code;
}

/** Parses the compact element rules. */
export function parseRules(texts: readonly ElementRuleText[]): ElementRule[] {
  const out: ElementRule[] = [];
  for (const text of texts) {
    const optional = text.startsWith("?");
    const body = optional ? text.slice(1) : text;
    const [positions = "", rest = ""] = body.split(":");
    const [range = "", exact] = positions.split("=");
    const [from = "", to = from] = range.split("-");
    const components = rest === "" ? null : rest.split(",").map(Number);
    for (let e = Number(from); e <= Number(to); e += 1) {
      out.push({ element: e, required: !optional, components, exactLength: exact === undefined ? null : Number(exact) });
    }
  }
  return out;
}

/** The rules of a loop for the segments it adds rules to: the set's rules for that id, then the loop's. */
function loopRules(base: Readonly<Record<string, readonly ElementRuleText[]>>, extra: Readonly<Record<string, readonly ElementRuleText[]>> | undefined): Map<string, ElementRule[]> | null {
  if (extra === undefined) return null;
  const out = new Map<string, ElementRule[]>();
  for (const [id, rules] of Object.entries(extra)) out.set(id, [...parseRules(base[id] ?? []), ...parseRules(rules)]);
  return out;
}

function requiredSegment(text: string): RequiredSegment {
  const [id = "", values] = text.split("*");
  return { id, values: values === undefined ? null : new Set(values.split("|")), label: text };
}

function compileLoop(spec: LoopSpec, set: SetSpec): CompiledLoop {
  return {
    id: spec.id, name: spec.name, start: spec.start,
    whenElement: spec.when?.[0] ?? 0, whenValues: spec.when === undefined ? null : new Set(spec.when[1]),
    parents: new Set(spec.parents), isName: spec.start === "NM1", orphan: spec.orphan ?? "open", end: spec.end ?? null,
    tail: spec.tail === undefined ? null : new Set(spec.tail),
    requiredSegments: (spec.segments ?? []).map(requiredSegment), requiredChildren: [],
    refRepeats: spec.refRepeats === undefined ? null : new Set(spec.refRepeats),
    rules: loopRules(set.elements, spec.elements),
  };
}

/** Compiles a set spec into lookup tables; throws when the spec itself is inconsistent. */
export function compileSet(set: SetSpec): CompiledSet {
  const root = compileLoop({ id: "root", name: "header", start: "ST", parents: [], segments: set.header, ...(set.headerRefRepeats === undefined ? {} : { refRepeats: set.headerRefRepeats }) }, set);
  const byId = new Map<string, CompiledLoop>([["root", root]]);
  const loops = set.loops.map((spec) => {
    const loop = compileLoop(spec, set);
    byId.set(spec.id, loop);
    return loop;
  });
  const leaders = new Map<string, CompiledLoop[]>();
  set.loops.forEach((spec, i) => {
    const loop = loops[i] as CompiledLoop;
    for (const p of spec.parents) {
      const parent = byId.get(p);
      if (parent === undefined) throw new Error(`${set.name} grammar: loop ${spec.id} names unknown parent ${p}`);
      if (spec.required === true) parent.requiredChildren.push(loop);
    }
    leaders.set(spec.start, [...(leaders.get(spec.start) ?? []), loop]);
  });
  for (const loop of byId.values()) {
    // Seen segments and child loops are bits of a 31-bit integer.
    if (loop.requiredChildren.length > 30 || loop.requiredSegments.length > 30) throw new Error(`${set.name} grammar: loop ${loop.id} requires more than 30 segments or child loops`);
  }
  const anonymousName = compileLoop({ id: "NM1", name: "name", start: "NM1", parents: [] }, set);
  const summary = new Set(set.summary ?? []);
  const closers = new Set(set.loops.flatMap((l) => [...(l.end === undefined ? [] : [l.end]), ...(l.tail ?? [])]));
  const segments: (SegmentInfo | undefined)[] = new Array<SegmentInfo | undefined>(ID_CODES).fill(undefined);
  for (const id of set.segments) {
    const code = idCode(id);
    if (code === -1) throw new Error(`${set.name} grammar: ${id} is not a segment id`);
    const rules = set.elements[id];
    segments[code] = { leaders: leaders.get(id) ?? null, summary: summary.has(id), closer: closers.has(id), rules: rules === undefined || rules.length === 0 ? null : parseRules(rules) };
  }
  for (const id of [...leaders.keys(), ...summary, ...closers]) {
    if (segments[idCode(id)] === undefined) throw new Error(`${set.name} grammar: ${id} is used but not among the set's segments`);
  }
  return { name: set.name, guide: set.guide, segments, nameLoops: set.nameLoops === true, root, anonymousName };
}
