-- 0015 database roles (README, "Database roles"). The service runs as a login role that is a
-- member of infusion_rcm_service: it reads and writes the service's tables and creates its own
-- (LangGraph's checkpoints, the job queue's schema), but on the audit trail it may only SELECT and
-- INSERT — no UPDATE, DELETE or TRUNCATE, and, not owning the table, no ALTER, DROP or trigger
-- change (disabling the append-only triggers takes the owner: the role that runs migrations).
-- Roles are per server, so the role is created once, idempotently (a concurrent migration of
-- another database may create it first); on the embedded database it exists and is unused.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'infusion_rcm_service') THEN
    CREATE ROLE infusion_rcm_service NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO infusion_rcm_service', current_database());
END
$$;
GRANT USAGE, CREATE ON SCHEMA public TO infusion_rcm_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO infusion_rcm_service;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO infusion_rcm_service;
-- Tables and sequences later migrations create (as this role) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO infusion_rcm_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO infusion_rcm_service;

-- The audit trail: read and append only.
REVOKE ALL ON audit_log FROM infusion_rcm_service;
GRANT SELECT, INSERT ON audit_log TO infusion_rcm_service;
