-- 0010 sandbox FHIR resources as json: the sandbox EHR stores each resource as the JSON text it was
-- given and serves it back as is. Nothing queries inside a resource (its search fields have their
-- own columns), and jsonb turned every resource a search returned back into text, which was the
-- largest part of the embedded database's work when the pre-service agents read their charts.
ALTER TABLE fhir_resources ALTER COLUMN resource TYPE json USING resource::json;
