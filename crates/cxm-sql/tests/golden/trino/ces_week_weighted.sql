-- histogram
SELECT k0 AS "channel",
       p AS "cxm_period",
       v0 AS "score",
       COALESCE(SUM(CASE WHEN u0 = 1 THEN wv END), 0) AS "cxm_uncastable_score",
       COALESCE(SUM(CASE WHEN up = 1 THEN wv END), 0) AS "cxm_uncastable_period",
       COALESCE(SUM(wv), 0) AS "cxm_weight", COUNT(*) AS "cxm_rows", SUM(wbad) AS "cxm_invalid_weight"
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year_of_week(pd) AS VARCHAR), 4, '0') || '-W' || LPAD(CAST(week(pd) AS VARCHAR), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[+-]?[0-9]{1,18}$') THEN TRY_CAST(r0 AS BIGINT) END AS v0,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND regexp_like(rw, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(rw AS DOUBLE) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST("channel" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Ease" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("day" AS VARCHAR)), '') AS rp,
       NULLIF(TRIM(CAST("responses" AS VARCHAR)), '') AS rw
FROM "survey_rollup"
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
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year_of_week(pd) AS VARCHAR), 4, '0') || '-W' || LPAD(CAST(week(pd) AS VARCHAR), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[+-]?[0-9]{1,18}$') THEN TRY_CAST(r0 AS BIGINT) END AS v0,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND regexp_like(rw, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(rw AS DOUBLE) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST("channel" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Ease" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("day" AS VARCHAR)), '') AS rp,
       NULLIF(TRIM(CAST("responses" AS VARCHAR)), '') AS rw
FROM "survey_rollup"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0
) AS cxm_groups;
