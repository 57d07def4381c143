-- 0018 reserved for issue 16's audit log partitioned by month (branch i16-c). This placeholder keeps the numbering
-- without gaps on branch i16-d2; the merge replaces it with 0018_audit_partitions_retention.sql.
SELECT 1;
