-- Blocked searches: what was typed, by whom, when. These name people, so they appear only in the
-- school's own report, never in local-authority outputs.
-- Parameters: :school, :from, :to.
SELECT
  search_terms,
  `user`,
  role,
  year_group,
  MIN(ts) AS first_ts,
  COUNT(*) AS times
FROM events
WHERE action = 'blocked'
  AND search_terms IS NOT NULL
  AND school = :school
  AND date >= :from
  AND date < :to
GROUP BY search_terms, `user`, role, year_group
ORDER BY first_ts
