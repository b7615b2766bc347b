-- histogram
SELECT k0 AS `channel`,
       p AS `cxm_period`,
       v0 AS `score`,
       COALESCE(SUM(CASE WHEN u0 = 1 THEN wv END), 0) AS `cxm_uncastable_score`,
       COALESCE(SUM(CASE WHEN up = 1 THEN wv END), 0) AS `cxm_uncastable_period`,
       COALESCE(SUM(wv), 0) AS `cxm_weight`, COUNT(*) AS `cxm_rows`, SUM(wbad) AS `cxm_invalid_weight`
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       CASE WHEN pd IS NOT NULL THEN leftPad(toString(toISOYear(pd)), 4, '0') || '-W' || leftPad(toString(toISOWeek(pd)), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN match(r0, '^[+-]?[0-9]{1,18}$') THEN toInt64OrNull(r0) END AS v0,
       rp,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN toDate32OrNull(rp) END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND match(rw, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(rw) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST(`channel` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Ease` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`day` AS Nullable(String))), '') AS rp,
       NULLIF(TRIM(CAST(`responses` AS Nullable(String))), '') AS rw
FROM `survey_rollup`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT k0, p, v0
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       CASE WHEN pd IS NOT NULL THEN leftPad(toString(toISOYear(pd)), 4, '0') || '-W' || leftPad(toString(toISOWeek(pd)), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN match(r0, '^[+-]?[0-9]{1,18}$') THEN toInt64OrNull(r0) END AS v0,
       rp,
       CASE WHEN match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN toDate32OrNull(rp) END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND match(rw, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN toFloat64OrNull(rw) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST(`channel` AS Nullable(String))), '') AS k0,
       NULLIF(TRIM(CAST(`Ease` AS Nullable(String))), '') AS r0,
       NULLIF(TRIM(CAST(`day` AS Nullable(String))), '') AS rp,
       NULLIF(TRIM(CAST(`responses` AS Nullable(String))), '') AS rw
FROM `survey_rollup`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0
) AS cxm_groups;
