-- The most blocked domains of the week with their category and how many people tried them.
-- Parameters: :school, :from, :to.
SELECT
  domain,
  MIN(COALESCE(category, 'uncategorised')) AS category,
  COUNT(*) AS blocked,
  COUNT(DISTINCT `user`) AS users
FROM events
WHERE action = 'blocked'
  AND school = :school
  AND date >= :from
  AND date < :to
GROUP BY domain
ORDER BY blocked DESC, domain
LIMIT 40
