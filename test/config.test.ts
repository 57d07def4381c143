import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("has working defaults: embedded database in ./data on port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: "./data", databaseUrl: undefined, logPayloads: false });
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(loadConfig({ DATABASE_URL: "" }).databaseUrl).toBeUndefined();
  });

  it("stops with a message naming each invalid variable", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "not a url" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("PORT");
    expect(message).toContain("LOG_LEVEL");
    expect(message).toContain("DATABASE_URL");
  });

  it("parses boolean flags strictly", () => {
    expect(loadConfig({ LOG_PAYLOADS: "true" }).logPayloads).toBe(true);
    expect(() => loadConfig({ LOG_PAYLOADS: "maybe" })).toThrow(/LOG_PAYLOADS/);
  });
});
