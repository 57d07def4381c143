import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { createTestDatabase } from "./helpers/databases.js";
import { LogCapture, buildTestApp } from "./helpers/app.js";

describe("PHI redaction in logs", () => {
  it("redacts member ids, names, birth dates, MRNs and note text at any depth up to four levels", () => {
    const logs = new LogCapture();
    const logger = createLogger({ level: "info" }, logs);
    logger.info(
      {
        memberId: "W123456789",
        patient: { firstName: "Ada", lastName: "Lovelace", birthDate: "1950-12-10", mrn: "MRN-0042" },
        coverage: { subscriber: { memberId: "W987654321", address: { city: "Springfield" } } },
        encounter: { notes: [{ text: "Patient reports fatigue" }] },
        claim: { detail: { lines: { first: { noteText: "deep note" } } } },
      },
      "verification",
    );
    const text = logs.text;
    for (const phi of ["W123456789", "W987654321", "Ada", "Lovelace", "1950-12-10", "MRN-0042", "fatigue", "Springfield", "deep note"]) {
      expect(text).not.toContain(phi);
    }
    expect(text).toContain("[REDACTED]");
    expect(JSON.parse(logs.lines[0]!)).toMatchObject({ msg: "verification" });
  });

  it("keeps non-PHI fields readable", () => {
    const logs = new LogCapture();
    createLogger({ level: "info" }, logs).info({ claimId: "CLM-1", hcpcs: "J9271", units: 200 }, "scrubbed");
    expect(JSON.parse(logs.lines[0]!)).toMatchObject({ claimId: "CLM-1", hcpcs: "J9271", units: 200 });
  });

  it("never logs the query string or the Authorization header of a request", async () => {
    const t = await createTestDatabase("pglite");
    try {
      const { app, logs } = await buildTestApp(t.db);
      await app.inject({
        method: "GET",
        url: "/v1/me?memberId=W555000111",
        headers: { authorization: "Bearer irk_supersecretvalue" },
      });
      await app.close();
      expect(logs.text).not.toContain("W555000111");
      expect(logs.text).not.toContain("irk_supersecretvalue");
      expect(logs.text).toContain('"path":"/v1/me"');
    } finally {
      await t.drop();
    }
  });
});
