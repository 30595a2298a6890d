-- Every blocked request at one school, whoever made it (pupils, staff, guests, requests with no
-- user): the rows the immediate high-risk rules look at (one blocked request in the immediate
-- tier, repeated filter bypass). Grouping into incidents is done in Rust (gap-based episodes and a
-- sliding window, which polars SQL and Spark do not express the same way).
-- Parameters: :from, :to, :school.
SELECT
  `user`,
  role,
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
WHERE action = 'blocked'
  AND school = :school
  AND date >= :from
  AND date < :to
ORDER BY ts
