/** node-x12 as an independent oracle: segment and claim counts per transaction, strict parsing. */
import nodeX12 from "node-x12";

const { X12Parser } = nodeX12 as unknown as { X12Parser: new (strict: boolean) => { parse(text: string): unknown } };

interface Tx { header: { elements: { value: string }[] }; segments: { tag: string }[] }
interface Interchange { functionalGroups: { transactions: Tx[] }[] }

/** Per transaction: type, control number, segment count (ST..SE) and CLP/CLM count. Throws when strict parsing fails. */
export function oracleCounts(text: string): { type: string; control: string; segments: number; claims: number }[] {
  const parsed = new X12Parser(true).parse(text) as Interchange | { interchanges: Interchange[] };
  const interchanges = "interchanges" in parsed ? parsed.interchanges : [parsed];
  return interchanges.flatMap((i) => i.functionalGroups.flatMap((g) => g.transactions.map((t) => ({
    type: t.header.elements[0]?.value ?? "",
    control: t.header.elements[1]?.value ?? "",
    segments: t.segments.length + 2,
    claims: t.segments.filter((s) => s.tag === "CLP" || s.tag === "CLM").length,
  }))));
}
