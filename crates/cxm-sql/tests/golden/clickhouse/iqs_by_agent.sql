-- histogram
SELECT k0 AS `Agent`,
       v0 AS `review_id`,
       v1 AS `criterion`,
       v2 AS `score`,
       SUM(u0) AS `cxm_uncastable_review_id`,
       SUM(u1) AS `cxm_uncastable_criterion`,
       SUM(u2) AS `cxm_uncastable_score`,
       COUNT(*) AS `cxm_weight`
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2
FROM (
SELECT k0,
       r0,
       r0 AS v0,
       r1,
       r1 AS v1,
       r2,
       CASE WHEN LENGTH(r2) <= 40 AND match(r2, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(r2) END AS v2
FROM (
SELECT k0,
       r0,
       r1,
       r2
FROM (
SELECT NULLIF(TRIM(CAST(`Agent` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Review` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`Criterion` AS Nullable(String))), '') AS r1,
       NULLIF(TRIM(CAST(`Score` AS Nullable(String))), '') AS r2,
       NULLIF(TRIM(CAST(`Criterion` AS Nullable(String))), '') AS f0,
       NULLIF(TRIM(CAST(`Score` AS Nullable(String))), '') AS f1
FROM `qa_reviews`
) AS cxm_l1
WHERE (f0) IN ('greeting', 'accuracy', 'compliance')
  AND (CASE WHEN LENGTH(f1) <= 40 AND match(f1, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(f1) END) <= 4.0
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, v0, v1, v2;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT k0, v0, v1, v2
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2
FROM (
SELECT k0,
       r0,
       r0 AS v0,
       r1,
       r1 AS v1,
       r2,
       CASE WHEN LENGTH(r2) <= 40 AND match(r2, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(r2) END AS v2
FROM (
SELECT k0,
       r0,
       r1,
       r2
FROM (
SELECT NULLIF(TRIM(CAST(`Agent` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Review` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`Criterion` AS Nullable(String))), '') AS r1,
       NULLIF(TRIM(CAST(`Score` AS Nullable(String))), '') AS r2,
       NULLIF(TRIM(CAST(`Criterion` AS Nullable(String))), '') AS f0,
       NULLIF(TRIM(CAST(`Score` AS Nullable(String))), '') AS f1
FROM `qa_reviews`
) AS cxm_l1
WHERE (f0) IN ('greeting', 'accuracy', 'compliance')
  AND (CASE WHEN LENGTH(f1) <= 40 AND match(f1, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(f1) END) <= 4.0
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, v0, v1, v2
) AS cxm_groups;
