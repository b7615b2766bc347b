-- histogram
SELECT v0 AS "converted",
       v1 AS "source",
       SUM(u0) AS "cxm_uncastable_converted",
       SUM(u1) AS "cxm_uncastable_source",
       COUNT(*) AS "cxm_weight"
FROM (
SELECT v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1
FROM (
SELECT r0,
       CASE WHEN LOWER(r0) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(r0) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END AS v0,
       r1,
       r1 AS v1
FROM (
SELECT r0,
       r1
FROM (
SELECT NULLIF(TRIM(CAST("converted" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("utm_source" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("utm_source" AS VARCHAR)), '') AS f0,
       NULLIF(TRIM(CAST("is_bot" AS VARCHAR)), '') AS f1
FROM "sessions"
) AS cxm_l1
WHERE (f0) NOT IN ('test', 'qa''s')
  AND (CASE WHEN LOWER(f1) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(f1) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END) IN (FALSE)
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0, v1;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT v0, v1
FROM (
SELECT v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1
FROM (
SELECT r0,
       CASE WHEN LOWER(r0) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(r0) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END AS v0,
       r1,
       r1 AS v1
FROM (
SELECT r0,
       r1
FROM (
SELECT NULLIF(TRIM(CAST("converted" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("utm_source" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("utm_source" AS VARCHAR)), '') AS f0,
       NULLIF(TRIM(CAST("is_bot" AS VARCHAR)), '') AS f1
FROM "sessions"
) AS cxm_l1
WHERE (f0) NOT IN ('test', 'qa''s')
  AND (CASE WHEN LOWER(f1) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(f1) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END) IN (FALSE)
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY v0, v1
) AS cxm_groups;
