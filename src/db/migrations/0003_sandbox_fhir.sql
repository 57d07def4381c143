-- 0003 sandbox EHR: FHIR R4 resources of the sandbox clinic, with the search fields the EHR
-- client uses extracted at write time. Not used when a real EHR is configured.
CREATE TABLE fhir_resources (
  resource_type  text NOT NULL,
  id             text NOT NULL,
  version_id     integer NOT NULL DEFAULT 1,
  last_updated   timestamptz NOT NULL DEFAULT now(),
  resource       jsonb NOT NULL,
  patient_id     text,
  encounter_id   text,
  date_start     timestamptz,
  status         text,
  service_type   text,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX fhir_resources_patient_idx ON fhir_resources (resource_type, patient_id);
CREATE INDEX fhir_resources_encounter_idx ON fhir_resources (resource_type, encounter_id);
CREATE INDEX fhir_resources_date_idx ON fhir_resources (resource_type, date_start);
