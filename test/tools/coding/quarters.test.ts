import { describe, expect, it } from "vitest";
import { chooseQuarter, nextQuarter, quarterForDates, quarterOf, quarterSpan } from "../../../tools/coding/quarters.js";

describe("calendar quarters of the CMS files", () => {
  it("names the quarter of a date and its dates, across a year end", () => {
    expect(quarterOf("2026-12-01")).toEqual({ quarter: "2026Q4", effectiveFrom: "2026-10-01", effectiveTo: "2026-12-31" });
    expect(quarterOf("2026-01-01").quarter).toBe("2026Q1");
    expect(quarterOf("2026-03-31").quarter).toBe("2026Q1");
    expect(quarterOf("2026-04-01").quarter).toBe("2026Q2");
    expect(nextQuarter("2026Q4")).toEqual(quarterSpan("2027Q1"));
    expect(nextQuarter("2026Q2").effectiveFrom).toBe("2026-07-01");
  });

  it("accepts only dates that are exactly one calendar quarter", () => {
    expect(quarterForDates("2026-10-01", "2026-12-31")?.quarter).toBe("2026Q4");
    expect(quarterForDates("2026-01-01", "2026-06-30")).toBeNull();
    expect(quarterForDates("2026-01-02", "2026-03-31")).toBeNull();
  });

  const loaded = [quarterSpan("2026Q1"), quarterSpan("2026Q3")];
  it("prices a date of service from the quarter in force when it is loaded", () => {
    expect(chooseQuarter(loaded, "2026-08-15")).toEqual({ inForce: "2026Q3", chosen: loaded[1], stale: false });
  });

  it("else from the latest loaded quarter that began before the date, marked stale — never from a later one", () => {
    expect(chooseQuarter(loaded, "2026-12-01")).toEqual({ inForce: "2026Q4", chosen: loaded[1], stale: true });
    expect(chooseQuarter(loaded, "2026-05-01")).toEqual({ inForce: "2026Q2", chosen: loaded[0], stale: true });
    expect(chooseQuarter(loaded, "2025-11-30")).toEqual({ inForce: "2025Q4", chosen: null, stale: false });
  });
});
