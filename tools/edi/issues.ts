/**
 * Problems found in X12 input, each typed with where it is: segment index and id, element and
 * component position, byte offset. Codes map to what a 999 would say (IK3 segment errors, IK4
 * element errors, IK5 transaction errors) where one applies.
 */

/** Every issue code, with its meaning and its 999 counterpart. */
export const X12_ISSUE_CODES = {
  NOT_X12: { meaning: "The input does not start with an ISA interchange header", ack: "TA1" },
  ISA_INVALID: { meaning: "The ISA header is not the fixed 106 characters with 16 elements", ack: "TA1" },
  DELIMITER_CONFLICT: { meaning: "Two ISA delimiters are the same character", ack: "TA1" },
  IEA_MISSING: { meaning: "An interchange has no IEA trailer", ack: "TA1 023" },
  IEA_COUNT_MISMATCH: { meaning: "IEA01 does not match the number of functional groups", ack: "TA1 021" },
  IEA_CONTROL_MISMATCH: { meaning: "IEA02 does not match ISA13", ack: "TA1 001" },
  GE_MISSING: { meaning: "A functional group has no GE trailer", ack: "AK9" },
  GE_COUNT_MISMATCH: { meaning: "GE01 does not match the number of transaction sets", ack: "AK9 5" },
  GE_CONTROL_MISMATCH: { meaning: "GE02 does not match GS06", ack: "AK9 4" },
  SE_MISSING: { meaning: "A transaction set has no SE trailer", ack: "IK5 2" },
  SE_COUNT_MISMATCH: { meaning: "SE01 does not match the number of segments from ST to SE", ack: "IK5 4" },
  SE_CONTROL_MISMATCH: { meaning: "SE02 does not match ST02", ack: "IK5 3" },
  SEGMENT_OUTSIDE_TRANSACTION: { meaning: "A segment appears outside an ST/SE, GS/GE or ISA/IEA envelope", ack: "IK3 2" },
  SEGMENT_ID_UNRECOGNIZED: { meaning: "A segment id is not an X12 segment id at all (2–3 capital letters or digits, a letter first)", ack: "IK3 1" },
  SEGMENT_NOT_IN_SET: { meaning: "A segment id the transaction set's implementation guide does not define", ack: "IK3 6" },
  SEGMENT_MISSING: { meaning: "A segment the implementation guide requires is missing", ack: "IK3 3" },
  SEGMENT_UNEXPECTED: { meaning: "A segment is not expected where it stands", ack: "IK3 2" },
  SEGMENT_REPEATED: { meaning: "A segment occurs more often than the implementation guide allows (e.g. a second REF of one qualifier in a loop)", ack: "IK3 5" },
  LOOP_MISSING: { meaning: "A loop the implementation guide requires is missing (reported at the segment that opens the loop it belongs in)", ack: "IK3 I7" },
  ELEMENT_MISSING: { meaning: "A required element is empty", ack: "IK4 1" },
  COMPONENT_MISSING: { meaning: "A required component of a composite is empty (a qualifier without its code)", ack: "IK4 1" },
  ELEMENT_INVALID: { meaning: "An element's value is not one the implementation guide allows (code, length or form)", ack: "IK4 7" },
  AMOUNT_INVALID: { meaning: "An amount is not a decimal number", ack: "IK4 6" },
  DATE_INVALID: { meaning: "A date or time is not valid", ack: "IK4 8" },
  COMPOSITE_INVALID: { meaning: "A composite element does not use the component separator (ISA16)", ack: "IK4 6" },
  BALANCE_MISMATCH: { meaning: "Amounts do not balance (835: charge − adjustments ≠ paid, or payment ≠ Σ paid − PLB; 837: CLM02 ≠ Σ line charges)", ack: "application (277CA A7)" },
  UNSUPPORTED_TRANSACTION: { meaning: "A transaction set type this toolkit does not read", ack: "IK5 1" },
} as const;

export type X12IssueCode = keyof typeof X12_ISSUE_CODES;

/** One problem. */
export interface X12Issue {
  code: X12IssueCode;
  severity: "error" | "warning";
  message: string;
  segmentIndex: number | null;
  segmentId: string | null;
  elementPosition?: number;
  componentPosition?: number;
  byteOffset: number | null;
  /** ST02 of the transaction the issue is in, when it is in one. */
  transactionControlNumber?: string;
}

/** Where a segment is, for building issues. */
export interface SegmentLocation {
  index: number;
  id: string;
  offset: number;
}

/** Builds an issue at a segment (or at no segment). */
export function issueAt(
  code: X12IssueCode,
  message: string,
  at: SegmentLocation | null,
  extra: { elementPosition?: number; componentPosition?: number; severity?: "error" | "warning"; transactionControlNumber?: string } = {},
): X12Issue {
  return {
    code,
    severity: extra.severity ?? "error",
    message,
    segmentIndex: at?.index ?? null,
    segmentId: at?.id ?? null,
    byteOffset: at?.offset ?? null,
    ...(extra.elementPosition === undefined ? {} : { elementPosition: extra.elementPosition }),
    ...(extra.componentPosition === undefined ? {} : { componentPosition: extra.componentPosition }),
    ...(extra.transactionControlNumber === undefined ? {} : { transactionControlNumber: extra.transactionControlNumber }),
  };
}
