/**
 * Admin: the console's users and the service's API keys (README, "Signing in and roles"). The
 * same functions as the CLI and `/v1/keys`: `users.ts` and `api-keys.ts`, audited with the admin
 * as the actor. A one-time password or a new key is shown once, on the page that answers the
 * change, and never again. The last active admin user can be neither disabled nor demoted, and
 * the last active admin key cannot be revoked from here (only `infusion-rcm keys revoke --force`
 * can): the page says why instead.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ConflictError } from "../../../tools/errors.js";
import { createApiKey, listApiKeys, revokeApiKey, Role } from "../../server/auth/api-keys.js";
import type { ConsoleArea } from "../frame.js";
import { changeUser, createUser, listUsers, USER_ROLES, userActor, UserRole, type UserChange, type UserInfo } from "../users.js";

const admins = { console: { roles: ["admin"] as const } };

const Csrf = { _csrf: z.string().optional() };
const CreateUserForm = z.object({ username: z.string().max(200), displayName: z.string().max(200).optional(), role: UserRole, ...Csrf });
const RoleForm = z.object({ role: UserRole, ...Csrf });
const EmptyForm = z.object(Csrf);
const CreateKeyForm = z.object({ name: z.string().trim().min(1, "a name is required").max(200), role: Role, ...Csrf });
const IdParams = z.object({ id: z.string().min(1).max(100) });
const KeysQuery = z.object({ all: z.enum(["1"]).optional() });

/** A user's status as listed: disabled, locked after failed sign-ins, or active. */
function status(user: UserInfo): string {
  if (user.disabledAt !== null) return "disabled";
  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now()) return "locked";
  return "active";
}

async function routes(app: FastifyInstance): Promise<void> {
  const pool = app.db.pool;
  const actorOf = (request: FastifyRequest) => userActor((request.consoleSession as NonNullable<FastifyRequest["consoleSession"]>).user);

  const usersPage = async (request: FastifyRequest, reply: FastifyReply, flash?: { kind: "ok" | "error"; text: string }, code = 200) => {
    const users = await listUsers(pool);
    return reply.page("admin-users/users", {
      users: users.map((u) => ({ ...u, status: status(u) })),
      roles: USER_ROLES,
      me: request.consoleSession?.user.id,
    }, { title: "Users", flash, status: code });
  };

  app.get("/admin/users", { config: admins }, async (request, reply) => usersPage(request, reply));

  app.post("/admin/users", { config: admins, schema: { body: CreateUserForm } }, async (request, reply) => {
    const form = request.body as z.infer<typeof CreateUserForm>;
    const { user, password } = await createUser(pool, {
      username: form.username, role: form.role, createdBy: actorOf(request),
      ...(form.displayName === undefined ? {} : { displayName: form.displayName }),
    });
    return reply.page("admin-users/one-time-password", { user, password, created: true }, { title: `User ${user.username} created` });
  });

  /** A change to one user; a refusal (the last admin) is shown on the list, not as an error page. */
  const change = async (request: FastifyRequest, reply: FastifyReply, what: UserChange, done: (user: UserInfo) => string) => {
    const { id } = request.params as z.infer<typeof IdParams>;
    let result;
    try {
      result = await changeUser(pool, id, what, actorOf(request));
    } catch (error) {
      if (error instanceof ConflictError) return usersPage(request, reply, { kind: "error", text: `Not changed: ${error.message}.` }, 409);
      throw error;
    }
    if (result.password !== null) {
      return reply.page("admin-users/one-time-password", { user: result.user, password: result.password, created: false }, { title: `New password for ${result.user.username}` });
    }
    return usersPage(request, reply, { kind: "ok", text: done(result.user) });
  };

  app.post("/admin/users/:id/role", { config: admins, schema: { params: IdParams, body: RoleForm } }, async (request, reply) => {
    const { role } = request.body as z.infer<typeof RoleForm>;
    return change(request, reply, { role }, (user) => `${user.username} is now ${user.role}.`);
  });
  app.post("/admin/users/:id/disable", { config: admins, schema: { params: IdParams, body: EmptyForm } }, async (request, reply) =>
    change(request, reply, { disabled: true }, (user) => `${user.username} is disabled; their sessions have ended.`));
  app.post("/admin/users/:id/enable", { config: admins, schema: { params: IdParams, body: EmptyForm } }, async (request, reply) =>
    change(request, reply, { disabled: false }, (user) => `${user.username} is enabled again.`));
  app.post("/admin/users/:id/reset", { config: admins, schema: { params: IdParams, body: EmptyForm } }, async (request, reply) =>
    change(request, reply, { resetPassword: true }, (user) => `${user.username}'s password was reset.`));

  const keysPage = async (reply: FastifyReply, all: boolean, flash?: { kind: "ok" | "error"; text: string }, code = 200) => {
    const keys = await listApiKeys(pool, { includeRevoked: all });
    return reply.page("admin-users/keys", { keys, all, roles: Role.options }, { title: "API keys", flash, status: code });
  };

  app.get("/admin/keys", { config: admins, schema: { querystring: KeysQuery } }, async (request, reply) =>
    keysPage(reply, (request.query as z.infer<typeof KeysQuery>).all === "1"));

  app.post("/admin/keys", { config: admins, schema: { body: CreateKeyForm } }, async (request, reply) => {
    const form = request.body as z.infer<typeof CreateKeyForm>;
    const { key, info } = await createApiKey(pool, { name: form.name, role: form.role, createdBy: actorOf(request) });
    return reply.page("admin-users/key-created", { key, info }, { title: `API key ${info.name} created` });
  });

  app.post("/admin/keys/:id/revoke", { config: admins, schema: { params: IdParams, body: EmptyForm } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof IdParams>;
    try {
      const revoked = await revokeApiKey(pool, id, { actor: actorOf(request) });
      return keysPage(reply, false, { kind: "ok", text: `The key ${revoked.name} (${revoked.prefix}…) is revoked.` });
    } catch (error) {
      if (error instanceof ConflictError) return keysPage(reply, false, { kind: "error", text: `Not revoked: ${error.message}.` }, 409);
      throw error;
    }
  });
}

export const adminUsersPages: ConsoleArea = {
  name: "admin-users",
  nav: [
    { href: "/admin/users", label: "Users", roles: ["admin"], group: "Admin" },
    { href: "/admin/keys", label: "API keys", roles: ["admin"], group: "Admin" },
  ],
  routes,
};
