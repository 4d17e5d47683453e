-- Shipments summed per customer, joined to the customers' attributes, tiered: one
-- statement. Customers who shipped nothing have no shipments and ship 0 TEU.
WITH volume AS (
    SELECT customer_id, SUM(teu) AS annual_teu
    FROM shipments
    GROUP BY customer_id
)
SELECT c.id,
       classify(named_struct(
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
ORDER BY c.id
