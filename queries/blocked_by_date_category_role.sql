-- Blocked requests per school-local date, category and role: the annual review adds them up
-- month by month (what was blocked, for whom).
-- Parameters: :school, :from, :to.
SELECT
  date,
  COALESCE(category, 'uncategorised') AS category,
  role,
  COUNT(*) AS blocked
FROM events
WHERE action = 'blocked'
  AND school = :school
  AND date >= :from
  AND date < :to
GROUP BY date, COALESCE(category, 'uncategorised'), role
