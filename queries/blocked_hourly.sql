-- Blocked requests per school, subject, school-local date and hour: the series that spikes are
-- scored on. The subject is the category (the filter's own, else the category lists'), or the
-- domain when neither gave one. Login challenges (Squid 407) are `auth_required`, not `blocked`,
-- so they never count. `hour` comes from `local_time`, the school's wall clock computed at
-- ingest, so no engine time-zone function is needed (DESIGN §7).
-- Parameters: :from, :to (school-local dates, :to exclusive), :schools (a list of ids).
SELECT
  school,
  COALESCE(category, domain) AS subject,
  CASE WHEN category IS NULL THEN 'domain' ELSE 'category' END AS subject_kind,
  date,
  CAST(EXTRACT(HOUR FROM local_time) AS INT) AS hour,
  COUNT(*) AS blocked
FROM events
WHERE action = 'blocked'
  AND date >= :from
  AND date < :to
  AND school IN (:schools)
GROUP BY school, subject, subject_kind, date, hour
