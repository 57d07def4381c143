import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../../tools/iso-dates.js";

describe("ISO date arithmetic", () => {
  it("crosses month, year and leap-day boundaries in UTC", () => {
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-06", -6)).toBe("2026-02-28");
    // The US daylight-saving change (2026-03-08) does not move a day.
    expect(addDays("2026-03-07", 21)).toBe("2026-03-28");
  });

  it("counts whole days between dates, negative when backwards", () => {
    expect(daysBetween("2026-03-01", "2026-05-30")).toBe(90);
    expect(daysBetween("2026-03-06", "2026-03-04")).toBe(-2);
  });
});
