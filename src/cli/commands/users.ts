/** `infusion-rcm users create|reset|disable|enable|set-role|list` — console users on the configured database. */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { AppError } from "../../../tools/errors.js";
import { EXIT, writeJson, type CliCommand, type CliIo } from "../command.js";
import { changeUser, createUser, listUsers, USER_ROLES, UserRole, type UserChange } from "../../console/users.js";
import { withConfiguredDatabase } from "./database-access.js";

const USAGE = `usage:
  infusion-rcm users create --username NAME --role staff|council|admin|finance [--name "Display name"]
  infusion-rcm users reset NAME
  infusion-rcm users disable NAME
  infusion-rcm users enable NAME
  infusion-rcm users set-role NAME staff|council|admin|finance
  infusion-rcm users list

People who sign in to the web console (API keys are for systems: \`infusion-rcm keys\`).
create and reset print a one-time password once (it is stored only as a scrypt hash); the
person must choose their own at the next sign-in. reset also ends the user's sessions and
unlocks an account locked after failed sign-ins; disable ends their sessions at once.
The last active admin can be neither disabled nor demoted (make another user admin first).
Every change is audited (actor: cli:<operating-system user>).`;

/** Who runs the command, as the audit names it: `cli:<operating-system user>`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

export const usersCommand: CliCommand = {
  name: "users",
  summary: "Create, reset, disable, enable and list the console's users",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...rest] = args;
    try {
      switch (action) {
        case "create":
          return await create(rest, io);
        case "list":
          return await list(rest, io);
        case "reset":
          return await change("reset", rest, io, () => ({ resetPassword: true }));
        case "disable":
          return await change("disable", rest, io, () => ({ disabled: true }));
        case "enable":
          return await change("enable", rest, io, () => ({ disabled: false }));
        case "set-role":
          return await change("set-role", rest, io, (role) => ({ role: parseRole(role) }), 1);
        default:
          io.stderr.write(`users: expected create, reset, disable, enable, set-role or list\n${USAGE}\n`);
          return EXIT.BAD_INPUT;
      }
    } catch (error) {
      // Bad input, an unknown user, the last admin: a message and exit 2, never a stack.
      if (error instanceof z.ZodError) {
        io.stderr.write(`users ${action ?? ""}: ${error.issues.map((i) => i.message).join("; ")}\n`);
        return EXIT.BAD_INPUT;
      }
      if (error instanceof UsageError || (error instanceof AppError && error.status < 500)) {
        io.stderr.write(`users ${action ?? ""}: ${error.message}\n`);
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};

class UsageError extends Error {}

function parseRole(value: string | undefined): UserRole {
  const role = UserRole.safeParse(value);
  if (!role.success) throw new UsageError(`the role must be one of ${USER_ROLES.join(", ")}`);
  return role.data;
}

async function create(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { username: { type: "string" }, role: { type: "string" }, name: { type: "string" } }, strict: true });
  if (values.username === undefined || values.username.trim() === "") throw new UsageError("--username is required");
  const role = parseRole(values.role);
  const created = await withConfiguredDatabase((db) =>
    createUser(db.pool, { username: values.username as string, role, createdBy: cliActor(), ...(values.name === undefined ? {} : { displayName: values.name }) }),
  );
  writeJson(io.stdout, { password: created.password, ...created.user });
  io.stderr.write("Give this one-time password to the person now: it is not shown again. They choose their own at the first sign-in.\n");
  return EXIT.OK;
}

async function list(args: string[], io: CliIo): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const users = await withConfiguredDatabase((db) => listUsers(db.pool));
  writeJson(io.stdout, { users });
  return EXIT.OK;
}

async function change(action: string, args: string[], io: CliIo, what: (extra: string | undefined) => UserChange, extras = 0): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1 + extras) {
    throw new UsageError(extras === 0 ? "give exactly one user name" : "give a user name and a role");
  }
  const [username, extra] = positionals as [string, string | undefined];
  const changed = await withConfiguredDatabase((db) => changeUser(db.pool, username, what(extra), cliActor()));
  if (action === "reset") {
    writeJson(io.stdout, { password: changed.password, ...changed.user });
    io.stderr.write("Give this one-time password to the person now: it is not shown again. Their sessions have ended.\n");
  } else {
    writeJson(io.stdout, changed.user);
  }
  return EXIT.OK;
}
