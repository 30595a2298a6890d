-- Requests per client address and role over a period: the annual review groups the addresses
-- into device ranges (IPv4 /24, IPv6 /64) and shows how much of each range's traffic carries a
-- username, so unauthenticated ranges (guest Wi-Fi, a misconfigured suite) stand out.
-- Parameters: :school, :from, :to.
SELECT
  client_ip,
  role,
  COUNT(*) AS requests,
  COUNT(*) FILTER (WHERE `user` IS NULL) AS without_user,
  COUNT(*) FILTER (WHERE action = 'blocked') AS blocked
FROM events
WHERE school = :school
  AND date >= :from
  AND date < :to
GROUP BY client_ip, role
