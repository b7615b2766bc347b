-- histogram
SELECT k0 AS "plan",
       p AS "cxm_period",
       v0 AS "start_date",
       v1 AS "end_date",
       v2 AS "customer_id",
       SUM(u0) AS "cxm_uncastable_start_date",
       SUM(u1) AS "cxm_uncastable_end_date",
       SUM(u2) AS "cxm_uncastable_customer_id",
       SUM(up) AS "cxm_uncastable_period",
       COUNT(*) AS "cxm_weight"
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2,
       CASE WHEN pd IS NOT NULL THEN 'FY' || LPAD(CAST((year(pd) + CASE WHEN month(pd) >= 7 THEN 1 ELSE 0 END) AS VARCHAR), 4, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r0 AS DATE) END AS v0,
       r1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r1 AS DATE) END AS v1,
       r2,
       r2 AS v2,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd
FROM (
SELECT k0,
       r0,
       r1,
       r2,
       rp
FROM (
SELECT NULLIF(TRIM(CAST("plan" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Signup Date" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("Churn Date" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("Customer ID" AS VARCHAR)), '') AS r2,
       NULLIF(TRIM(CAST("Signup Date" AS VARCHAR)), '') AS rp
FROM "customers"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1, v2;

-- group count
SELECT COUNT(*) AS "cxm_groups"
FROM (
SELECT k0, p, v0, v1, v2
FROM (
SELECT k0,
       v0,
       CASE WHEN r0 IS NOT NULL AND v0 IS NULL THEN 1 ELSE 0 END AS u0,
       v1,
       CASE WHEN r1 IS NOT NULL AND v1 IS NULL THEN 1 ELSE 0 END AS u1,
       v2,
       CASE WHEN r2 IS NOT NULL AND v2 IS NULL THEN 1 ELSE 0 END AS u2,
       CASE WHEN pd IS NOT NULL THEN 'FY' || LPAD(CAST((year(pd) + CASE WHEN month(pd) >= 7 THEN 1 ELSE 0 END) AS VARCHAR), 4, '0') END AS p,
       CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up
FROM (
SELECT k0,
       r0,
       CASE WHEN regexp_like(r0, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r0 AS DATE) END AS v0,
       r1,
       CASE WHEN regexp_like(r1, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(r1 AS DATE) END AS v1,
       r2,
       r2 AS v2,
       rp,
       CASE WHEN regexp_like(rp, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN TRY_CAST(rp AS DATE) END AS pd
FROM (
SELECT k0,
       r0,
       r1,
       r2,
       rp
FROM (
SELECT NULLIF(TRIM(CAST("plan" AS VARCHAR)), '') AS k0,
       NULLIF(TRIM(CAST("Signup Date" AS VARCHAR)), '') AS r0,
       NULLIF(TRIM(CAST("Churn Date" AS VARCHAR)), '') AS r1,
       NULLIF(TRIM(CAST("Customer ID" AS VARCHAR)), '') AS r2,
       NULLIF(TRIM(CAST("Signup Date" AS VARCHAR)), '') AS rp
FROM "customers"
) AS cxm_l1
) AS cxm_l2
) AS cxm_l3
) AS cxm_l4
GROUP BY k0, p, v0, v1, v2
) AS cxm_groups;
