-- Every blocked request by a known pupil: the attempts that repeated-attempt windows are found
-- in (in Rust: a sliding window per pupil and category). Blocked searches are included with
-- their terms, which count as attempts and are shown to the DSL.
-- Parameters: :from, :to, :school.
SELECT
  `user`,
  year_group,
  ts,
  category,
  domain,
  search_terms,
  client_ip,
  device,
  source_file,
  source_line,
  source_content
FROM events
WHERE role = 'pupil'
  AND action = 'blocked'
  AND `user` IS NOT NULL
  AND school = :school
  AND date >= :from
  AND date < :to
ORDER BY `user`, ts
