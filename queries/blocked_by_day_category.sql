-- Blocked requests per school-local date and category (uncategorised when neither the filter
-- nor the lists gave one), for the stacked daily chart and the top-categories table.
-- Parameters: :school, :from, :to.
SELECT
  date,
  COALESCE(category, 'uncategorised') AS category,
  COUNT(*) AS blocked,
  COUNT(DISTINCT `user`) AS users
FROM events
WHERE action = 'blocked'
  AND school = :school
  AND date >= :from
  AND date < :to
GROUP BY date, COALESCE(category, 'uncategorised')
