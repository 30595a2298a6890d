-- The domains blocked in the given categories, most blocked first, with how many people met
-- the block and on how many days: the review's possible over-blocking (education, reference,
-- search, health and news sites the filter stopped). A search blocked for its words is the filter
-- judging the words, not the site: those are left to the weekly report's blocked searches.
-- Parameters: :school, :from, :to, :categories.
SELECT
  category,
  domain,
  COUNT(*) AS blocked,
  COUNT(DISTINCT `user`) AS users,
  COUNT(DISTINCT date) AS days,
  MIN(date) AS first_date,
  MAX(date) AS last_date
FROM events
WHERE action = 'blocked'
  AND school = :school
  AND date >= :from
  AND date < :to
  AND category IN (:categories)
  AND search_terms IS NULL
GROUP BY category, domain
ORDER BY blocked DESC, category, domain
