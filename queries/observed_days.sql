-- Days on which each school logged anything at all. Spike baselines count a comparable hour with
-- no blocked request as zero, but only on days the filter was logging.
-- Parameters: :from, :to (school-local dates, :to exclusive), :schools.
SELECT
  school,
  date,
  MIN(weekday) AS weekday,
  COUNT(*) AS requests
FROM events
WHERE date >= :from
  AND date < :to
  AND school IN (:schools)
GROUP BY school, date
