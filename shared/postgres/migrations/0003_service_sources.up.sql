-- Where the collector pulls a service's metrics from: {"url", "selector",
-- "queries"}; NULL when the service pushes its metrics.
ALTER TABLE services ADD COLUMN prometheus jsonb;
ALTER TABLE services ADD CONSTRAINT services_prometheus_object
    CHECK (prometheus IS NULL OR jsonb_typeof(prometheus) = 'object');
