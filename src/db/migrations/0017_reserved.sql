-- 0017 reserved for issue 16's run effects (branch i16-b). This placeholder keeps the numbering
-- without gaps on branch i16-d2; the merge replaces it with 0017_run_effects.sql.
SELECT 1;
