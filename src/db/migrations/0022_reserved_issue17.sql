-- 0022 placeholder in the console-inbox branch only: another branch of issue 17 owns this number.
-- Drop this file at the merge (the numbers must have no gap for the migrator).
SELECT 1;
