/**
 * The one logger: pino, with patient identifiers and note text redacted by default.
 *
 * PHI lives in the database only. Redaction covers the keys below at the top level and up to four
 * levels deep (pino paths are explicit, so the depth is enumerated), plus credentials in headers.
 */
import { pino, type Logger, type DestinationStream } from "pino";

/** Keys whose values are patient identifiers or clinical free text. */
export const PHI_KEYS = [
  "patientName", "firstName", "lastName", "middleName", "givenName", "familyName", "fullName",
  "name", "dob", "birthDate", "dateOfBirth", "memberId", "subscriberId", "mrn", "ssn",
  "address", "phone", "email", "noteText", "note", "notes", "text",
] as const;

const SECRET_PATHS = [
  "req.headers.authorization", "req.headers.cookie", "headers.authorization", "apiKey", "key",
];

/** All redaction paths: every PHI key at depth 0–4, plus credentials. */
export function redactionPaths(): string[] {
  const paths: string[] = [...SECRET_PATHS];
  for (const key of PHI_KEYS) {
    let prefix = "";
    for (let depth = 0; depth <= 4; depth += 1) {
      paths.push(`${prefix}${key}`);
      prefix += "*.";
    }
  }
  return paths;
}

/** Creates the service logger; tests pass a destination to capture lines. */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? "info",
      redact: { paths: redactionPaths(), censor: "[REDACTED]" },
      base: { service: options.name ?? "infusion-rcm" },
      serializers: {
        // Query strings can carry identifiers (?memberId=…): log the path only.
        req: (req: { method?: string; url?: string; id?: unknown }) => ({
          method: req.method,
          path: req.url?.split("?")[0],
        }),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
