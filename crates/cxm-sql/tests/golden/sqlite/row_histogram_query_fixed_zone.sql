-- histogram
SELECT r0 AS "region",
       r1 AS "score",
       r2 AS "answered_at",
       r3 AS "answered_month",
       r4 AS "closed_at",
       r5 AS "closed_month",
       r6 AS "created_at",
       r7 AS "created_month",
       r8 AS "revenue",
       COUNT(*) AS "cxm_rows"
FROM (
SELECT "region" AS r0,
       "score" AS r1,
       CASE WHEN (TRIM("answered_at") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_at")) = 19 OR (LENGTH(TRIM("answered_at")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_at"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_at"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_at"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_at"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_at"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_at"), 1, 10)) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (TRIM("answered_month") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_month")) = 19 OR (LENGTH(TRIM("answered_month")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_month"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_month"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_month"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_month"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_month"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_month"), 1, 10)) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       SUBSTR(CAST(DATE("closed_at") AS TEXT), 1, 10) || ' 12:00:00' AS r4,
       SUBSTR(CAST(DATE("closed_month") AS TEXT), 1, 8) || '01 12:00:00' AS r5,
       "created_at" AS r6,
       "created_month" AS r7,
       CASE WHEN CAST("revenue" AS REAL) = 0 THEN CAST(0.0 AS REAL) ELSE SIGN(CAST("revenue" AS REAL)) * EXP(CEIL(LN(ABS(CAST("revenue" AS REAL))) / CAST(0.020000666706669435 AS REAL)) * CAST(0.020000666706669435 AS REAL)) * CAST(0.9900000000000001 AS REAL) END AS r8
FROM (SELECT * FROM survey WHERE channel <> 'test') AS cxm_source
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4, r5, r6, r7, r8;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT r0, r1, r2, r3, r4, r5, r6, r7, r8
FROM (
SELECT "region" AS r0,
       "score" AS r1,
       CASE WHEN (TRIM("answered_at") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_at")) = 19 OR (LENGTH(TRIM("answered_at")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_at"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_at"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_at"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_at"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_at"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_at"), 1, 10)) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (TRIM("answered_month") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_month")) = 19 OR (LENGTH(TRIM("answered_month")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_month"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_month"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_month"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_month"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_month"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_month"), 1, 10)) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       SUBSTR(CAST(DATE("closed_at") AS TEXT), 1, 10) || ' 12:00:00' AS r4,
       SUBSTR(CAST(DATE("closed_month") AS TEXT), 1, 8) || '01 12:00:00' AS r5,
       "created_at" AS r6,
       "created_month" AS r7,
       CASE WHEN CAST("revenue" AS REAL) = 0 THEN CAST(0.0 AS REAL) ELSE SIGN(CAST("revenue" AS REAL)) * EXP(CEIL(LN(ABS(CAST("revenue" AS REAL))) / CAST(0.020000666706669435 AS REAL)) * CAST(0.020000666706669435 AS REAL)) * CAST(0.9900000000000001 AS REAL) END AS r8
FROM (SELECT * FROM survey WHERE channel <> 'test') AS cxm_source
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4, r5, r6, r7, r8
) AS cxm_groups;
