-- histogram
SELECT v0 AS `wait`,
       SUM(u0) AS `cxm_uncastable_wait`,
       COUNT(*) AS `cxm_weight`
FROM (
SELECT CASE WHEN v0 = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(v0) * EXP(CEIL(LN(ABS(v0)) / CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.9900000000000001 AS DOUBLE) END AS v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0
FROM (
SELECT r0,
       CASE WHEN LENGTH(r0) <= 40 AND regexp_like(r0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(r0 AS DOUBLE) END AS v0
FROM (
SELECT r0
FROM (
SELECT NULLIF(TRIM(CAST(`wait_minutes` AS STRING)), '') AS r0,
       NULLIF(TRIM(CAST(`wait_minutes` AS STRING)), '') AS f0,
       NULLIF(TRIM(CAST(`queued_on` AS STRING)), '') AS f1
FROM `calls`
) AS cxm_l1
WHERE (CASE WHEN LENGTH(f0) <= 40 AND regexp_like(f0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(f0 AS DOUBLE) END) >= 0.0
  AND (CASE WHEN regexp_like(f1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(f1 AS DATE) END) < DATE '2025-07-01'
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT v0
FROM (
SELECT CASE WHEN v0 = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(v0) * EXP(CEIL(LN(ABS(v0)) / CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.9900000000000001 AS DOUBLE) END AS v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0
FROM (
SELECT r0,
       CASE WHEN LENGTH(r0) <= 40 AND regexp_like(r0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(r0 AS DOUBLE) END AS v0
FROM (
SELECT r0
FROM (
SELECT NULLIF(TRIM(CAST(`wait_minutes` AS STRING)), '') AS r0,
       NULLIF(TRIM(CAST(`wait_minutes` AS STRING)), '') AS f0,
       NULLIF(TRIM(CAST(`queued_on` AS STRING)), '') AS f1
FROM `calls`
) AS cxm_l1
WHERE (CASE WHEN LENGTH(f0) <= 40 AND regexp_like(f0, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(f0 AS DOUBLE) END) >= 0.0
  AND (CASE WHEN regexp_like(f1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(f1 AS DATE) END) < DATE '2025-07-01'
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0
) AS cxm_groups;
