-- 0016 reserved for issue 16's service instances (branch i16-a). This placeholder keeps the numbering
-- without gaps on branch i16-d2; the merge replaces it with 0016_service_instances.sql.
SELECT 1;
