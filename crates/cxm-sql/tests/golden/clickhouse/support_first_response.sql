-- histogram
SELECT k0 AS `Channel`,
       p AS `cxm_period`,
       v0 AS `created_at`,
       v1 AS `first_response_at`,
       SUM(u0) AS `cxm_uncastable_created_at`,
       SUM(u1) AS `cxm_uncastable_first_response_at`,
       SUM(up) AS `cxm_uncastable_period`,
       COUNT(*) AS `cxm_weight`
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN pd IS NOT NULL THEN leftPad(toString(toYear(pd)), 4, '0') || '-' || leftPad(toString(toMonth(pd)), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       addMinutes(parseDateTime64BestEffortOrNull(n0, 6, 'UTC'), -o0) AS v0,
       r1,
       addMinutes(parseDateTime64BestEffortOrNull(n1, 6, 'UTC'), -o1) AS v1,
       rp,
       toDate32(addMinutes(addMinutes(parseDateTime64BestEffortOrNull(np, 6, 'UTC'), -op), 330)) AS pd
FROM (
SELECT k0,
       r0,
       CASE WHEN match(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r0, 1, 10) || ' ' || SUBSTR(r0, 12, 8) || SUBSTR(r0, 20, CASE WHEN LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n0,
       CASE WHEN match(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r0, LENGTH(r0) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(r0, LENGTH(r0) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(r0, LENGTH(r0) - 1, 2))) ELSE 0 END AS o0,
       r1,
       CASE WHEN match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r1, 1, 10) || ' ' || SUBSTR(r1, 12, 8) || SUBSTR(r1, 20, CASE WHEN LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n1,
       CASE WHEN match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r1, LENGTH(r1) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(r1, LENGTH(r1) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(r1, LENGTH(r1) - 1, 2))) ELSE 0 END AS o1,
       rp,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(rp, LENGTH(rp) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(rp, LENGTH(rp) - 1, 2))) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST(`Channel` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Created` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`First Response` AS Nullable(String))), '') AS r1,
       NULLIF(TRIM(CAST(`Created` AS Nullable(String))), '') AS rp
FROM `tickets`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT k0, p, v0, v1
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN pd IS NOT NULL THEN leftPad(toString(toYear(pd)), 4, '0') || '-' || leftPad(toString(toMonth(pd)), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       addMinutes(parseDateTime64BestEffortOrNull(n0, 6, 'UTC'), -o0) AS v0,
       r1,
       addMinutes(parseDateTime64BestEffortOrNull(n1, 6, 'UTC'), -o1) AS v1,
       rp,
       toDate32(addMinutes(addMinutes(parseDateTime64BestEffortOrNull(np, 6, 'UTC'), -op), 330)) AS pd
FROM (
SELECT k0,
       r0,
       CASE WHEN match(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r0, 1, 10) || ' ' || SUBSTR(r0, 12, 8) || SUBSTR(r0, 20, CASE WHEN LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n0,
       CASE WHEN match(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r0, LENGTH(r0) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(r0, LENGTH(r0) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(r0, LENGTH(r0) - 1, 2))) ELSE 0 END AS o0,
       r1,
       CASE WHEN match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r1, 1, 10) || ' ' || SUBSTR(r1, 12, 8) || SUBSTR(r1, 20, CASE WHEN LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n1,
       CASE WHEN match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r1, LENGTH(r1) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(r1, LENGTH(r1) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(r1, LENGTH(r1) - 1, 2))) ELSE 0 END AS o1,
       rp,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (toInt64OrNull(SUBSTR(rp, LENGTH(rp) - 4, 2)) * 60 + toInt64OrNull(SUBSTR(rp, LENGTH(rp) - 1, 2))) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST(`Channel` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Created` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`First Response` AS Nullable(String))), '') AS r1,
       NULLIF(TRIM(CAST(`Created` AS Nullable(String))), '') AS rp
FROM `tickets`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1
) AS cxm_groups;
