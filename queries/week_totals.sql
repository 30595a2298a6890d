-- The week in numbers for one school: requests, blocked requests, people, and how much of the
-- traffic carries no username (a coverage gap: those requests cannot be traced to anyone).
-- Parameters: :school, :from, :to (school-local dates, :to exclusive).
SELECT
  COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE action = 'blocked') AS blocked,
  COUNT(*) FILTER (WHERE action = 'auth_required') AS login_challenges,
  COUNT(*) FILTER (WHERE `user` IS NULL AND action <> 'auth_required') AS without_user,
  COUNT(DISTINCT `user`) AS users,
  COUNT(DISTINCT client_ip) AS devices
FROM events
WHERE school = :school
  AND date >= :from
  AND date < :to
