-- histogram
SELECT p AS "cxm_period",
       v0 AS "customer_id",
       v1 AS "order_date",
       v2 AS "amount",
       SUM(u0) AS "cxm_uncastable_customer_id",
       SUM(u1) AS "cxm_uncastable_order_date",
       SUM(u2) AS "cxm_uncastable_amount",
       SUM(up) AS "cxm_uncastable_period",
       COUNT(*) AS "cxm_weight"
FROM (
SELECT v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN v2 = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(v2) * EXP(CEIL(LN(ABS(v2)) / CAST(0.010000083334583179 AS DOUBLE)) * CAST(0.010000083334583179 AS DOUBLE)) * CAST(0.9950000000000001 AS DOUBLE) END AS v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year(pd) AS VARCHAR), 4, '0') || '-' || LPAD(CAST(month(pd) AS VARCHAR), 2, '0') || '-' || LPAD(CAST(day(pd) AS VARCHAR), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT r0,
       r0 AS v0,
       r1,
       CASE WHEN regexp_full_match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r1 AS DATE) END AS v1,
       r2,
       CASE WHEN LENGTH(r2) <= 40 AND regexp_full_match(r2, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(r2 AS DOUBLE) END AS v2,
       rp,
       CASE WHEN regexp_full_match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd
FROM (
SELECT r0,
       r1,
       r2,
       rp
FROM (
SELECT NULLIF(TRIM(CAST("customer_id" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("order_date" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("amount" AS VARCHAR)), '') AS r2,
       NULLIF(TRIM(CAST("order_date" AS VARCHAR)), '') AS rp
FROM "orders"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY p, v0, v1, v2;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT p, v0, v1, v2
FROM (
SELECT v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       CASE WHEN v2 = 0 THEN CAST(0.0 AS DOUBLE) ELSE SIGN(v2) * EXP(CEIL(LN(ABS(v2)) / CAST(0.010000083334583179 AS DOUBLE)) * CAST(0.010000083334583179 AS DOUBLE)) * CAST(0.9950000000000001 AS DOUBLE) END AS v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2,
       CASE WHEN pd IS NOT NULL THEN LPAD(CAST(year(pd) AS VARCHAR), 4, '0') || '-' || LPAD(CAST(month(pd) AS VARCHAR), 2, '0') || '-' || LPAD(CAST(day(pd) AS VARCHAR), 2, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT r0,
       r0 AS v0,
       r1,
       CASE WHEN regexp_full_match(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r1 AS DATE) END AS v1,
       r2,
       CASE WHEN LENGTH(r2) <= 40 AND regexp_full_match(r2, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$') THEN TRY_CAST(r2 AS DOUBLE) END AS v2,
       rp,
       CASE WHEN regexp_full_match(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd
FROM (
SELECT r0,
       r1,
       r2,
       rp
FROM (
SELECT NULLIF(TRIM(CAST("customer_id" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("order_date" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("amount" AS VARCHAR)), '') AS r2,
       NULLIF(TRIM(CAST("order_date" AS VARCHAR)), '') AS rp
FROM "orders"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY p, v0, v1, v2
) AS cxm_groups;
