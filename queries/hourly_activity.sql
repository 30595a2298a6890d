-- Requests and blocked requests per school-local date and hour, with their categories: the heat
-- map (blocked, by weekday and hour), the spike charts and the coverage check (hours of the
-- school day with no log lines at all).
-- Parameters: :school, :from, :to.
SELECT
  date,
  weekday,
  CAST(EXTRACT(HOUR FROM local_time) AS INT) AS hour,
  COALESCE(category, domain) AS subject,
  COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE action = 'blocked') AS blocked
FROM events
WHERE school = :school
  AND date >= :from
  AND date < :to
GROUP BY date, weekday, hour, subject
