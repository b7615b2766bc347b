-- histogram
SELECT r0 AS `region`,
       r1 AS `score`,
       r2 AS `answered_at`,
       r3 AS `closed_at`,
       r4 AS `created_at`,
       COUNT(*) AS `cxm_rows`
FROM (
SELECT `region` AS r0,
       `score` AS r1,
       CASE WHEN (regexp_like(TRIM(`answered_at`), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN regexp_like(SUBSTR(TRIM(`answered_at`), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(SUBSTR(TRIM(`answered_at`), 1, 10) AS DATE) END IS NOT NULL) THEN CAST(SUBSTR(TRIM(`answered_at`), 1, 10) AS STRING) || ' 12:00:00' ELSE `answered_at` END AS r2,
       CAST(CAST(`closed_at` AS DATE) AS STRING) || ' 12:00:00' AS r3,
       `created_at` AS r4
FROM `analytics`.`survey`
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT r0, r1, r2, r3, r4
FROM (
SELECT `region` AS r0,
       `score` AS r1,
       CASE WHEN (regexp_like(TRIM(`answered_at`), '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$') AND CASE WHEN regexp_like(SUBSTR(TRIM(`answered_at`), 1, 10), '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(SUBSTR(TRIM(`answered_at`), 1, 10) AS DATE) END IS NOT NULL) THEN CAST(SUBSTR(TRIM(`answered_at`), 1, 10) AS STRING) || ' 12:00:00' ELSE `answered_at` END AS r2,
       CAST(CAST(`closed_at` AS DATE) AS STRING) || ' 12:00:00' AS r3,
       `created_at` AS r4
FROM `analytics`.`survey`
) AS cxm_rows_in
GROUP BY r0, r1, r2, r3, r4
) AS cxm_groups;
