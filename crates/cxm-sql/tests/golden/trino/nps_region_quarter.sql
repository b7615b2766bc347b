-- histogram
SELECT k0 AS "region",
       p AS "cxm_period",
       v0 AS "score",
       SUM(u0) AS "cxm_uncastable_score",
       SUM(up) AS "cxm_uncastable_period",
       COUNT(*) AS "cxm_weight"
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST((year(pd)) AS VARCHAR), 4, '0') || CASE WHEN (month(pd) - 1) < 3 THEN '-Q1' WHEN (month(pd) - 1) < 6 THEN '-Q2' WHEN (month(pd) - 1) < 9 THEN '-Q3' ELSE '-Q4' END END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[+-]?[0-9]{1,18}$') THEN TRY_CAST(r0 AS BIGINT) END AS v0,
       rp,
       CAST(date_add('minute', -op, TRY_CAST(np AS TIMESTAMP(6))) AS DATE) AS pd
FROM (
SELECT k0,
       r0,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS BIGINT)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST("region" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Likelihood to recommend" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("submitted_at" AS VARCHAR)), '') AS rp
FROM "survey"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT k0, p, v0
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST((year(pd)) AS VARCHAR), 4, '0') || CASE WHEN (month(pd) - 1) < 3 THEN '-Q1' WHEN (month(pd) - 1) < 6 THEN '-Q2' WHEN (month(pd) - 1) < 9 THEN '-Q3' ELSE '-Q4' END END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[+-]?[0-9]{1,18}$') THEN TRY_CAST(r0 AS BIGINT) END AS v0,
       rp,
       CAST(date_add('minute', -op, TRY_CAST(np AS TIMESTAMP(6))) AS DATE) AS pd
FROM (
SELECT k0,
       r0,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS BIGINT)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST("region" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Likelihood to recommend" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("submitted_at" AS VARCHAR)), '') AS rp
FROM "survey"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0
) AS cxm_groups;
