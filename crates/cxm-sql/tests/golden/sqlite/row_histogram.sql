-- histogram
SELECT r0 AS "region",
       r1 AS "score",
       r2 AS "answered_at",
       r3 AS "closed_at",
       r4 AS "created_at",
       COUNT(*) AS "cxm_rows"
FROM (
SELECT "region" AS r0,
       "score" AS r1,
       CASE WHEN (TRIM("answered_at") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_at")) = 19 OR (LENGTH(TRIM("answered_at")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_at"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_at"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_at"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_at"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_at"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_at"), 1, 10)) THEN CAST(SUBSTR(TRIM("answered_at"), 1, 10) AS TEXT) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CAST(DATE("closed_at") AS TEXT) || ' 12:00:00' AS r3,
       "created_at" AS r4
FROM "analytics"."survey"
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT r0, r1, r2, r3, r4
FROM (
SELECT "region" AS r0,
       "score" AS r1,
       CASE WHEN (TRIM("answered_at") GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' AND (LENGTH(TRIM("answered_at")) = 19 OR (LENGTH(TRIM("answered_at")) BETWEEN 21 AND 29 AND SUBSTR(TRIM("answered_at"), 20, 1) = '.' AND (SUBSTR(TRIM("answered_at"), 21) <> '' AND TRIM(SUBSTR(TRIM("answered_at"), 21), '0123456789') = ''))) AND CAST(SUBSTR(TRIM("answered_at"), 12, 2) AS INTEGER) < 24 AND DATE(SUBSTR(TRIM("answered_at"), 1, 10), '+0 days') = SUBSTR(TRIM("answered_at"), 1, 10)) THEN CAST(SUBSTR(TRIM("answered_at"), 1, 10) AS TEXT) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CAST(DATE("closed_at") AS TEXT) || ' 12:00:00' AS r3,
       "created_at" AS r4
FROM "analytics"."survey"
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4
) AS cxm_groups;
