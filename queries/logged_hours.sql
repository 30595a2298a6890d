-- Log lines per school-local date and hour, whatever they were: the review finds the school
-- days and hours in which nothing at all was logged.
-- Parameters: :school, :from, :to.
SELECT
  date,
  CAST(EXTRACT(HOUR FROM local_time) AS INT) AS hour,
  COUNT(*) AS requests
FROM events
WHERE school = :school
  AND date >= :from
  AND date < :to
GROUP BY date, hour
