-- The blocked requests behind one spike: one subject at one school in a span of hours on one
-- school-local date. Gives the spike its top domains, distinct users and evidence lines.
-- Parameters: :school, :date, :hour_from, :hour_to (exclusive), :subject.
SELECT
  domain,
  `user`,
  source_file,
  source_line,
  source_content
FROM events
WHERE action = 'blocked'
  AND school = :school
  AND date = :date
  AND EXTRACT(HOUR FROM local_time) >= :hour_from
  AND EXTRACT(HOUR FROM local_time) < :hour_to
  AND COALESCE(category, domain) = :subject
