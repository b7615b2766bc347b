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
       CASE WHEN (REGEXP_LIKE(TRIM("answered_at"), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN REGEXP_LIKE(SUBSTR(TRIM("answered_at"), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_TO_DATE(SUBSTR(TRIM("answered_at"), 1, 10), 'YYYY-MM-DD') END IS NOT NULL) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (REGEXP_LIKE(TRIM("answered_month"), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN REGEXP_LIKE(SUBSTR(TRIM("answered_month"), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_TO_DATE(SUBSTR(TRIM("answered_month"), 1, 10), 'YYYY-MM-DD') END IS NOT NULL) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       SUBSTR(CAST(CAST("closed_at" AS DATE) AS VARCHAR), 1, 10) || ' 12:00:00' AS r4,
       SUBSTR(CAST(CAST("closed_month" AS DATE) AS VARCHAR), 1, 8) || '01 12:00:00' AS r5,
       "created_at" AS r6,
       "created_month" AS r7,
       CASE WHEN CAST("revenue" AS DOUBLE) = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(CAST("revenue" AS DOUBLE)) * EXP(CEIL(LN(ABS(CAST("revenue" AS DOUBLE))) / CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.9900000000000001 AS DOUBLE) END AS r8
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
       CASE WHEN (REGEXP_LIKE(TRIM("answered_at"), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN REGEXP_LIKE(SUBSTR(TRIM("answered_at"), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_TO_DATE(SUBSTR(TRIM("answered_at"), 1, 10), 'YYYY-MM-DD') END IS NOT NULL) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (REGEXP_LIKE(TRIM("answered_month"), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN REGEXP_LIKE(SUBSTR(TRIM("answered_month"), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_TO_DATE(SUBSTR(TRIM("answered_month"), 1, 10), 'YYYY-MM-DD') END IS NOT NULL) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       SUBSTR(CAST(CAST("closed_at" AS DATE) AS VARCHAR), 1, 10) || ' 12:00:00' AS r4,
       SUBSTR(CAST(CAST("closed_month" AS DATE) AS VARCHAR), 1, 8) || '01 12:00:00' AS r5,
       "created_at" AS r6,
       "created_month" AS r7,
       CASE WHEN CAST("revenue" AS DOUBLE) = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(CAST("revenue" AS DOUBLE)) * EXP(CEIL(LN(ABS(CAST("revenue" AS DOUBLE))) / CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.020000666706669435 AS DOUBLE)) * CAST(0.9900000000000001 AS DOUBLE) END AS r8
FROM (SELECT * FROM survey WHERE channel <> 'test') AS cxm_source
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4, r5, r6, r7, r8
) AS cxm_groups;
