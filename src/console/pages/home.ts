/** The console's home: where each role starts its day, with the areas it may use. */
import type { FastifyInstance } from "fastify";
import type { ConsoleArea } from "../frame.js";

async function routes(app: FastifyInstance): Promise<void> {
  app.get("/", { config: { console: { roles: ["staff", "council", "admin", "finance"] } } }, async (request, reply) => {
    const nav = app.consoleRenderer.navFor(request.consoleSession?.user.role);
    return reply.page("home", { areas: nav }, { title: "Infusion RCM" });
  });
}

export const homePages: ConsoleArea = { name: "home", nav: [], routes };
