-- mart.period_length(period_type): the length of a period of this type, as an INTERVAL
-- (month 1 month, quarter 3 months, half 6 months (legacy API only), year 1 year). The
-- previous period of the same type starts at period_start - period_length; the period's
-- last day is period_start + period_length - 1 day.
CREATE OR REPLACE MACRO mart.period_length(period_type) AS
    CASE period_type
        WHEN 'month' THEN INTERVAL 1 MONTH
        WHEN 'quarter' THEN INTERVAL 3 MONTH
        WHEN 'half' THEN INTERVAL 6 MONTH
        WHEN 'year' THEN INTERVAL 1 YEAR
    END;

COMMENT ON MACRO mart.period_length IS
    'Length of a period of the given type (month, quarter, half, year) as an INTERVAL. '
    'Previous period start = period_start - period_length; last day = period_start + period_length - 1 day.';
