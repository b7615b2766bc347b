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
       CASE WHEN (TRIM("answered_at") ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$' AND CASE WHEN SUBSTR(TRIM("answered_at"), 1, 10) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) >= 1 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) BETWEEN 1 AND 12 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 9, 2) AS INTEGER) BETWEEN 1 AND CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) = 2 THEN 28 + CASE WHEN (CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 4 = 0 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 100 <> 0) OR CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 400 = 0 THEN 1 ELSE 0 END ELSE 30 + (CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) + CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) / 8) % 2 END THEN CAST(SUBSTR(TRIM("answered_at"), 1, 10) AS DATE) END END IS NOT NULL) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (TRIM("answered_month") ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$' AND CASE WHEN SUBSTR(TRIM("answered_month"), 1, 10) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) >= 1 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) BETWEEN 1 AND 12 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 9, 2) AS INTEGER) BETWEEN 1 AND CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) = 2 THEN 28 + CASE WHEN (CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 4 = 0 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 100 <> 0) OR CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 400 = 0 THEN 1 ELSE 0 END ELSE 30 + (CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) + CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) / 8) % 2 END THEN CAST(SUBSTR(TRIM("answered_month"), 1, 10) AS DATE) END END IS NOT NULL) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       DATE_TRUNC('day', "closed_at") + INTERVAL '12 hours' AS r4,
       DATE_TRUNC('month', "closed_month") + INTERVAL '12 hours' AS r5,
       DATE_TRUNC('day', ("created_at" AT TIME ZONE 'Europe/Berlin')) + INTERVAL '12 hours' AS r6,
       DATE_TRUNC('month', ("created_month" AT TIME ZONE 'Europe/Berlin')) + INTERVAL '12 hours' AS r7,
       CASE WHEN CAST("revenue" AS DOUBLE PRECISION) = 0 THEN CAST(0.0 AS DOUBLE PRECISION) ELSE SIGN(CAST("revenue" AS DOUBLE PRECISION)) * EXP(CEIL(LN(ABS(CAST("revenue" AS DOUBLE PRECISION))) / CAST(0.020000666706669435 AS DOUBLE PRECISION)) * CAST(0.020000666706669435 AS DOUBLE PRECISION)) * CAST(0.9900000000000001 AS DOUBLE PRECISION) END AS r8
FROM "analytics"."survey"
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4, r5, r6, r7, r8;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT r0, r1, r2, r3, r4, r5, r6, r7, r8
FROM (
SELECT "region" AS r0,
       "score" AS r1,
       CASE WHEN (TRIM("answered_at") ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$' AND CASE WHEN SUBSTR(TRIM("answered_at"), 1, 10) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) >= 1 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) BETWEEN 1 AND 12 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 9, 2) AS INTEGER) BETWEEN 1 AND CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) = 2 THEN 28 + CASE WHEN (CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 4 = 0 AND CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 100 <> 0) OR CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 1, 4) AS INTEGER) % 400 = 0 THEN 1 ELSE 0 END ELSE 30 + (CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) + CAST(SUBSTR(SUBSTR(TRIM("answered_at"), 1, 10), 6, 2) AS INTEGER) / 8) % 2 END THEN CAST(SUBSTR(TRIM("answered_at"), 1, 10) AS DATE) END END IS NOT NULL) THEN SUBSTR(TRIM("answered_at"), 1, 10) || ' 12:00:00' ELSE "answered_at" END AS r2,
       CASE WHEN (TRIM("answered_month") ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$' AND CASE WHEN SUBSTR(TRIM("answered_month"), 1, 10) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) >= 1 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) BETWEEN 1 AND 12 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 9, 2) AS INTEGER) BETWEEN 1 AND CASE WHEN CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) = 2 THEN 28 + CASE WHEN (CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 4 = 0 AND CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 100 <> 0) OR CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 1, 4) AS INTEGER) % 400 = 0 THEN 1 ELSE 0 END ELSE 30 + (CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) + CAST(SUBSTR(SUBSTR(TRIM("answered_month"), 1, 10), 6, 2) AS INTEGER) / 8) % 2 END THEN CAST(SUBSTR(TRIM("answered_month"), 1, 10) AS DATE) END END IS NOT NULL) THEN SUBSTR(TRIM("answered_month"), 1, 8) || '01 12:00:00' ELSE "answered_month" END AS r3,
       DATE_TRUNC('day', "closed_at") + INTERVAL '12 hours' AS r4,
       DATE_TRUNC('month', "closed_month") + INTERVAL '12 hours' AS r5,
       DATE_TRUNC('day', ("created_at" AT TIME ZONE 'Europe/Berlin')) + INTERVAL '12 hours' AS r6,
       DATE_TRUNC('month', ("created_month" AT TIME ZONE 'Europe/Berlin')) + INTERVAL '12 hours' AS r7,
       CASE WHEN CAST("revenue" AS DOUBLE PRECISION) = 0 THEN CAST(0.0 AS DOUBLE PRECISION) ELSE SIGN(CAST("revenue" AS DOUBLE PRECISION)) * EXP(CEIL(LN(ABS(CAST("revenue" AS DOUBLE PRECISION))) / CAST(0.020000666706669435 AS DOUBLE PRECISION)) * CAST(0.020000666706669435 AS DOUBLE PRECISION)) * CAST(0.9900000000000001 AS DOUBLE PRECISION) END AS r8
FROM "analytics"."survey"
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4, r5, r6, r7, r8
) AS cxm_groups;
