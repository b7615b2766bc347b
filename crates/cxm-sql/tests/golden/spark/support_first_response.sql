-- histogram
SELECT k0 AS `Channel`,
       p AS `cxm_period`,
       v0 AS `created_at`,
       v1 AS `first_response_at`,
       SUM(u0) AS `cxm_uncastable_created_at`,
       SUM(u1) AS `cxm_uncastable_first_response_at`,
       SUM(up) AS `cxm_uncastable_period`,
       COUNT(*) AS `cxm_weight`
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year(pd) AS STRING), 4, '0') || '-' || LPAD(CAST(month(pd) AS STRING), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       TRY_CAST(n0 AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-o0 AS INT), 0) AS v0,
       r1,
       TRY_CAST(n1 AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-o1 AS INT), 0) AS v1,
       rp,
       CAST(TRY_CAST(np AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-op AS INT), 0) + make_interval(0, 0, 0, 0, 0, CAST(330 AS INT), 0) AS DATE) AS pd
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r0, 1, 10) || ' ' || SUBSTR(r0, 12, 8) || SUBSTR(r0, 20, CASE WHEN LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r0, LENGTH(r0) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(r0, LENGTH(r0) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(r0, LENGTH(r0) - 1, 2) AS BIGINT)) ELSE 0 END AS o0,
       r1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r1, 1, 10) || ' ' || SUBSTR(r1, 12, 8) || SUBSTR(r1, 20, CASE WHEN LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r1, LENGTH(r1) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(r1, LENGTH(r1) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(r1, LENGTH(r1) - 1, 2) AS BIGINT)) ELSE 0 END AS o1,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS BIGINT)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST(`Channel` AS STRING)), '') AS k0,
       NULLIF(TRIM(CAST(`Created` AS STRING)), '') AS r0,
       NULLIF(TRIM(CAST(`First Response` AS STRING)), '') AS r1,
       NULLIF(TRIM(CAST(`Created` AS STRING)), '') AS rp
FROM `tickets`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1;

-- group count
SELECT COUNT(*) AS `cxm_groups`
FROM (
SELECT k0, p, v0, v1
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year(pd) AS STRING), 4, '0') || '-' || LPAD(CAST(month(pd) AS STRING), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       TRY_CAST(n0 AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-o0 AS INT), 0) AS v0,
       r1,
       TRY_CAST(n1 AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-o1 AS INT), 0) AS v1,
       rp,
       CAST(TRY_CAST(np AS TIMESTAMP_NTZ) + make_interval(0, 0, 0, 0, 0, CAST(-op AS INT), 0) + make_interval(0, 0, 0, 0, 0, CAST(330 AS INT), 0) AS DATE) AS pd
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r0, 1, 10) || ' ' || SUBSTR(r0, 12, 8) || SUBSTR(r0, 20, CASE WHEN LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r0) - 19 - (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r0, LENGTH(r0), 1) = 'Z' THEN 1 WHEN LENGTH(r0) >= 25 AND SUBSTR(r0, LENGTH(r0) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r0, LENGTH(r0) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(r0, LENGTH(r0) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(r0, LENGTH(r0) - 1, 2) AS BIGINT)) ELSE 0 END AS o0,
       r1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(r1, 1, 10) || ' ' || SUBSTR(r1, 12, 8) || SUBSTR(r1, 20, CASE WHEN LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(r1) - 19 - (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS n1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(r1, LENGTH(r1), 1) = 'Z' THEN 1 WHEN LENGTH(r1) >= 25 AND SUBSTR(r1, LENGTH(r1) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(r1, LENGTH(r1) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(r1, LENGTH(r1) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(r1, LENGTH(r1) - 1, 2) AS BIGINT)) ELSE 0 END AS o1,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') THEN SUBSTR(rp, 1, 10) || ' ' || SUBSTR(rp, 12, 8) || SUBSTR(rp, 20, CASE WHEN LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) > 7 THEN 7 ELSE LENGTH(rp) - 19 - (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) END) END AS np,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') AND (CASE WHEN SUBSTR(rp, LENGTH(rp), 1) = 'Z' THEN 1 WHEN LENGTH(rp) >= 25 AND SUBSTR(rp, LENGTH(rp) - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END) = 6 THEN CASE WHEN SUBSTR(rp, LENGTH(rp) - 5, 1) = '-' THEN -1 ELSE 1 END * (TRY_CAST(SUBSTR(rp, LENGTH(rp) - 4, 2) AS BIGINT) * 60 + TRY_CAST(SUBSTR(rp, LENGTH(rp) - 1, 2) AS BIGINT)) ELSE 0 END AS op
FROM (
SELECT NULLIF(TRIM(CAST(`Channel` AS STRING)), '') AS k0,
       NULLIF(TRIM(CAST(`Created` AS STRING)), '') AS r0,
       NULLIF(TRIM(CAST(`First Response` AS STRING)), '') AS r1,
       NULLIF(TRIM(CAST(`Created` AS STRING)), '') AS rp
FROM `tickets`
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1
) AS cxm_groups;
