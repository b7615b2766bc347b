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
       CASE WHEN pd IS NOT NULL THEN PRINTF('%04d', CAST(STRFTIME('%Y', DATE(pd, '-' || ((CAST(STRFTIME('%w', pd) AS INTEGER) + 6) % 7) || ' days', '+3 days')) AS INTEGER)) || '-W' || PRINTF('%02d', (CAST(STRFTIME('%j', DATE(pd, '-' || ((CAST(STRFTIME('%w', pd) AS INTEGER) + 6) % 7) || ' days', '+3 days')) AS INTEGER) - 1) / 7 + 1) END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN LENGTH(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END) <= 18 AND (CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END <> '' AND TRIM(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END, '0123456789') = '') THEN CAST(r0 AS INTEGER) END AS v0,
       rp,
       CASE WHEN rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND DATE(rp, '+0 days') = rp THEN rp END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND (CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END) NOT IN ('', '.') AND TRIM(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END, '0123456789.') = '' AND LENGTH(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END) - LENGTH(REPLACE(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END, '.', '')) <= 1 AND (INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') = 0 OR (LENGTH(CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END) <= 2 AND (CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END <> '' AND TRIM(CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END, '0123456789') = ''))) THEN CAST(rw AS REAL) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST("channel" AS TEXT)), '') AS k0,
       NULLIF(TRIM(CAST("Ease" AS TEXT)), '') AS r0,
       NULLIF(TRIM(CAST("day" AS TEXT)), '') AS rp,
       NULLIF(TRIM(CAST("responses" AS TEXT)), '') AS rw
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
       CASE WHEN pd IS NOT NULL THEN PRINTF('%04d', CAST(STRFTIME('%Y', DATE(pd, '-' || ((CAST(STRFTIME('%w', pd) AS INTEGER) + 6) % 7) || ' days', '+3 days')) AS INTEGER)) || '-W' || PRINTF('%02d', (CAST(STRFTIME('%j', DATE(pd, '-' || ((CAST(STRFTIME('%w', pd) AS INTEGER) + 6) % 7) || ' days', '+3 days')) AS INTEGER) - 1) / 7 + 1) END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up,
       CASE WHEN w >= 0 THEN w END AS wv,
       CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad
FROM (
SELECT k0,
       r0,
       CASE WHEN LENGTH(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END) <= 18 AND (CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END <> '' AND TRIM(CASE WHEN SUBSTR(r0, 1, 1) IN ('+', '-') THEN SUBSTR(r0, 2) ELSE r0 END, '0123456789') = '') THEN CAST(r0 AS INTEGER) END AS v0,
       rp,
       CASE WHEN rp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND DATE(rp, '+0 days') = rp THEN rp END AS pd,
       CASE WHEN LENGTH(rw) <= 40 AND (CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END) NOT IN ('', '.') AND TRIM(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END, '0123456789.') = '' AND LENGTH(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END) - LENGTH(REPLACE(CASE WHEN INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') > 0 THEN SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, 1, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') - 1) ELSE CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END END, '.', '')) <= 1 AND (INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') = 0 OR (LENGTH(CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END) <= 2 AND (CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END <> '' AND TRIM(CASE WHEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 1, 1) IN ('+', '-') THEN SUBSTR(SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1), 2) ELSE SUBSTR(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END, INSTR(LOWER(CASE WHEN SUBSTR(rw, 1, 1) IN ('+', '-') THEN SUBSTR(rw, 2) ELSE rw END), 'e') + 1) END, '0123456789') = ''))) THEN CAST(rw AS REAL) END AS w
FROM (
SELECT k0,
       r0,
       rp,
       rw
FROM (
SELECT NULLIF(TRIM(CAST("channel" AS TEXT)), '') AS k0,
       NULLIF(TRIM(CAST("Ease" AS TEXT)), '') AS r0,
       NULLIF(TRIM(CAST("day" AS TEXT)), '') AS rp,
       NULLIF(TRIM(CAST("responses" AS TEXT)), '') AS rw
FROM "survey_rollup"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0
) AS cxm_groups;
