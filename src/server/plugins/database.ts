/** Exposes the database and its readiness to routes; refuses `/v1` work while not migrated. */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { UnavailableError } from "../../../tools/errors.js";
import type { Database } from "../../db/database.js";
import type { Readiness } from "../../db/readiness.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Database;
    readiness: Readiness;
  }
}

async function databasePlugin(app: FastifyInstance, opts: { readiness: Readiness }): Promise<void> {
  app.decorate("db", opts.readiness.db);
  app.decorate("readiness", opts.readiness);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.roles === undefined) return;
    if (!app.readiness.isMigrated) {
      const report = await app.readiness.check();
      if (!report.ready) throw new UnavailableError("The database is not ready; retry shortly");
    }
  });
}

export const database = fp(databasePlugin, { name: "database" });
