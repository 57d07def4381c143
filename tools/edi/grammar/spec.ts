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
  elements: ReadonlyMap<string, readonly ElementRule[]>;
}

/** A compiled set. */
export interface CompiledSet {
  name: string;
  guide: string;
  allowed: ReadonlySet<string>;
  leaders: ReadonlyMap<string, readonly CompiledLoop[]>;
  summary: ReadonlySet<string>;
  ends: ReadonlySet<string>;
  tails: ReadonlySet<string>;
  nameLoops: boolean;
  root: CompiledLoop;
  /** The unnamed name loop (nameLoops), per parent it is opened in. */
  anonymousName: CompiledLoop;
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

function mergeRules(base: Readonly<Record<string, readonly ElementRuleText[]>>, extra: Readonly<Record<string, readonly ElementRuleText[]>> | undefined): Map<string, ElementRule[]> {
  const out = new Map<string, ElementRule[]>();
  for (const [id, rules] of Object.entries(base)) out.set(id, parseRules(rules));
  for (const [id, rules] of Object.entries(extra ?? {})) out.set(id, [...(out.get(id) ?? []), ...parseRules(rules)]);
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
    elements: mergeRules(set.elements, spec.elements),
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
    if (loop.requiredChildren.length > 30) throw new Error(`${set.name} grammar: loop ${loop.id} has more than 30 required child loops`);
  }
  const anonymousName = compileLoop({ id: "NM1", name: "name", start: "NM1", parents: [] }, set);
  return {
    name: set.name, guide: set.guide, allowed: new Set(set.segments), leaders, summary: new Set(set.summary ?? []),
    ends: new Set(set.loops.flatMap((l) => (l.end === undefined ? [] : [l.end]))), tails: new Set(set.loops.flatMap((l) => l.tail ?? [])), nameLoops: set.nameLoops === true, root, anonymousName,
  };
}
