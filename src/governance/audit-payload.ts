/**
 * How an audit entry's payload is stored (migration 0019; README, "What a checked appointment
 * stores"). The chain signs the payload's canonical JSON text (audit-log.ts); storage keeps that
 * exact text, compressed by the service, since PostgreSQL never compresses these rows (its TOAST
 * compression starts at about 2 KB a row, and an entry is about 1 KB). The stored bytes are a
 * format marker and a body:
 * - 0x00: the text as UTF-8, as is (entries written before 0019, and payloads that do not shrink);
 * - 0x01: the text deflated (raw deflate, RFC 1951) with preset dictionary v1 (audit-dictionary.ts).
 * A marker names one dictionary for ever: a new dictionary gets a new marker, and the old ones stay
 * so old rows still read. Decoding is bounded (a corrupted row cannot inflate past
 * MAX_PAYLOAD_BYTES) and fails with `AuditPayloadError`, which verify reports as a broken entry.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { AUDIT_DICTIONARY_V1 } from "./audit-dictionary.js";

/** Format markers: the first byte of a stored payload. */
export const PAYLOAD_FORMAT = { text: 0x00, deflateV1: 0x01 } as const;

/**
 * The largest payload text, in UTF-8 bytes, that is stored compressed; a larger one is stored as
 * text. Decoding refuses to inflate past it, so no row can make a reader allocate more.
 */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

const DICTIONARY_V1 = Buffer.from(AUDIT_DICTIONARY_V1, "utf8");

/** A stored payload that cannot be decoded: an unknown marker, or a body that does not inflate. */
export class AuditPayloadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuditPayloadError";
  }
}

/** The bytes to store for a payload's canonical JSON text: compressed with the dictionary when that is smaller. */
export function encodeAuditPayload(text: string): Buffer {
  const raw = Buffer.from(text, "utf8");
  if (raw.length <= MAX_PAYLOAD_BYTES) {
    // Level 6 (zlib's default): levels 7–9 saved under 1 % on sweep payloads for twice the time.
    const deflated = deflateRawSync(raw, { dictionary: DICTIONARY_V1, level: 6 });
    if (deflated.length < raw.length) return Buffer.concat([MARKER_DEFLATE_V1, deflated], deflated.length + 1);
  }
  return Buffer.concat([MARKER_TEXT, raw], raw.length + 1);
}

const MARKER_TEXT = Buffer.of(PAYLOAD_FORMAT.text);
const MARKER_DEFLATE_V1 = Buffer.of(PAYLOAD_FORMAT.deflateV1);

/** The payload text stored as `stored`; throws `AuditPayloadError` when it cannot be decoded. */
export function decodeAuditPayload(stored: Uint8Array): string {
  const bytes = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes.length === 0) throw new AuditPayloadError("the stored payload is empty (no format marker)");
  const marker = bytes[0];
  const body = bytes.subarray(1);
  if (marker === PAYLOAD_FORMAT.text) return body.toString("utf8");
  if (marker === PAYLOAD_FORMAT.deflateV1) {
    try {
      return inflateRawSync(body, { dictionary: DICTIONARY_V1, maxOutputLength: MAX_PAYLOAD_BYTES }).toString("utf8");
    } catch (error) {
      const reason = (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? `inflates past ${MAX_PAYLOAD_BYTES} bytes` : "does not inflate";
      throw new AuditPayloadError(`the stored payload (format 0x01, deflate with dictionary v1) ${reason}`, { cause: error });
    }
  }
  throw new AuditPayloadError(`the stored payload has an unknown format marker 0x${(marker ?? 0).toString(16).padStart(2, "0")}`);
}

/** The parsed payload stored as `stored` (throws `AuditPayloadError`, or a SyntaxError for text that is not JSON). */
export function decodeAuditPayloadJson(stored: Uint8Array): unknown {
  return JSON.parse(decodeAuditPayload(stored));
}
