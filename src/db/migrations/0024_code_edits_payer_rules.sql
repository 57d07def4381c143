-- 0024 Reference data a clinic keeps current (issue 18).
--
-- 1. CMS's quarterly NCCI procedure-to-procedure (PTP) and medically unlikely edit (MUE) files, as
--    a clinic imports them (`infusion-rcm data import ncci-ptp|mue`): each file with its quarter,
--    setting (practitioner for 837P, hospital outpatient for 837I) and part (CMS splits the
--    practitioner PTP table into f1…f4), its SHA-256, who imported it and when, and its text (kept
--    for audit), and the edits read from it with their file line (the row a finding cites).
-- 2. Payer rule overlays: payer-specific billing rules as data, effective-dated, every version kept
--    (who, when, why): an edit supersedes the version in force and adds the next one.
CREATE TABLE code_edit_files (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('ncci-ptp', 'mue')),
  setting        text NOT NULL CHECK (setting IN ('practitioner', 'hospital')),
  quarter        text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
  -- '' for a whole table; f1…f4 for the parts of a PTP table CMS splits.
  part           text NOT NULL DEFAULT '' CHECK (part ~ '^(f[0-9]{1,2})?$'),
  effective_from date NOT NULL,
  effective_to   date NOT NULL CHECK (effective_to >= effective_from),
  source_name    text NOT NULL,
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  row_count      integer NOT NULL CHECK (row_count > 0),
  imported_at    timestamptz NOT NULL,
  imported_by    text NOT NULL,
  raw_text       text NOT NULL,
  -- A corrected file for the same quarter, setting and part replaces this one; the record and its rows stay.
  replaced_at    timestamptz,
  replaced_by    text REFERENCES code_edit_files (id)
);
CREATE UNIQUE INDEX code_edit_files_current_idx ON code_edit_files (kind, setting, quarter, part) WHERE replaced_at IS NULL;

CREATE TABLE ncci_ptp_edits (
  file_id            text NOT NULL REFERENCES code_edit_files (id),
  line               integer NOT NULL,
  column1            text NOT NULL,
  column2            text NOT NULL,
  effective          date NOT NULL,
  -- The first date of service the edit no longer applies to; NULL while active (CMS writes *).
  deleted            date CHECK (deleted IS NULL OR deleted >= effective),
  modifier_indicator text NOT NULL CHECK (modifier_indicator IN ('0', '1', '9')),
  rationale          text NOT NULL,
  PRIMARY KEY (file_id, line)
);

CREATE TABLE mue_values (
  file_id                text NOT NULL REFERENCES code_edit_files (id),
  code                   text NOT NULL,
  max_units              integer NOT NULL CHECK (max_units >= 0),
  adjudication_indicator text NOT NULL CHECK (adjudication_indicator IN ('1', '2', '3')),
  rationale              text NOT NULL,
  line                   integer NOT NULL,
  PRIMARY KEY (file_id, code)
);

-- Payer rule overlays. `id` is the rule's stable id; each edit adds a version. The version in
-- force (superseded_at IS NULL) says what the rule is and for which dates of service
-- (effective_from through effective_to, inclusive; effective_to NULL: open-ended).
CREATE TABLE payer_rules (
  id             text NOT NULL CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  version        integer NOT NULL CHECK (version >= 1),
  payer_id       text NOT NULL CHECK (payer_id <> ''),
  kind           text NOT NULL CHECK (kind IN ('requires-jw-jz', 'waives-jw-jz', 'requires-ndc', 'bundles-pair', 'site-of-service', 'auth-required')),
  -- The kind's own fields (bundles-pair: column1, column2, modifierAllowed; site-of-service: codes,
  -- allowedSites; auth-required: codes).
  params         jsonb NOT NULL DEFAULT '{}'::jsonb,
  note           text,
  effective_from date NOT NULL,
  effective_to   date CHECK (effective_to IS NULL OR effective_to >= effective_from),
  recorded_at    timestamptz NOT NULL,
  recorded_by    text NOT NULL,
  reason         text NOT NULL CHECK (reason <> ''),
  superseded_at  timestamptz,
  PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX payer_rules_current_idx ON payer_rules (id) WHERE superseded_at IS NULL;
CREATE INDEX payer_rules_payer_idx ON payer_rules (payer_id, effective_from) WHERE superseded_at IS NULL;

-- Payer rules are legal facts: a version is never deleted nor rewritten, only superseded, once.
CREATE FUNCTION payer_rules_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'payer_rules keeps every version: a version is never deleted';
  END IF;
  IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
     OR (to_jsonb(NEW) - 'superseded_at') IS DISTINCT FROM (to_jsonb(OLD) - 'superseded_at') THEN
    RAISE EXCEPTION 'payer_rules keeps every version: a version is only superseded, once';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER payer_rules_keep_history BEFORE UPDATE OR DELETE ON payer_rules
  FOR EACH ROW EXECUTE FUNCTION payer_rules_keep_history();

-- Default rule sets seeded once (the sandbox payers' on first start): seeding again changes nothing.
CREATE TABLE payer_rule_seeds (
  name      text PRIMARY KEY,
  seeded_at timestamptz NOT NULL,
  seeded_by text NOT NULL
);
