-- histogram
SELECT v0 AS `wait`,
       SUM(u0) AS `cxm_uncastable_wait`,
       COUNT(*) AS `cxm_weight`
FROM (
SELECT CASE WHEN v0 = 0 THEN CAST(0.0 AS Float64) ELSE SIGN(v0) * EXP(CEIL(log(ABS(v0)) / CAST(0.020000666706669435 AS Float64)) * CAST(0.020000666706669435 AS Float64)) * CAST(0.9900000000000001 AS Float64) END AS v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0
FROM (
SELECT r0,
       CASE WHEN LENGTH(r0) <= 40 AND match(r0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(r0) END AS v0
FROM (
SELECT r0
FROM (
SELECT NULLIF(TRIM(CAST(`wait_minutes` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`wait_minutes` AS Nullable(String))), '') AS f0,
       NULLIF(TRIM(CAST(`queued_on` AS Nullable(String))), '') AS f1
FROM `calls`
) AS cxm_l1
WHERE (CASE WHEN LENGTH(f0) <= 40 AND match(f0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(f0) END) >= 0.0
  AND (CASE WHEN match(f1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN toDate32OrNull(f1) END) < toDate32('2025-07-01')
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT v0
FROM (
SELECT CASE WHEN v0 = 0 THEN CAST(0.0 AS Float64) ELSE SIGN(v0) * EXP(CEIL(log(ABS(v0)) / CAST(0.020000666706669435 AS Float64)) * CAST(0.020000666706669435 AS Float64)) * CAST(0.9900000000000001 AS Float64) END AS v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0
FROM (
SELECT r0,
       CASE WHEN LENGTH(r0) <= 40 AND match(r0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(r0) END AS v0
FROM (
SELECT r0
FROM (
SELECT NULLIF(TRIM(CAST(`wait_minutes` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`wait_minutes` AS Nullable(String))), '') AS f0,
       NULLIF(TRIM(CAST(`queued_on` AS Nullable(String))), '') AS f1
FROM `calls`
) AS cxm_l1
WHERE (CASE WHEN LENGTH(f0) <= 40 AND match(f0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(f0) END) >= 0.0
  AND (CASE WHEN match(f1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN toDate32OrNull(f1) END) < toDate32('2025-07-01')
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0
) AS cxm_groups;
