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
       CASE WHEN pd IS NOT NULL THEN PRINTF('%04d', (CAST(STRFTIME('%Y', pd) AS INTEGER))) || CASE WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 3 THEN '-Q1' WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 6 THEN '-Q2' WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 9 THEN '-Q3' ELSE '-Q4' END END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN LENGTH(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END) <= 18 AND (CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END <> '' AND TRIM(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END, '0123456789') = '') THEN CAST(r0 AS INTEGER) END AS v0,
       rp,
       DATE(STRFTIME('%Y-%m-%d %H:%M:%f', CASE WHEN DATE(SUBSTR(np, 1, 10), '+0 days') = SUBSTR(np, 1, 10) AND CAST(SUBSTR(np, 12, 2) AS INTEGER) < 24 AND CAST(SUBSTR(np, 15, 2) AS INTEGER) < 60 AND CAST(SUBSTR(np, 18, 2) AS INTEGER) < 60 THEN STRFTIME('%Y-%m-%d %H:%M:%f', np) END, (-op) || ' minutes')) AS pd
FROM (
SELECT k0,
       r0,
       rp,
       CASE WHEN (rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' AND ((SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END))) = '' OR (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 1, 1) = '.' AND (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2) <> '' AND TRIM(SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2), '0123456789') = ''))) AND ((SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) IN ('', 'Z') OR (SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) GLOB '[+-][0-9][0-9]:[0-9][0-9]')) THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN (rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' AND ((SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END))) = '' OR (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 1, 1) = '.' AND (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2) <> '' AND TRIM(SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2), '0123456789') = ''))) AND ((SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) IN ('', 'Z') OR (SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) GLOB '[+-][0-9][0-9]:[0-9][0-9]')) AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS INTEGER) * 60 + CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS INTEGER)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST("region" AS TEXT)), '') AS k0,
       NULLIF(TRIM(CAST("Likelihood to recommend" AS TEXT)), '') AS r0,
       NULLIF(TRIM(CAST("submitted_at" AS TEXT)), '') AS rp
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
       CASE WHEN pd IS NOT NULL THEN PRINTF('%04d', (CAST(STRFTIME('%Y', pd) AS INTEGER))) || CASE WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 3 THEN '-Q1' WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 6 THEN '-Q2' WHEN (CAST(STRFTIME('%m', pd) AS INTEGER) - 1) < 9 THEN '-Q3' ELSE '-Q4' END END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN LENGTH(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END) <= 18 AND (CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END <> '' AND TRIM(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END, '0123456789') = '') THEN CAST(r0 AS INTEGER) END AS v0,
       rp,
       DATE(STRFTIME('%Y-%m-%d %H:%M:%f', CASE WHEN DATE(SUBSTR(np, 1, 10), '+0 days') = SUBSTR(np, 1, 10) AND CAST(SUBSTR(np, 12, 2) AS INTEGER) < 24 AND CAST(SUBSTR(np, 15, 2) AS INTEGER) < 60 AND CAST(SUBSTR(np, 18, 2) AS INTEGER) < 60 THEN STRFTIME('%Y-%m-%d %H:%M:%f', np) END, (-op) || ' minutes')) AS pd
FROM (
SELECT k0,
       r0,
       rp,
       CASE WHEN (rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' AND ((SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END))) = '' OR (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 1, 1) = '.' AND (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2) <> '' AND TRIM(SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2), '0123456789') = ''))) AND ((SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) IN ('', 'Z') OR (SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) GLOB '[+-][0-9][0-9]:[0-9][0-9]')) THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN (rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' AND ((SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END))) = '' OR (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 1, 1) = '.' AND (SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2) <> '' AND TRIM(SUBSTR(SUBSTR(rp, 20, LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END)), 2), '0123456789') = ''))) AND ((SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) IN ('', 'Z') OR (SUBSTR(rp, LENGTH(rp) - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) + 1)) GLOB '[+-][0-9][0-9]:[0-9][0-9]')) AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS INTEGER) * 60 + CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS INTEGER)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST("region" AS TEXT)), '') AS k0,
       NULLIF(TRIM(CAST("Likelihood to recommend" AS TEXT)), '') AS r0,
       NULLIF(TRIM(CAST("submitted_at" AS TEXT)), '') AS rp
FROM "survey"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0
) AS cxm_groups;
