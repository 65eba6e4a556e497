-- Time series: one row per (service, metric, labels).
CREATE TABLE series (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id  bigint      NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    metric      text        NOT NULL,
    labels      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    first_point timestamptz,
    last_point  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT series_metric_format CHECK (metric ~ '^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$'),
    CONSTRAINT series_labels_object CHECK (jsonb_typeof(labels) = 'object'),
    UNIQUE (service_id, metric, labels)
);
CREATE INDEX series_metric_idx ON series (metric);

-- Points, range-partitioned by day (partitions are created ahead and on
-- demand, and dropped after the retention period). No foreign key to series:
-- a per-row check would halve ingest speed; deleting a series deletes its
-- points through the trigger below.
CREATE TABLE points (
    series_id bigint           NOT NULL,
    ts        timestamptz      NOT NULL,
    value     double precision NOT NULL,
    PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);

CREATE FUNCTION series_delete_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM points WHERE series_id = OLD.id;
    DELETE FROM rollup_5m WHERE series_id = OLD.id;
    DELETE FROM rollup_1h WHERE series_id = OLD.id;
    DELETE FROM rollup_dirty WHERE series_id = OLD.id;
    RETURN OLD;
END $$;

-- Rollups for long ranges: min, max, sum and count per bucket, so averages
-- of averages are never taken. Maintained incrementally: writes mark the
-- hours they touched in rollup_dirty, and the maintenance run recomputes
-- exactly those hours from the points (overwrites make a pure increment
-- wrong: a replaced maximum cannot be subtracted).
CREATE TABLE rollup_5m (
    series_id bigint           NOT NULL,
    bucket    timestamptz      NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    sum       double precision NOT NULL,
    count     integer          NOT NULL,
    PRIMARY KEY (series_id, bucket)
);
CREATE TABLE rollup_1h (LIKE rollup_5m INCLUDING ALL);
CREATE INDEX rollup_5m_bucket_brin ON rollup_5m USING brin (bucket);
CREATE INDEX rollup_1h_bucket_brin ON rollup_1h USING brin (bucket);

CREATE TABLE rollup_dirty (
    series_id bigint      NOT NULL,
    hour      timestamptz NOT NULL,
    PRIMARY KEY (series_id, hour)
);

CREATE TRIGGER series_delete_points AFTER DELETE ON series
    FOR EACH ROW EXECUTE FUNCTION series_delete_points();
