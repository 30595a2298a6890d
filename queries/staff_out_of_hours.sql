-- Staff requests outside the staff day, on a day that is not a school day, or in a holiday, all
-- in the school's local time (`local_time` and `weekday` were computed at ingest in the school's
-- zone, so 07:15 BST is 07:15 here). Rows with no user, pupils and service accounts are left out,
-- and so are login challenges and requests with no host (nothing was browsed). Sessions are formed
-- from these rows in Rust.
-- Parameters: :from, :to, :school, :school_weekdays (ISO 1 = Monday), :holiday_dates (a list),
-- :staff_start_minute, :staff_end_minute (minutes after local midnight).
SELECT
  `user`,
  role,
  ts,
  action,
  category,
  domain,
  client_ip,
  device,
  source_file,
  source_line,
  source_content
FROM events
WHERE role = 'staff'
  AND `user` IS NOT NULL
  AND action <> 'auth_required'
  AND domain IS NOT NULL
  AND school = :school
  AND date >= :from
  AND date < :to
  AND (
    weekday NOT IN (:school_weekdays)
    OR date IN (:holiday_dates)
    OR CAST(EXTRACT(HOUR FROM local_time) AS INT) * 60 + CAST(EXTRACT(MINUTE FROM local_time) AS INT) < :staff_start_minute
    OR CAST(EXTRACT(HOUR FROM local_time) AS INT) * 60 + CAST(EXTRACT(MINUTE FROM local_time) AS INT) >= :staff_end_minute
  )
ORDER BY `user`, ts
