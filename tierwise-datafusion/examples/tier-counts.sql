-- The customers of each tier, over the shipments summed per customer: the whole table is
-- tiered, and only three rows come out. Used in BENCHMARKS.md to show both cores at work.
WITH volume AS (
    SELECT customer_id, SUM(teu) AS annual_teu
    FROM shipments
    GROUP BY customer_id
),
tiered AS (
    SELECT classify(named_struct(
               'annual_teu', COALESCE(v.annual_teu, 0),
               'customer_since', c.customer_since,
               'gross_margin_pct', c.gross_margin_pct,
               'influence', c.influence,
               'credit_rating', c.credit_rating,
               'overdue_days', c.overdue_days,
               'strategic', c.strategic,
               'previous_tier', c.previous_tier,
               'tier_since', c.tier_since,
               'last_qualified', c.last_qualified,
               'pinned_tier', c.pinned_tier,
               'pinned_until', c.pinned_until,
               'pin_reason', c.pin_reason
           ), DATE '2026-06-30') AS r
    FROM customers c
    LEFT JOIN volume v ON v.customer_id = c.id
)
SELECT r['tier'] AS tier, COUNT(*) AS customers, COUNT(r['error']) AS errors
FROM tiered
GROUP BY r['tier']
ORDER BY tier
