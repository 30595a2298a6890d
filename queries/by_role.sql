-- Requests and blocked requests by role and year group: staff against pupils, and which year
-- groups meet the filter most.
-- Parameters: :school, :from, :to.
SELECT
  role,
  year_group,
  COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE action = 'blocked') AS blocked,
  COUNT(DISTINCT `user`) AS users
FROM events
WHERE school = :school
  AND date >= :from
  AND date < :to
GROUP BY role, year_group
ORDER BY role, year_group NULLS LAST
