/** `infusion-rcm keys create|list|revoke` — API key administration on the configured database. */
import { parseArgs } from "node:util";
import { EXIT, writeJson, type CliCommand, type CliIo } from "../command.js";
import { ROLES, Role, createApiKey, listApiKeys, revokeApiKey } from "../../server/auth/api-keys.js";
import { withConfiguredDatabase } from "./database-access.js";
import { ConflictError } from "../../../tools/errors.js";

const USAGE = `usage:
  infusion-rcm keys create --role staff|council|admin|service --name NAME
  infusion-rcm keys list [--all]
  infusion-rcm keys revoke ID|PREFIX [--force]

create prints the key once (it is stored only as a hash). list never shows secrets;
--all includes revoked keys. revoke refuses the last active admin key unless --force
(then only this CLI, on the database itself, can create an admin key again).
Creating and revoking are audited (actor: cli).`;

export const keysCommand: CliCommand = {
  name: "keys",
  summary: "Create, list and revoke API keys",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...rest] = args;
    switch (action) {
      case "create":
        return create(rest, io);
      case "list":
        return list(rest, io);
      case "revoke":
        return revoke(rest, io);
      default:
        io.stderr.write(`keys: expected create, list or revoke\n${USAGE}\n`);
        return EXIT.BAD_INPUT;
    }
  },
};

async function create(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { role: { type: "string" }, name: { type: "string" } }, strict: true });
  const role = Role.safeParse(values.role);
  if (!role.success) {
    io.stderr.write(`keys create: --role must be one of ${ROLES.join(", ")}\n`);
    return EXIT.BAD_INPUT;
  }
  const name = values.name?.trim();
  if (name === undefined || name === "") {
    io.stderr.write("keys create: --name is required\n");
    return EXIT.BAD_INPUT;
  }
  const created = await withConfiguredDatabase((db) => createApiKey(db.pool, { name, role: role.data, createdBy: "cli" }));
  writeJson(io.stdout, { key: created.key, ...created.info });
  io.stderr.write("Store this key now: it is not shown again.\n");
  return EXIT.OK;
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: "boolean" } }, strict: true });
  const keys = await withConfiguredDatabase((db) => listApiKeys(db.pool, { includeRevoked: values.all === true }));
  writeJson(io.stdout, { keys });
  return EXIT.OK;
}

async function revoke(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: "boolean" } }, allowPositionals: true, strict: true });
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined) {
    io.stderr.write("keys revoke: give exactly one key id or prefix\n");
    return EXIT.BAD_INPUT;
  }
  let revoked;
  try {
    revoked = await withConfiguredDatabase((db) => revokeApiKey(db.pool, id, { actor: "cli", force: values.force === true }));
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    io.stderr.write(`keys revoke: ${error.message}${values.force === true ? "" : " (--force revokes it anyway)"}\n`);
    return EXIT.BAD_INPUT;
  }
  writeJson(io.stdout, revoked);
  return EXIT.OK;
}
