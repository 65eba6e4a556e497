-- Totals and the last duration per collector target, so the platform's
-- Prometheus exposition (served by whichever API instance answers) can
-- report the collector's work across all its invocations.
ALTER TABLE collector_targets
    ADD COLUMN attempts_total   bigint           NOT NULL DEFAULT 0,
    ADD COLUMN failures_total   bigint           NOT NULL DEFAULT 0,
    ADD COLUMN points_total     bigint           NOT NULL DEFAULT 0,
    ADD COLUMN last_duration_ms double precision NOT NULL DEFAULT 0;
