-- 0011 CMS quarterly files in the database: every imported ASP payment-limit file and NDC–HCPCS
-- crosswalk (its quarter and dates, source name, SHA-256 of its bytes, rows, who imported it and
-- when, and its text, kept for audit), the rows the service prices from, and — on each check —
-- whether its patient estimate priced any line.
CREATE TABLE cms_files (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('asp', 'crosswalk')),
  quarter        text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
  effective_from date NOT NULL,
  effective_to   date NOT NULL CHECK (effective_to >= effective_from),
  source_name    text NOT NULL,
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  row_count      integer NOT NULL CHECK (row_count > 0),
  -- Rows left out (a crosswalk product listed under an alternate id instead of an NDC), with why.
  skipped        jsonb NOT NULL DEFAULT '[]'::jsonb,
  imported_at    timestamptz NOT NULL,
  imported_by    text NOT NULL,
  raw_text       text NOT NULL,
  -- A corrected file for the same quarter replaces this one; the record and its rows stay.
  replaced_at    timestamptz,
  replaced_by    text REFERENCES cms_files (id)
);
-- One file in force per kind and quarter.
CREATE UNIQUE INDEX cms_files_current_idx ON cms_files (kind, quarter) WHERE replaced_at IS NULL;

CREATE TABLE asp_payment_limits (
  file_id             text NOT NULL REFERENCES cms_files (id),
  hcpcs               text NOT NULL,
  description         text NOT NULL,
  -- The billing unit as CMS writes it ("10 MG", "PER VIAL").
  dosage              text NOT NULL,
  -- Per billing unit, exact as published (ASP + 6 %); NULL where CMS prints N/A (contractor-priced).
  payment_limit       numeric CHECK (payment_limit >= 0),
  coinsurance_percent numeric NOT NULL CHECK (coinsurance_percent BETWEEN 0 AND 100),
  line                integer NOT NULL,
  PRIMARY KEY (file_id, hcpcs)
);

CREATE TABLE ndc_hcpcs_crosswalk (
  file_id                   text NOT NULL REFERENCES cms_files (id),
  ndc11                     text NOT NULL CHECK (ndc11 ~ '^[0-9]{11}$'),
  hcpcs                     text NOT NULL,
  hcpcs_description         text NOT NULL,
  labeler                   text NOT NULL,
  drug_name                 text NOT NULL,
  hcpcs_dosage              text NOT NULL,
  package_size              numeric,
  package_quantity          numeric,
  billing_units             numeric,
  billing_units_per_package numeric,
  line                      integer NOT NULL,
  PRIMARY KEY (file_id, ndc11, hcpcs)
);

-- A patient estimate is produced only when it priced at least one drug line: 'priced', or
-- 'stale' when priced from an earlier quarter's ASP file; 'unpriced' when it priced none.
ALTER TABLE pre_service_checks ADD COLUMN estimate_status text GENERATED ALWAYS AS (
  CASE
    WHEN estimate IS NULL OR jsonb_typeof(estimate) <> 'object' THEN NULL
    WHEN jsonb_typeof(estimate -> 'lines') IS DISTINCT FROM 'array' THEN 'unpriced'
    WHEN jsonb_array_length(estimate -> 'lines') = 0 THEN 'unpriced'
    WHEN estimate -> 'stale' = 'true'::jsonb THEN 'stale'
    ELSE 'priced'
  END
) STORED;
