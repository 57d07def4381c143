import { describe, expect, it } from "vitest";
import { addCase, emptyConfusion, precision, rate, recall } from "../../evals/metrics.js";

describe("evaluation metrics", () => {
  it("counts only judged labels: a reason the case does not label is neither a hit nor a miss", () => {
    const c = emptyConfusion();
    const judged = new Set(["auth-missing", "auth-expired"]);
    addCase(c, ["auth-missing", "auth-lapses-before-next-cycle"], ["auth-missing"], judged);
    addCase(c, ["auth-expired"], [], judged);
    addCase(c, [], ["auth-expired"], judged);
    expect(c).toEqual({ tp: 1, fp: 1, fn: 1 });
    expect(precision(c)).toBe(0.5);
    expect(recall(c)).toBe(0.5);
  });

  it("nothing expected and nothing predicted is perfect; predicting where nothing was expected is not", () => {
    expect(precision(emptyConfusion())).toBe(1);
    expect(recall(emptyConfusion())).toBe(1);
    expect(precision({ tp: 0, fp: 2, fn: 0 })).toBe(0);
    expect(rate(0, 0).rate).toBeNull();
    expect(rate(3, 4).rate).toBe(0.75);
  });
});
